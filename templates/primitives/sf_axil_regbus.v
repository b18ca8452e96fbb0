// sf_axil_regbus: AXI4-Lite slave to a simple register bus (semifreddo primitive).
//
// CONTRACT
//   Parameters  ADDR_W address bits (byte addresses; registers are 32-bit words).
//               WR_LAT, RD_LAT (>= 1): clocks from a write / read request (wr_en / rd_en) to
//               the clock in which the register block's answer is sampled (its pipeline;
//               the defaults match the generated register block, templates/rtl/regs.v).
//   AXI4-Lite   32-bit data. AW and W are accepted independently (one of each buffered); AR
//               is accepted when no read is buffered. Once AW and W are both held and no
//               write response is pending, the write starts (reads wait while a write runs
//               and the other way round; a write starts first when both could). BVALID
//               rises with BRESP = OKAY (wr_ok = 1) or SLVERR (wr_ok = 0), RVALID with the
//               read data and OKAY (rd_ok) or SLVERR. AWPROT / ARPROT are ignored. Every
//               output is a register (the channel readies included).
//   Register side  wr_en / rd_en: a one-clock request (a register); wr_addr, wr_data,
//               wr_strb / rd_addr are registers held from the request until the access ends.
//               The answer is sampled WR_LAT (RD_LAT) clocks after the request: wr_ok and
//               wr_wait (rd_data, rd_ok and rd_wait). A set wait flag marks an access that is
//               answered later (windows onto memories): the access then completes in the
//               first clock after the sample in which ack is high, sampling wr_ok (rd_data
//               and rd_ok) in that clock. At most one access is in progress at any time, so
//               a memory behind the windows never sees two requests at once. Tie wr_wait,
//               rd_wait and ack to 0 when there are no windows.
//   Throughput  one write every WR_LAT + 2 clocks, one read every RD_LAT + 3 clocks
//               (configuration traffic), plus the wait states.
//   Reset       aresetn synchronous, active low: clears the handshake state, not the data.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module sf_axil_regbus #(
    parameter integer ADDR_W = 16,  // byte address bits
    parameter integer WR_LAT = 1,   // request to write answer, clocks (>= 1)
    parameter integer RD_LAT = 2    // request to read answer, clocks (>= 1)
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
        if (!(ADDR_W >= 1 && ADDR_W <= 32 && WR_LAT >= 1 && RD_LAT >= 1)) begin
            $display("%m: sf_axil_regbus parameters outside its CONTRACT:");
            $display("  ADDR_W=%0d WR_LAT=%0d RD_LAT=%0d", ADDR_W, WR_LAT, RD_LAT);
            $finish;
        end
    end
