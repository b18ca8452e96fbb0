// sf_requant_pipe: pipelined requantization of one accumulator per sample (semifreddo
// primitive, SPEC §2).
//
// CONTRACT
//   y = clamp((acc * scale + bias + rnd) >>> shift, LO, HI), rnd = 2^(shift-1) (0 for
//   shift = 0), `>>>` an arithmetic (floor) shift, LO/HI = -128..127 (0..127 with RELU = 1)
//   for OUT_W = 8, -32768..32767 for OUT_W = 16 (requant16: RELU must be 0). Exact for every
//   input: the product has ACC_W + 16 bits, the sum max(ACC_W + 16, 41) + 1 bits.
//   Parameters
//     ACC_W        accumulator bits (signed), >= 2.
//     OUT_W        8 or 16.           RELU  1: clamp below at 0 (OUT_W = 8 only).
//     SPLIT        1, 2 or 4: the 16-bit scale is multiplied in SPLIT pieces of 16/SPLIT bits
//                  in parallel (ACC_W x 16/SPLIT products), summed with the bias in the next
//                  step; more pieces, shorter multiplier paths.
//     DSP_W        0: the multiplier is left whole to synthesis. > 1 (an FPGA's DSP block, e.g.
//                  18 for the ECP5's MULT18X18D): the accumulator is cut as well, into
//                  unsigned pieces of DSP_W - 1 bits and a signed top piece of at most DSP_W
//                  bits, so every partial product is one DSP_W x DSP_W signed multiply that
//                  leaves the DSP through the P register with no adder between (the tools
//                  otherwise split a wider product over several DSPs and add the parts in the
//                  same clock). Needs 16 / SPLIT + 1 <= DSP_W. A then sums SPLIT x (pieces of
//                  the accumulator) partial products.
//     STAGES       1..4 registers from the inputs to y (the latency). The four steps are
//                  partial products (P), sum with bias and rounding (A), variable shift (S),
//                  clamp (C); STAGES = 4 registers after each, 3: P | A | S+C, 2: P | A+S+C,
//                  1: P+A+S+C in one clock. y is always a register. With STAGES >= 2 and a
//                  carried bias, bias + rounding is formed during P, so A adds only the
//                  partial products to it.
//     PARAMS_HELD  bit 0: bias, bit 1: shift is held stable while samples are in flight (a
//                  configuration register) and read where it is used, which saves its pipeline
//                  registers; a clear bit: the value belongs to the sample and is carried along.
//                  The scale is only used in the first step, so it never needs carrying.
//     TAG_W        bits of a tag carried with each sample (e.g. its channel or a strobe), >= 1.
//   Ports (all synchronous to the rising edge of aclk)
//     aresetn      synchronous active-low reset: clears the valid pipeline only.
//     en           advance enable: when 0 nothing moves (stall), in lock-step with the
//                  caller's pipeline; tie to 1 for a free-running pipe.
//     in_valid, acc, scale, bias, shift   one sample, taken in a clock with en = 1 (shift
//                  0..40; larger values behave as their arithmetic shift).
//     in_tag       the sample's tag; out_tag leaves with y. Tags are reset to 0 (so a tag
//                  that is 0 for invalid samples can serve as a write strobe downstream).
//     out_valid, y, out_tag  the result, STAGES clocks with en = 1 after its sample; registers.
//   Throughput one sample per clock. Storage: the step registers (1 + SPLIT words of about
//   ACC_W + 16 bits at most, OUT_W + 2 bits after S), the valid bits, and with PARAMS_HELD = 0
//   the carried bias (as bias + rounding, the sum's width) and shift. (With DSP_W the P
//   register holds one word per partial product.)

