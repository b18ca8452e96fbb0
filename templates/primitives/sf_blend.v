// sf_blend: per-channel alpha blend of two int8 streams, joined beat by beat (semifreddo
// primitive, SPEC §1 "Blending").
//
// CONTRACT
//   Parameters
//     CH      channels per beat, >= 1 (int8 each, channel c in bits 8c+7:8c).
//     SIDE_W  sideband bits carried from the t stream to the output (frame markers), >= 1.
//   Function
//     m_data[c] = (a[c]*f[c] + (256 - a[c])*t[c] + 128) >> 8   (>> arithmetic, floor)
//     with a[c] = alpha[9c+8:9c] in 0..256: exact and never saturating (the result lies
//     between f[c] and t[c]). Computed as t + ((a*(f - t) + 128) >> 8), one 9x10-bit product
//     per channel. alpha values 257..511 are outside SPEC §3; they give the low 8 bits of
//     the same formula (the register block documents the range).
//   Ports (all synchronous to the rising edge of aclk)
//     aresetn   synchronous active-low reset: clears m_valid only (data not reset).
//     f_data/f_valid/f_ready   frozen-feature stream F.
//     t_data/t_side/t_valid/t_ready   trainable-feature stream T with its sideband.
//     alpha     9 bits per channel; sampled in the clock of the join, hold it stable while
//               beats are in flight.
//     m_data/m_side/m_valid/m_ready   blended stream, m_side = t_side of the same beat.
//   Join: one F beat and one T beat are consumed together, in the clock where both are
//     valid and the output register is free or draining (en = !m_valid || m_ready):
//     f_ready = en && t_valid, t_ready = en && f_valid. So each ready depends
//     combinationally on the other stream's valid and on m_ready (never on its own valid).
//   Latency    1 clock (output register). Throughput one beat per clock when both inputs
//              are valid and m_ready is high.
//   Storage    one output register of 8*CH + SIDE_W bits.
// Both sides obey AXI4-Stream: valid never depends on ready, data held while valid && !ready.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module sf_blend #(
    parameter integer CH     = 1,  // channels per beat
    parameter integer SIDE_W = 1   // sideband bits carried from t to m
) (
    input  wire              aclk,
    input  wire              aresetn,
    // frozen features F
    input  wire [8*CH-1:0]   f_data,
    input  wire              f_valid,
    output wire              f_ready,
    // trainable features T
    input  wire [8*CH-1:0]   t_data,
    input  wire [SIDE_W-1:0] t_side,
    input  wire              t_valid,
    output wire              t_ready,
    // per-channel alpha, 0..256
    input  wire [9*CH-1:0]   alpha,
    // blended output
    output wire [8*CH-1:0]   m_data,
    output wire [SIDE_W-1:0] m_side,
    output wire              m_valid,
    input  wire              m_ready
);

  // Parameter check (CONTRACT): an illegal instance stops at time 0 in simulation;
  // synthesis tools define SYNTHESIS and skip it.
`ifndef SYNTHESIS
  initial begin
    if (!(CH >= 1 && SIDE_W >= 1)) begin
      $display("%m: sf_blend parameters outside its CONTRACT:");
      $display("  CH=%0d SIDE_W=%0d", CH, SIDE_W);
      $finish;
    end
  end
`endif

  reg [8*CH-1:0] m_data_q;
  reg [SIDE_W-1:0] m_side_q;
  reg m_valid_q;

  wire en = !m_valid_q || m_ready;
  wire join_ok = en && f_valid && t_valid;

  wire [8*CH-1:0] y;
  genvar c;
  generate
    for (c = 0; c < CH; c = c + 1) begin : g_ch
      wire [7:0] xf = f_data[8*c +: 8];
      wire [7:0] xt = t_data[8*c +: 8];
      // d = f - t (9-bit signed), a as 10-bit signed (non-negative)
      wire signed [8:0] d = $signed({xf[7], xf}) - $signed({xt[7], xt});
      wire signed [9:0] a = $signed({1'b0, alpha[9*c +: 9]});
      wire signed [18:0] prod = a * d;
      // 256*t + a*(f - t) + 128; |sum| < 2^17, so 19 bits are exact
      wire [2:0] ext = {3{xt[7]}};
      wire signed [18:0] sum = $signed({ext, xt, 8'd0}) + prod + 19'sd128;
      // floor(sum / 256) is an int8: bits 15:8
      assign y[8*c +: 8] = sum[15:8];
      wire unused_ok = &{1'b0, sum[18:16], sum[7:0], 1'b0};
    end
  endgenerate

  always @(posedge aclk) begin
    if (!aresetn) begin
      m_valid_q <= 1'b0;
    end else if (en) begin
      m_valid_q <= f_valid && t_valid;
    end
  end

  // datapath, not reset
  always @(posedge aclk) begin
    if (join_ok) begin
      m_data_q <= y;
      m_side_q <= t_side;
    end
  end

  assign f_ready = en && t_valid;
  assign t_ready = en && f_valid;
  assign m_data  = m_data_q;
  assign m_side  = m_side_q;
  assign m_valid = m_valid_q;

endmodule

`resetall
`default_nettype wire
