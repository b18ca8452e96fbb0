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
//     aresetn   synchronous active-low reset: clears m_valid, the held flags and the
//               readies (high one clock after reset); data not reset.
//     f_data/f_valid/f_ready   frozen-feature stream F.
//     t_data/t_side/t_valid/t_ready   trainable-feature stream T with its sideband.
//     alpha     9 bits per channel; sampled in the clock of the join, hold it stable while
//               beats are in flight.
//     m_data/m_side/m_valid/m_ready   blended stream, m_side = t_side of the same beat.
//   Join: one F beat and one T beat are blended together into the output register when both
//     are present and the output register is free or draining. A beat that arrives without
//     its partner (or while the output is blocked) waits in a one-beat register of its side;
//     f_ready / t_ready are registers, high when that side's register will be empty. So the
//     readies depend on nothing combinationally, and one beat per clock flows when both
//     streams are valid and m_ready is high.
//   Latency    1 clock (output register). Throughput one beat per clock when both inputs
//              are valid and m_ready is high (a stall costs one clock when it ends).
//   Storage    the output register (8*CH + SIDE_W bits), a one-beat register per input
//              (8*CH and 8*CH + SIDE_W bits) and copies of the control flops (sf_fanout) so
//              that none drives more than FO = 48 loads. Depends on sf_fanout.v.
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

  localparam integer FO = 48;
  localparam integer NB = 8 * CH + SIDE_W;             // bits per beat (data + side)
  localparam integer NC = (NB + FO - 1) / FO;          // control copies

  // control (copy k serves bits [FO*k, FO*k+FO) of every register): {t held, f held,
  // m_valid, t_ready, f_ready}
  wire [5*NC-1:0] c;
  wire f_ready_c = c[0], t_ready_c = c[1], m_valid_c = c[2], f_held = c[3], t_held = c[4];
  wire f_here = f_held || (f_valid && f_ready_c);
  wire t_here = t_held || (t_valid && t_ready_c);
  wire join_ok = f_here && t_here && (!m_valid_c || m_ready);
  wire f_held_d = f_here && !join_ok;
  wire t_held_d = t_here && !join_ok;
  wire m_valid_d = join_ok || (m_valid_c && !m_ready);
  sf_fanout #(.N(NC), .W(5)) u_ctl (
      .aclk(aclk), .aresetn(aresetn),
      .d({t_held_d, f_held_d, m_valid_d, !t_held_d, !f_held_d}), .q(c)
  );

  // per bit group: the beat (held, else the input), its hold register and the output
  wire [8*CH-1:0]   f_cur, t_cur;
  wire [8*CH-1:0]   y;
  // per group k of FO bits (data, then the sideband): its own control copy
  genvar k;
  generate
    for (k = 0; k < NC; k = k + 1) begin : g_grp
      localparam integer LO = FO * k;
      localparam integer WK = (NB - LO < FO) ? NB - LO : FO;
      wire fh = c[5*k+3], th = c[5*k+4];
      wire fin = f_valid && c[5*k];
      wire tin = t_valid && c[5*k+1];
      wire jn = (fh || fin) && (th || tin) && (!c[5*k+2] || m_ready);
      wire [WK-1:0] f_in = all_f[LO +: WK];
      wire [WK-1:0] t_in = all_t[LO +: WK];
      reg  [WK-1:0] fh_q, th_q, m_q;
      wire [WK-1:0] t_now = th ? th_q : t_in;
      always @(posedge aclk) begin
        if (fin && !jn) fh_q <= f_in;
        if (tin && !jn) th_q <= t_in;
        if (jn) m_q <= {all_y[LO +: WK]};
      end
      assign all_fcur[LO +: WK] = fh ? fh_q : f_in;
      assign all_tcur[LO +: WK] = t_now;
      assign all_m[LO +: WK] = m_q;
    end
  endgenerate
  // the blended beat: data from the current F and T, the sideband from T
  wire [NB-1:0] all_f = { {SIDE_W{1'b0}}, f_data};
  wire [NB-1:0] all_t = {t_side, t_data};
  wire [NB-1:0] all_fcur, all_tcur, all_m;
  wire [NB-1:0] all_y = {all_tcur[NB-1:8*CH], y};
  assign f_cur = all_fcur[8*CH-1:0];
  assign t_cur = all_tcur[8*CH-1:0];
  wire unused_fcur = &{1'b0, all_fcur[NB-1:8*CH], 1'b0};

  genvar ch;
  generate
    for (ch = 0; ch < CH; ch = ch + 1) begin : g_ch
      wire [7:0] xf = f_cur[8*ch +: 8];
      wire [7:0] xt = t_cur[8*ch +: 8];
      // d = f - t (9-bit signed), a as 10-bit signed (non-negative)
      wire signed [8:0] d = $signed({xf[7], xf}) - $signed({xt[7], xt});
      wire signed [9:0] a = $signed({1'b0, alpha[9*ch +: 9]});
      wire signed [18:0] prod = a * d;
      // 256*t + a*(f - t) + 128; |sum| < 2^17, so 19 bits are exact
      wire [2:0] ext = {3{xt[7]}};
      wire signed [18:0] sum = $signed({ext, xt, 8'd0}) + prod + 19'sd128;
      // floor(sum / 256) is an int8: bits 15:8
      assign y[8*ch +: 8] = sum[15:8];
      wire unused_ok = &{1'b0, sum[18:16], sum[7:0], 1'b0};
    end
  endgenerate

  assign f_ready = f_ready_c;
  assign t_ready = t_ready_c;
  assign m_data  = all_m[8*CH-1:0];
  assign m_side  = all_m[NB-1:8*CH];
  assign m_valid = m_valid_c;
  wire unused_c = &{1'b0, join_ok, c, 1'b0};

endmodule

`resetall
`default_nettype wire
