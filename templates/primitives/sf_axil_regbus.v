// sf_axil_regbus: AXI4-Lite slave to a simple register bus (semifreddo primitive).
//
// CONTRACT
//   Parameters  ADDR_W address bits (byte addresses; registers are 32-bit words).
//   AXI4-Lite   32-bit data. AW and W are accepted independently (one of each buffered);
//               once both are held, no write response is pending and no read is being
//               sampled or waiting, wr_en pulses for one clock; BVALID rises the next clock
//               with BRESP = OKAY (wr_ok = 1) or SLVERR (wr_ok = 0). AR is accepted when no
//               read is in flight and no write is starting or waiting; rd_addr is registered,
//               rd_en pulses in the next clock and rd_data / rd_ok are sampled then into
//               RDATA / RRESP (OKAY or SLVERR). AWPROT / ARPROT are ignored.
//   Register side  wr_en, wr_addr, wr_data, wr_strb (one clock); wr_ok is combinational from
//               them. rd_addr (held for the whole read), rd_data and rd_ok combinational from it.
//   Wait states (windows onto memories): wr_wait / rd_wait, combinational from wr_addr /
//               rd_addr, mark an access that is answered later. Then wr_en / rd_en is the
//               request (one clock) and the access completes in the clock where ack is high
//               (ack in the request clock itself is ignored; ack must come, e.g. one clock
//               later): wr_ok, or rd_data and rd_ok, are sampled in that clock; addresses and
//               write data stay held meanwhile. At most one access (read or write) is in
//               progress on the register side at any time, so a memory behind the windows
//               never sees two requests at once. Tie wr_wait, rd_wait and ack to 0 when there
//               are no windows.
//   Throughput  one write every 2 clocks, one read every 3 clocks (configuration traffic),
//               plus the wait states.
//   Reset       aresetn synchronous, active low: clears the handshake state, not the data.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module sf_axil_regbus #(
    parameter integer ADDR_W = 16  // byte address bits
) (
    input  wire              aclk,
    input  wire              aresetn,
    // AXI4-Lite slave
    input  wire [ADDR_W-1:0] s_axil_awaddr,
    input  wire [2:0]        s_axil_awprot,
    input  wire              s_axil_awvalid,
    output wire              s_axil_awready,
    input  wire [31:0]       s_axil_wdata,
    input  wire [3:0]        s_axil_wstrb,
    input  wire              s_axil_wvalid,
    output wire              s_axil_wready,
    output wire [1:0]        s_axil_bresp,
    output wire              s_axil_bvalid,
    input  wire              s_axil_bready,
    input  wire [ADDR_W-1:0] s_axil_araddr,
    input  wire [2:0]        s_axil_arprot,
    input  wire              s_axil_arvalid,
    output wire              s_axil_arready,
    output wire [31:0]       s_axil_rdata,
    output wire [1:0]        s_axil_rresp,
    output wire              s_axil_rvalid,
    input  wire              s_axil_rready,
    // register bus
    output wire              wr_en,
    output wire [ADDR_W-1:0] wr_addr,
    output wire [31:0]       wr_data,
    output wire [3:0]        wr_strb,
    input  wire              wr_ok,
    output wire [ADDR_W-1:0] rd_addr,
    input  wire [31:0]       rd_data,
    input  wire              rd_ok,
    // wait states
    output wire              rd_en,
    input  wire              wr_wait,
    input  wire              rd_wait,
    input  wire              ack
);

    // Parameter check (CONTRACT): an illegal instance stops at time 0 in simulation;
    // synthesis tools define SYNTHESIS and skip it.