`resetall
`timescale 1ns / 1ps
`default_nettype none

module sf_requant_pipe #(
    parameter integer ACC_W       = 24,  // accumulator bits (signed)
    parameter integer OUT_W       = 8,   // 8 or 16
    parameter integer RELU        = 1,   // 1: clamp below at 0
    parameter integer SPLIT       = 2,   // scale pieces: 1, 2 or 4
    parameter integer DSP_W       = 0,   // 0, or the DSP multiplier's signed operand bits
    parameter integer STAGES      = 3,   // registers, 1..4
    parameter integer PARAMS_HELD = 0,   // 1: scale/bias/shift stable while in flight
    parameter integer TAG_W       = 1    // tag bits carried with each sample
) (
    input  wire             aclk,
    input  wire             aresetn,
    input  wire             en,
    input  wire             in_valid,
    input  wire [ACC_W-1:0] acc,
    input  wire [15:0]      scale,
    input  wire [31:0]      bias,
    input  wire [5:0]       shift,
    input  wire [TAG_W-1:0] in_tag,
    output wire             out_valid,
    output wire [OUT_W-1:0] y,
    output wire [TAG_W-1:0] out_tag
);

    // Parameter check (CONTRACT): an illegal instance stops at time 0 in simulation;
    // synthesis tools define SYNTHESIS and skip it.
`ifndef SYNTHESIS
    initial begin
        if (!(ACC_W >= 2 && (OUT_W == 8 || (OUT_W == 16 && RELU == 0))
            && (RELU == 0 || RELU == 1) && (SPLIT == 1 || SPLIT == 2 || SPLIT == 4)
            && STAGES >= 1 && STAGES <= 4 && PARAMS_HELD >= 0 && PARAMS_HELD <= 3
            && TAG_W >= 1 && (DSP_W == 0 || (DSP_W > 1 && 16 / SPLIT + 1 <= DSP_W)))) begin
            $display("%m: sf_requant_pipe parameters outside its CONTRACT:");
            $display("  ACC_W=%0d OUT_W=%0d RELU=%0d SPLIT=%0d", ACC_W, OUT_W, RELU, SPLIT);
            $display("  STAGES=%0d PARAMS_HELD=%0d TAG_W=%0d DSP_W=%0d", STAGES, PARAMS_HELD,
                     TAG_W, DSP_W);
            $finish;
        end
    end