`endif

    localparam [1:0] OKAY = 2'b00;
    localparam [1:0] SLVERR = 2'b10;
    localparam integer LW = (WR_LAT > RD_LAT ? WR_LAT : RD_LAT) + 1;
    localparam [2:0] ST_IDLE = 3'd0, ST_WR = 3'd1, ST_RD = 3'd2, ST_WR_WAIT = 3'd3,
                     ST_RD_WAIT = 3'd4;

    reg  [2:0]        state_q;
    reg  [LW-1:0]     lat_q;        // one-hot: the request was lat clocks ago
    reg               aw_full_q, w_full_q, ar_full_q, bvalid_q, rvalid_q;
    reg               awready_q, wready_q, arready_q, wr_en_q, rd_en_q;
    reg  [ADDR_W-1:0] awaddr_q, araddr_q;
    reg  [31:0]       wdata_q, rdata_q;
    reg  [3:0]        wstrb_q;
    reg  [1:0]        bresp_q, rresp_q;

    wire aw_take = s_axil_awvalid && awready_q;
    wire w_take = s_axil_wvalid && wready_q;
    wire ar_take = s_axil_arvalid && arready_q;
    wire b_done = bvalid_q && s_axil_bready;
    wire r_done = rvalid_q && s_axil_rready;
    wire idle = state_q == ST_IDLE;
    wire start_wr = idle && aw_full_q && w_full_q && !bvalid_q;
    wire start_rd = idle && !start_wr && ar_full_q && !rvalid_q;
    // the sample clock of the answer, and the end of an access
    wire wr_sample = state_q == ST_WR && lat_q[WR_LAT];
    wire rd_sample = state_q == ST_RD && lat_q[RD_LAT];
    wire wr_end = (wr_sample && !wr_wait) || (state_q == ST_WR_WAIT && ack);
    wire rd_end = (rd_sample && !rd_wait) || (state_q == ST_RD_WAIT && ack);
    wire aw_full_d = (aw_full_q || aw_take) && !wr_end;
    wire w_full_d = (w_full_q || w_take) && !wr_end;
    wire ar_full_d = (ar_full_q || ar_take) && !rd_end;

    always @(posedge aclk) begin
        if (!aresetn) begin
            state_q   <= ST_IDLE;
            lat_q     <= {LW{1'b0}};
            aw_full_q <= 1'b0;
            w_full_q  <= 1'b0;
            ar_full_q <= 1'b0;
            bvalid_q  <= 1'b0;
            rvalid_q  <= 1'b0;
            awready_q <= 1'b0;
            wready_q  <= 1'b0;
            arready_q <= 1'b0;
            wr_en_q   <= 1'b0;
            rd_en_q   <= 1'b0;
        end else begin
            aw_full_q <= aw_full_d;
            w_full_q  <= w_full_d;
            ar_full_q <= ar_full_d;
            awready_q <= !aw_full_d;
            wready_q  <= !w_full_d;
            arready_q <= !ar_full_d;
            wr_en_q   <= start_wr;
            rd_en_q   <= start_rd;
            lat_q     <= (start_wr || start_rd) ? { {(LW-1){1'b0}}, 1'b1} : lat_q << 1;
            if (wr_end) bvalid_q <= 1'b1;
            else if (b_done) bvalid_q <= 1'b0;
            if (rd_end) rvalid_q <= 1'b1;
            else if (r_done) rvalid_q <= 1'b0;
            case (state_q)
                ST_IDLE:    state_q <= start_wr ? ST_WR : start_rd ? ST_RD : ST_IDLE;
                ST_WR:      if (wr_sample) state_q <= wr_wait ? ST_WR_WAIT : ST_IDLE;
                ST_RD:      if (rd_sample) state_q <= rd_wait ? ST_RD_WAIT : ST_IDLE;
                ST_WR_WAIT: if (ack) state_q <= ST_IDLE;
                ST_RD_WAIT: if (ack) state_q <= ST_IDLE;
                default:    state_q <= ST_IDLE;
            endcase
        end
    end

    // data registers, not reset
    always @(posedge aclk) begin
        if (aw_take) awaddr_q <= s_axil_awaddr;
        if (w_take) begin
            wdata_q <= s_axil_wdata;
            wstrb_q <= s_axil_wstrb;
        end
        if (ar_take) araddr_q <= s_axil_araddr;
        if (wr_end) bresp_q <= wr_ok ? OKAY : SLVERR;
        if (rd_end) begin
            rdata_q <= rd_data;
            rresp_q <= rd_ok ? OKAY : SLVERR;
        end
    end

    assign s_axil_awready = awready_q;
    assign s_axil_wready  = wready_q;
    assign s_axil_bvalid  = bvalid_q;
    assign s_axil_bresp   = bresp_q;
    assign s_axil_arready = arready_q;
    assign s_axil_rvalid  = rvalid_q;
    assign s_axil_rdata   = rdata_q;
    assign s_axil_rresp   = rresp_q;
    assign wr_en   = wr_en_q;
    assign wr_addr = awaddr_q;
    assign wr_data = wdata_q;
    assign wr_strb = wstrb_q;
    assign rd_en   = rd_en_q;
    assign rd_addr = araddr_q;

    wire unused_ok = &{1'b0, s_axil_awprot, s_axil_arprot, lat_q[0], 1'b0};

endmodule

`resetall
`default_nettype wire