`ifndef SYNTHESIS
    initial begin
        if (!(ADDR_W >= 1 && ADDR_W <= 32)) begin
            $display("%m: sf_axil_regbus parameters outside its CONTRACT:");
            $display("  ADDR_W=%0d", ADDR_W);
            $finish;
        end
    end
`endif

    localparam [1:0] OKAY = 2'b00;
    localparam [1:0] SLVERR = 2'b10;

    // Write channel.
    reg              aw_full_q, w_full_q, bvalid_q, wr_pend_q;
    reg [ADDR_W-1:0] awaddr_q;
    reg [31:0]       wdata_q;
    reg [3:0]        wstrb_q;
    reg [1:0]        bresp_q;
    wire             rd_active;
    wire             do_write = aw_full_q && w_full_q && !bvalid_q && !wr_pend_q && !rd_active;
    wire             wr_done = wr_pend_q && ack;

    always @(posedge aclk) begin
        if (!aresetn) begin
            aw_full_q <= 1'b0;
            w_full_q  <= 1'b0;
            bvalid_q  <= 1'b0;
            wr_pend_q <= 1'b0;
        end else begin
            if (s_axil_awvalid && !aw_full_q) aw_full_q <= 1'b1;
            if (s_axil_wvalid && !w_full_q) w_full_q <= 1'b1;
            if (do_write && wr_wait) begin
                wr_pend_q <= 1'b1;
            end else if (do_write || wr_done) begin
                aw_full_q <= 1'b0;
                w_full_q  <= 1'b0;
                bvalid_q  <= 1'b1;
                wr_pend_q <= 1'b0;
            end else if (bvalid_q && s_axil_bready) begin
                bvalid_q <= 1'b0;
            end
        end
    end

    always @(posedge aclk) begin
        if (s_axil_awvalid && !aw_full_q) awaddr_q <= s_axil_awaddr;
        if (s_axil_wvalid && !w_full_q) begin
            wdata_q <= s_axil_wdata;
            wstrb_q <= s_axil_wstrb;
        end
        if ((do_write && !wr_wait) || wr_done) bresp_q <= wr_ok ? OKAY : SLVERR;
    end

    assign s_axil_awready = !aw_full_q;
    assign s_axil_wready  = !w_full_q;
    assign s_axil_bvalid  = bvalid_q;
    assign s_axil_bresp   = bresp_q;
    assign wr_en   = do_write;
    assign wr_addr = awaddr_q;
    assign wr_data = wdata_q;
    assign wr_strb = wstrb_q;

    // Read channel: AR accepted -> address registered -> data sampled -> RVALID.
    reg              rd_busy_q, rd_sample_q, rd_pend_q, rvalid_q;
    wire             ar_take = s_axil_arvalid && !rd_busy_q && !do_write && !wr_pend_q;
    wire             rd_done = (rd_sample_q && !rd_wait) || (rd_pend_q && ack);
    assign           rd_active = rd_sample_q || rd_pend_q;
    reg [ADDR_W-1:0] araddr_q;
    reg [31:0]       rdata_q;
    reg [1:0]        rresp_q;

    always @(posedge aclk) begin
        if (!aresetn) begin
            rd_busy_q   <= 1'b0;
            rd_sample_q <= 1'b0;
            rd_pend_q   <= 1'b0;
            rvalid_q    <= 1'b0;
        end else begin
            if (ar_take) begin
                rd_busy_q   <= 1'b1;
                rd_sample_q <= 1'b1;
            end
            if (rd_sample_q) begin
                rd_sample_q <= 1'b0;
                rd_pend_q   <= rd_wait;
            end
            if (rd_done) begin
                rd_pend_q <= 1'b0;
                rvalid_q  <= 1'b1;
            end
            if (rvalid_q && s_axil_rready) begin
                rvalid_q  <= 1'b0;
                rd_busy_q <= 1'b0;
            end
        end
    end

    always @(posedge aclk) begin
        if (ar_take) araddr_q <= s_axil_araddr;
        if (rd_done) begin
            rdata_q <= rd_data;
            rresp_q <= rd_ok ? OKAY : SLVERR;
        end
    end

    assign s_axil_arready = !rd_busy_q && !do_write && !wr_pend_q;
    assign rd_en          = rd_sample_q;
    assign s_axil_rvalid  = rvalid_q;
    assign s_axil_rdata   = rdata_q;
    assign s_axil_rresp   = rresp_q;
    assign rd_addr        = araddr_q;

    wire unused_ok = &{1'b0, s_axil_awprot, s_axil_arprot, 1'b0};

endmodule

`resetall
`default_nettype wire