`endif

    localparam integer PW = 16 / SPLIT;                        // bits per scale piece
    // accumulator pieces: NA - 1 unsigned ones of AU bits from the bottom, then the signed
    // rest of at most DSP_W bits (NA = 1: the whole accumulator)
    localparam integer AU = (DSP_W > 1) ? DSP_W - 1 : ACC_W;
    localparam integer NA = (DSP_W > 1 && ACC_W > DSP_W)
                            ? 1 + (ACC_W - DSP_W + AU - 1) / AU : 1;
    localparam integer AP_W = (NA > 1) ? DSP_W : ACC_W;        // one piece, signed
    localparam integer NT = NA * SPLIT;                        // partial products
    localparam integer PP_W = AP_W + PW + 1;                   // one partial product
    localparam integer PROD_W = ACC_W + 16;
    localparam integer SUM_W = (PROD_W > 41 ? PROD_W : 41) + 1;
    localparam signed [SUM_W-1:0] HI = (1 <<< (OUT_W - 1)) - 1;
    localparam signed [SUM_W-1:0] LO = (RELU != 0) ? 0 : -(1 <<< (OUT_W - 1));
    // a register after step k (P = 0, A = 1, S = 2) when STAGES says so; C always ends in y
    localparam integer REG_P = (STAGES >= 2) ? 1 : 0;
    localparam integer REG_A = (STAGES >= 3) ? 1 : 0;
    localparam integer REG_S = (STAGES >= 4) ? 1 : 0;

    // ---------------------------------------------------------------- valid pipeline
    reg  [STAGES-1:0] v_q;
    wire [STAGES:0]   v_in = {v_q, in_valid};
    always @(posedge aclk) begin
        if (!aresetn) begin
            v_q <= {STAGES{1'b0}};
        end else if (en) begin
            v_q <= v_in[STAGES-1:0];
        end
    end
    assign out_valid = v_q[STAGES-1];
    wire unused_v = &{1'b0, v_in[STAGES], 1'b0};

    // tags travel beside the valid bits (control: reset)
    reg  [TAG_W*STAGES-1:0] tag_q;
    wire [TAG_W*(STAGES+1)-1:0] tag_in = {tag_q, in_tag};
    always @(posedge aclk) begin
        if (!aresetn) begin
            tag_q <= {(TAG_W*STAGES){1'b0}};
        end else if (en) begin
            tag_q <= tag_in[TAG_W*STAGES-1:0];
        end
    end
    assign out_tag = tag_q[TAG_W*(STAGES-1) +: TAG_W];
    wire unused_tag = &{1'b0, tag_in[TAG_W*STAGES +: TAG_W], 1'b0};

    // bias + 2^(shift-1) (0 for shift = 0) at the sum's width. The rounding term is a decode
    // of `shift` (bit i set when shift = i + 1), so no subtraction stands in front of the add
    // (on an FPGA `1 << (shift - 1)` was a second carry chain in series with it).
    // (argument names unique in the callers' scopes: Verilator's VARHIDDEN sees them there)
    function [SUM_W-1:0] bias_plus_rounding(input [31:0] rq_bias, input [5:0] rq_shift);
        reg [SUM_W-1:0] rq_rnd;
        integer rq_i;
        begin
            for (rq_i = 0; rq_i < SUM_W; rq_i = rq_i + 1)
                rq_rnd[rq_i] = ({26'd0, rq_shift} == rq_i + 1);
            bias_plus_rounding = { {(SUM_W-32){rq_bias[31]}}, rq_bias} + rq_rnd;
        end
    endfunction

    // ---------------------------------------------------------------- P: partial products
    // piece k of the scale: bits [k*PW +: PW], unsigned except the top one (signed); piece a
    // of the accumulator: bits [a*AU +: AU], unsigned except the top one (signed). Partial
    // product t = a*SPLIT + k weighs 2^(a*AU + k*PW).
    wire [PP_W*NT-1:0] pp;
    wire [ACC_W+AP_W-1:0] acc_x = { {(AP_W){acc[ACC_W-1]}}, acc};  // sign-extended
    wire unused_acc_x = &{1'b0, acc_x, 1'b0};  // the top piece reads part of it
    genvar k, a;
    generate
        for (a = 0; a < NA; a = a + 1) begin : g_pa
            wire signed [AP_W-1:0] apiece;
            if (NA == 1) begin : g_whole
                assign apiece = acc;
            end else if (a == NA - 1) begin : g_top
                assign apiece = acc_x[a*AU +: AP_W];
            end else begin : g_low
                assign apiece = {1'b0, acc[a*AU +: AU]};
            end
            for (k = 0; k < SPLIT; k = k + 1) begin : g_pp
                wire signed [PW:0] piece = (k == SPLIT - 1)
                    ? $signed({scale[k*PW+PW-1], scale[k*PW +: PW]})
                    : $signed({1'b0, scale[k*PW +: PW]});
                wire signed [PP_W-1:0] a_ext = { {(PW+1){apiece[AP_W-1]}}, apiece};
                wire signed [PP_W-1:0] p_ext = { {(AP_W){piece[PW]}}, piece};
                assign pp[PP_W*(a*SPLIT+k) +: PP_W] = a_ext * p_ext;
            end
        end
    endgenerate

    // A's constant part, bias + rounding, and the shift of the sample at each step. A
    // carried bias is registered after P anyway, so bias + rounding is formed there, beside
    // the multiplier, and step A adds only the partial products to it; a held bias (or
    // STAGES = 1) is added in A.
    wire [SUM_W-1:0] base_a;
    wire [5:0]  shift_a, shift_s;
    wire [PP_W*NT-1:0] pp_a;
    generate
        if (REG_P != 0) begin : g_rp
            reg [PP_W*NT-1:0] pp_q;
            always @(posedge aclk) begin
                if (en) pp_q <= pp;
            end
            assign pp_a = pp_q;
        end else begin : g_wp
            assign pp_a = pp;
        end
        if (PARAMS_HELD % 2 != 0 || REG_P == 0) begin : g_bias_held
            assign base_a = bias_plus_rounding(bias, shift_a);
        end else begin : g_bias_carry
            reg [SUM_W-1:0] base_q;
            always @(posedge aclk) begin
                if (en) base_q <= bias_plus_rounding(bias, shift);
            end
            assign base_a = base_q;
            wire unused_shift_a = &{1'b0, shift_a, 1'b0};
        end
        if (PARAMS_HELD / 2 % 2 != 0) begin : g_shift_held
            assign shift_a = shift;
            assign shift_s = shift;
        end else begin : g_shift_carry
            wire [5:0] shift_p;
            if (REG_P != 0) begin : g_r1
                reg [5:0] shift_q;
                always @(posedge aclk) begin
                    if (en) shift_q <= shift;
                end
                assign shift_p = shift_q;
            end else begin : g_w1
                assign shift_p = shift;
            end
            if (REG_A != 0) begin : g_r2
                reg [5:0] shift_q;
                always @(posedge aclk) begin
                    if (en) shift_q <= shift_p;
                end
                assign shift_s = shift_q;
            end else begin : g_w2
                assign shift_s = shift_p;
            end
            assign shift_a = shift_p;
        end
    endgenerate

    // ---------------------------------------------------------------- A: sum, bias, rounding
    reg signed [SUM_W-1:0] sum;
    integer n;
    always @(*) begin
        sum = base_a;
        for (n = 0; n < NT; n = n + 1) begin
            sum = sum + ($signed({ {(SUM_W-PP_W){pp_a[PP_W*n+PP_W-1]}}, pp_a[PP_W*n +: PP_W]})
                         <<< ((n / SPLIT) * AU + (n % SPLIT) * PW));
        end
    end
    wire [SUM_W-1:0] sum_s;
    generate
        if (REG_A != 0) begin : g_ra
            reg [SUM_W-1:0] sum_q;
            always @(posedge aclk) begin
                if (en) sum_q <= sum;
            end
            assign sum_s = sum_q;
        end else begin : g_wa
            assign sum_s = sum;
        end
    endgenerate

    // ---------------------------------------------------------------- S: floor shift
    // Only OUT_W bits of the shifted sum survive the clamp, so step S forms those bits and,
    // beside them, whether the shifted value leaves [LO, HI]: it does when a bit of the sum
    // at or above position shift + OUT_W - 1 differs from the sign (a masked OR, no
    // full-width shift and compare in one path). With RELU every negative sum clamps to 0.
    wire sign_s = sum_s[SUM_W-1];
    wire signed [SUM_W-1:0] shifted = $signed(sum_s) >>> shift_s;
    // bits at or above shift + OUT_W - 1: a shifted constant (decoder logic, no adder)
    wire [SUM_W-1:0] high = ({SUM_W{1'b1}} << (OUT_W - 1)) << shift_s;
    wire outside = |((sum_s ^ {SUM_W{sign_s}}) & high);
    wire over_s = outside && !sign_s;
    wire under_s = (RELU != 0) ? sign_s : (outside && sign_s);
    wire [OUT_W+1:0] s_out = {over_s, under_s, shifted[OUT_W-1:0]};
    wire [OUT_W+1:0] c_in;
    generate
        if (REG_S != 0) begin : g_rs
            reg [OUT_W+1:0] sh_q;
            always @(posedge aclk) begin
                if (en) sh_q <= s_out;
            end
            assign c_in = sh_q;
        end else begin : g_ws
            assign c_in = s_out;
        end
    endgenerate
    wire unused_shifted = &{1'b0, shifted[SUM_W-1:OUT_W], 1'b0};

    // ---------------------------------------------------------------- C: clamp into y
    reg [OUT_W-1:0] y_q;
    always @(posedge aclk) begin
        if (en) begin
            if (c_in[OUT_W+1]) y_q <= HI[OUT_W-1:0];
            else if (c_in[OUT_W]) y_q <= LO[OUT_W-1:0];
            else y_q <= c_in[OUT_W-1:0];
        end
    end
    assign y = y_q;

endmodule

`resetall
`default_nettype wire
