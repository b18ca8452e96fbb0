// sf_fifo: synchronous first-word-fall-through FIFO (semifreddo primitive).
//
// CONTRACT
//   Parameters
//     WIDTH  data width in bits, >= 1.
//     DEPTH  number of entries, any integer >= 2 (not only powers of two).
//     CNT_W  width of `count`; derived, do not override.
//   Ports (all synchronous to the rising edge of aclk)
//     aresetn          synchronous active-low reset: empties the FIFO (pointers and counts
//                      only; the storage is not reset).
//     s_data/s_valid/s_ready   input stream; s_ready = (count != DEPTH), a register that never
//                      depends on s_valid, m_ready or anything combinational.
//     m_data/m_valid/m_ready   output stream, first-word-fall-through: m_valid = (count != 0)
//                      and m_data shows the oldest entry; both are registers.
//     count            number of stored entries, 0..DEPTH (registered).
//   Latency    1 clock: a word pushed at edge t is visible on m_data/m_valid after edge t.
//   Throughput one push and one pop per clock. Choice when FULL: s_ready is low even if the
//              consumer pops in the same clock (s_ready does not depend combinationally on
//              m_ready, so there is no ready path through the FIFO); the push is taken one
//              clock later. A FIFO that must absorb N words at full rate needs DEPTH >= N.
//              When EMPTY, a pushed word cannot be popped in the same clock (no bypass).
//   Storage    an sf_sram_1r1w of DEPTH words (read latency 1; swap it for a two-port macro
//              or block RAM, docs/primitives.md) and a two-word output buffer of registers
//              (word 0 = m_data): words go straight to the buffer while the memory is empty
//              and are read ahead from the memory otherwise. Every output is a register.
//              Control flops are copied (sf_fanout) so that none drives more than FO = 48
//              data bits. Depends on sf_sram_1r1w.v and sf_fanout.v.
//
// AXI4-Stream rules hold on both sides: a transfer is valid && ready; m_valid does not depend
// on m_ready; once m_valid is high m_data is held until accepted.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module sf_fifo #(
    parameter integer WIDTH = 8,                  // data width in bits
    parameter integer DEPTH = 4,                  // entries, >= 2, any integer
    parameter integer CNT_W = $clog2(DEPTH + 1)   // width of count (derived, do not override)
) (
    input  wire             aclk,
    input  wire             aresetn,
    // input stream
    input  wire [WIDTH-1:0] s_data,
    input  wire             s_valid,
    output wire             s_ready,
    // output stream (first-word-fall-through)
    output wire [WIDTH-1:0] m_data,
    output wire             m_valid,
    input  wire             m_ready,
    // occupancy
    output wire [CNT_W-1:0] count
);

  // Parameter check (CONTRACT): an illegal instance stops at time 0 in simulation;
  // synthesis tools define SYNTHESIS and skip it.
