// sf_requant_pipe: one pipelined requantization unit (semifreddo primitive).
//
// CONTRACT (SPEC §2)
//   y = clamp((acc * scale + bias + rnd) >>> shift, LO, HI), rnd = 2^(shift-1) (0 for shift 0),
//   `>>>` a floor shift; LO/HI = -128..127 (0..127 with RELU = 1) for OUT_W = 8,
//   -32768..32767 for OUT_W = 16 (RELU must be 0).
//   Parameters  ACC_W accumulator bits (signed, >= 2), RELU 0/1, OUT_W 8 or 16.
//   Ports       in_valid with acc, scale (int16), bias (int32), shift (0..40) sampled together;
//               out_valid and y LATENCY = 3 clocks later (product, sum, shift/clamp registers).
//               One sample per clock; no stall input (callers schedule around the latency).
//   Exactness   product ACC_W + 16 bits, sum max(ACC_W + 16, 41) + 1 bits: no overflow.
//   Reset       aresetn (synchronous, active low) clears the valid pipeline only.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module sf_requant_pipe #(
    parameter integer ACC_W = 20,  // accumulator width (signed)
    parameter integer RELU  = 1,   // 1: clamp below at 0
    parameter integer OUT_W = 8    // 8 (int8) or 16 (int16) outputs
) (
    input  wire             aclk,
    input  wire             aresetn,
    input  wire             in_valid,
    input  wire [ACC_W-1:0] acc,
    input  wire [15:0]      scale,
    input  wire [31:0]      bias,
    input  wire [5:0]       shift,
    output wire             out_valid,
    output wire [OUT_W-1:0] y
);

    localparam integer PROD_W = ACC_W + 16;
    localparam integer SUM_W = (PROD_W > 41 ? PROD_W : 41) + 1;
    localparam signed [SUM_W-1:0] HI = (1 <<< (OUT_W - 1)) - 1;
    localparam signed [SUM_W-1:0] LO = (RELU != 0) ? 0 : -(1 <<< (OUT_W - 1));
    localparam [SUM_W-1:0] ONE = 1;

    // Elaboration-time parameter checks (ignored by synthesis).
`ifndef SYNTHESIS
    initial begin
        if (!(ACC_W >= 2 && (RELU == 0 || RELU == 1) && (OUT_W == 8 || OUT_W == 16) &&
              !(OUT_W == 16 && RELU != 0))) begin
            $display("%m: sf_requant_pipe parameters outside its CONTRACT:");
            $display("  ACC_W=%0d RELU=%0d OUT_W=%0d", ACC_W, RELU, OUT_W);
            $finish;
        end
    end
`endif

    reg [2:0] v_q;
    always @(posedge aclk) begin
        if (!aresetn) v_q <= 3'b000;
        else v_q <= {v_q[1:0], in_valid};
    end
    assign out_valid = v_q[2];

    // stage 1: product, bias and shift
    reg signed [PROD_W-1:0] prod_q;
    reg signed [31:0] bias_q;
    reg [5:0] shift_q;
    always @(posedge aclk) begin
        prod_q  <= $signed(acc) * $signed(scale);
        bias_q  <= $signed(bias);
        shift_q <= shift;
    end

    // stage 2: + bias + rounding term
    wire [SUM_W-1:0] rnd = (shift_q == 6'd0) ? {SUM_W{1'b0}} : (ONE << (shift_q - 6'd1));
    reg signed [SUM_W-1:0] sum_q;
    reg [5:0] shift2_q;
    always @(posedge aclk) begin
        sum_q <= { {(SUM_W - PROD_W){prod_q[PROD_W-1]}}, prod_q} +
                 { {(SUM_W - 32){bias_q[31]}}, bias_q} + $signed(rnd);
        shift2_q <= shift_q;
    end

    // stage 3: floor shift and clamp
    wire signed [SUM_W-1:0] shifted = sum_q >>> shift2_q;
    reg [OUT_W-1:0] y_q;
    always @(posedge aclk) begin
        if (shifted > HI) y_q <= HI[OUT_W-1:0];
        else if (shifted < LO) y_q <= LO[OUT_W-1:0];
        else y_q <= shifted[OUT_W-1:0];
    end
    assign y = y_q;

endmodule

`resetall
`default_nettype wire
