// sf_fifo: synchronous first-word-fall-through FIFO (semifreddo primitive).
//
// CONTRACT
//   Parameters
//     WIDTH  data width in bits, >= 1.
//     DEPTH  number of entries, any integer >= 2 (not only powers of two).
//     CNT_W  width of `count`; derived, do not override.
//   Ports (all synchronous to the rising edge of aclk)
//     aresetn          synchronous active-low reset: empties the FIFO (pointers and count
//                      only; the storage array is not reset).
//     s_data/s_valid/s_ready   input stream; s_ready = (count != DEPTH), a registered signal
//                      that never depends on s_valid, m_ready or anything combinational.
//     m_data/m_valid/m_ready   output stream, first-word-fall-through: m_valid = (count != 0)
//                      and m_data shows the oldest entry in the same clock (no read latency).
//     count            number of stored entries, 0..DEPTH (registered).
//   Latency    1 clock: a word pushed at edge t is visible on m_data/m_valid after edge t.
//   Throughput one push and one pop per clock. Choice when FULL: s_ready is low even if the
//              consumer pops in the same clock (s_ready does not depend combinationally on
//              m_ready, so there is no ready path through the FIFO); the push is taken one
//              clock later. A FIFO that must absorb N words at full rate needs DEPTH >= N.
//              When EMPTY, a pushed word cannot be popped in the same clock (no bypass).
//   Storage    a reg array with asynchronous read (maps to flip-flops or distributed RAM).
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

  localparam integer AW = $clog2(DEPTH);          // pointer width (DEPTH >= 2, so AW >= 1)
  localparam [31:0] DEPTH_U = DEPTH;             // DEPTH as a 32-bit vector, for slicing
  localparam [31:0] DEPTH_M1 = DEPTH - 1;         // last valid pointer value, 32 bits
  localparam [AW-1:0] PTR_LAST = DEPTH_M1[AW-1:0];
  localparam [CNT_W-1:0] CNT_FULL = DEPTH_U[CNT_W-1:0];

  reg [WIDTH-1:0] mem[0:DEPTH-1];
  reg [AW-1:0] wr_ptr_q;
  reg [AW-1:0] rd_ptr_q;
  reg [CNT_W-1:0] count_q;

  wire push = s_valid && s_ready;
  wire pop = m_valid && m_ready;

  assign s_ready = (count_q != CNT_FULL);
  assign m_valid = (count_q != {CNT_W{1'b0}});
  assign m_data = mem[rd_ptr_q];
  assign count = count_q;

  // storage: datapath, not reset
  always @(posedge aclk) begin
    if (push) begin
      mem[wr_ptr_q] <= s_data;
    end
  end

  // control state
  always @(posedge aclk) begin
    if (!aresetn) begin
      wr_ptr_q <= {AW{1'b0}};
      rd_ptr_q <= {AW{1'b0}};
      count_q  <= {CNT_W{1'b0}};
    end else begin
      if (push) begin
        wr_ptr_q <= (wr_ptr_q == PTR_LAST) ? {AW{1'b0}} : wr_ptr_q + 1'b1;
      end
      if (pop) begin
        rd_ptr_q <= (rd_ptr_q == PTR_LAST) ? {AW{1'b0}} : rd_ptr_q + 1'b1;
      end
      case ({push, pop})
        2'b10:   count_q <= count_q + 1'b1;
        2'b01:   count_q <= count_q - 1'b1;
        default: count_q <= count_q;
      endcase
    end
  end

endmodule

`resetall
`default_nettype wire