`ifndef SYNTHESIS
  initial begin
    if (!(WIDTH >= 1 && DEPTH >= 2 && CNT_W == $clog2(DEPTH + 1))) begin
      $display("%m: sf_fifo parameters outside its CONTRACT:");
      $display("  WIDTH=%0d DEPTH=%0d CNT_W=%0d", WIDTH, DEPTH, CNT_W);
      $finish;
    end
  end
`endif

  localparam integer FO = 48;
  localparam integer NC = (WIDTH + FO - 1) / FO;   // control copies
  localparam integer AW = $clog2(DEPTH);          // pointer width (DEPTH >= 2, so AW >= 1)
  localparam [31:0] DEPTH_U = DEPTH;
  localparam [31:0] DEPTH_M1 = DEPTH - 1;
  localparam [AW-1:0] PTR_LAST = DEPTH_M1[AW-1:0];
  localparam [CNT_W-1:0] CNT_FULL = DEPTH_U[CNT_W-1:0];

  reg  [CNT_W-1:0] count_q;     // all stored words
  reg  [CNT_W-1:0] mem_q;       // words in the memory (not yet read)
  reg  [AW-1:0]    wr_ptr_q, rd_ptr_q;
  reg  [1:0]       ob_q;        // words in the output buffer, 0..2 (the copies below)
  reg              m_valid_q;

  // copies of {read arriving, buffer empty, buffer holds 1, ready} per FO data bits
  wire [4*NC-1:0] c;
  wire rdy = c[0];
  wire ob1 = c[1], ob0 = c[2], arr = c[3];
  wire push = s_valid && rdy;
  wire pop = !ob0 && m_ready;
  // words left in the buffer after this clock's pop: none, or one
  wire left0 = ob0 || (ob1 && pop);
  wire left1 = (ob1 && !pop) || (!ob0 && !ob1 && pop);
  // a word goes straight to the buffer when the memory holds none: behind a word arriving
  // from the memory if both fit, else alone if it fits
  wire bypass = push && mem_q == {CNT_W{1'b0}} && (arr ? left0 : (left0 || left1));
  wire [1:0] ob_d = ob_q + {1'b0, arr} + {1'b0, bypass} - {1'b0, pop};
  // read ahead while the buffer will have room for the word when it arrives
  wire rd = mem_q != {CNT_W{1'b0}} && ob_d <= 2'd1;
  wire [CNT_W-1:0] mem_d = mem_q + { {(CNT_W-1){1'b0}}, push && !bypass}
                                 - { {(CNT_W-1){1'b0}}, rd};
  wire [CNT_W-1:0] count_d = count_q + { {(CNT_W-1){1'b0}}, push}
                                     - { {(CNT_W-1){1'b0}}, pop};
  sf_fanout #(.N(NC), .W(4), .RESET(4'b0101)) u_ctl (
      .aclk(aclk), .aresetn(aresetn),
      .d({rd, ob_d == 2'd0, ob_d == 2'd1, count_d != CNT_FULL}), .q(c)
  );

  always @(posedge aclk) begin
    if (!aresetn) begin
      count_q   <= {CNT_W{1'b0}};
      mem_q     <= {CNT_W{1'b0}};
      wr_ptr_q  <= {AW{1'b0}};
      rd_ptr_q  <= {AW{1'b0}};
      ob_q      <= 2'd0;
      m_valid_q <= 1'b0;
    end else begin
      count_q <= count_d;
      mem_q <= mem_d;
      ob_q <= ob_d;
      m_valid_q <= ob_d != 2'd0;
      if (push && !bypass) begin
        wr_ptr_q <= (wr_ptr_q == PTR_LAST) ? {AW{1'b0}} : wr_ptr_q + 1'b1;
      end
      if (rd) begin
        rd_ptr_q <= (rd_ptr_q == PTR_LAST) ? {AW{1'b0}} : rd_ptr_q + 1'b1;
      end
    end
  end

  wire [WIDTH-1:0] rdata;
  sf_sram_1r1w #(
      .WIDTH(WIDTH),
      .DEPTH(DEPTH)
  ) u_mem (
      .aclk (aclk),
      .we   (push && !bypass),
      .waddr(wr_ptr_q),
      .wdata(s_data),
      .re   (rd),
      .raddr(rd_ptr_q),
      .rdata(rdata)
  );

  // output buffer, word 0 = m_data: incoming words (memory, bypass) land behind the words that
  // stay; a pop shifts word 1 to word 0
  reg [WIDTH-1:0] w0_q, w1_q;
  genvar k;
  generate
    for (k = 0; k < NC; k = k + 1) begin : g_grp
      localparam integer LO = FO * k;
      localparam integer WK = (WIDTH - LO < FO) ? WIDTH - LO : FO;
      wire k_arr = c[4*k+3];
      wire k_pop = !c[4*k+2] && m_ready;
      wire k_left0 = c[4*k+2] || (c[4*k+1] && k_pop);
      wire k_left1 = (c[4*k+1] && !k_pop) || (!c[4*k+2] && !c[4*k+1] && k_pop);
      wire k_byp = s_valid && c[4*k] && mem_q == {CNT_W{1'b0}}
                   && (k_arr ? k_left0 : (k_left0 || k_left1));
      // the first incoming word (the memory's, else the bypassed one) lands at the first
      // free place; a bypassed word behind an arriving one lands at word 1
      wire [WK-1:0] first_w = k_arr ? rdata[LO +: WK] : s_data[LO +: WK];
      wire first_v = k_arr || k_byp;
      always @(posedge aclk) begin
        if (first_v && k_left0) w0_q[LO +: WK] <= first_w;
        else if (k_pop) w0_q[LO +: WK] <= w1_q[LO +: WK];
        if ((first_v && k_left1) || (k_arr && k_byp)) begin
          w1_q[LO +: WK] <= (k_arr && k_byp) ? s_data[LO +: WK] : first_w;
        end
      end
    end
  endgenerate

  assign s_ready = rdy;
  assign m_valid = m_valid_q;
  assign m_data = w0_q;
  assign count = count_q;

endmodule

`resetall
`default_nettype wire
