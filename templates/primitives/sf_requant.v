// sf_requant: programmable requantization of CH channels (semifreddo primitive).
//
// CONTRACT (SPEC §2)
//   y[c] = clamp((acc[c] * scale[c] + bias[c] + rnd) >>> shift, LO, HI), rnd = 2^(shift-1)
//   (0 when shift = 0), `>>>` an arithmetic shift (floor). LO/HI: OUT_W = 8 gives -128..127
//   (0..127 with RELU = 1), OUT_W = 16 gives -32768..32767 (requant16, RELU must be 0).
//   Parameters  CH channels, ACC_W accumulator bits (signed), RELU 0/1, OUT_W 8 or 16.
//   Ports       acc packed CH x ACC_W, scale CH x 16 (signed), bias CH x 32 (signed),
//               shift 6 bits (0..40; larger values behave as their arithmetic shift).
//   Latency     2 clocks of en = 1 (product register, result register). No valid here: the
//               caller's pipeline carries valid beside it (sf_delay).
//   Exactness   the product has ACC_W + 16 bits, the sum max(ACC_W + 16, 41) + 1 bits: no
//               overflow for any input. Datapath only, no reset.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module sf_requant #(
    parameter integer CH    = 1,   // channels
    parameter integer ACC_W = 24,  // accumulator width (signed)
    parameter integer RELU  = 1,   // 1: clamp below at 0
    parameter integer OUT_W = 8    // 8 (int8) or 16 (int16) outputs
) (
    input  wire                  aclk,
    input  wire                  en,
    input  wire [CH*ACC_W-1:0]   acc,
    input  wire [CH*16-1:0]      scale,
    input  wire [CH*32-1:0]      bias,
    input  wire [5:0]            shift,
    output wire [CH*OUT_W-1:0]   y
);

    // Parameter check (CONTRACT): an illegal instance stops at time 0 in simulation;
    // synthesis tools define SYNTHESIS and skip it.
`ifndef SYNTHESIS
    initial begin
        if (!(CH >= 1 && ACC_W >= 1 && (RELU == 0 || RELU == 1)
            && (OUT_W == 8 || (OUT_W == 16 && RELU == 0)))) begin
            $display("%m: sf_requant parameters outside its CONTRACT:");
            $display("  CH=%0d ACC_W=%0d RELU=%0d OUT_W=%0d", CH, ACC_W, RELU, OUT_W);
            $finish;
        end
    end
`endif

    localparam integer PROD_W = ACC_W + 16;
    localparam integer SUM_W = (PROD_W > 41 ? PROD_W : 41) + 1;
    localparam signed [SUM_W-1:0] HI = (1 <<< (OUT_W - 1)) - 1;
    localparam signed [SUM_W-1:0] LO = (RELU != 0) ? 0 : -(1 <<< (OUT_W - 1));

    // Rounding term: 2^(shift-1), 0 for shift 0.
    wire [SUM_W-1:0] one = { {(SUM_W-1){1'b0}}, 1'b1};
    wire [SUM_W-1:0] rnd = (shift == 6'd0) ? {SUM_W{1'b0}} : (one << (shift - 6'd1));

    genvar c;
    generate
        for (c = 0; c < CH; c = c + 1) begin : g_ch
            wire signed [PROD_W-1:0] a = { {16{acc[c*ACC_W+ACC_W-1]}}, acc[c*ACC_W +: ACC_W]};
            wire signed [PROD_W-1:0] m = { {ACC_W{scale[c*16+15]}}, scale[c*16 +: 16]};
            reg signed [PROD_W-1:0] prod_q;
            always @(posedge aclk) begin
                if (en) prod_q <= a * m;
            end
            wire signed [SUM_W-1:0] sum = { {(SUM_W-PROD_W){prod_q[PROD_W-1]}}, prod_q}
                                        + { {(SUM_W-32){bias[c*32+31]}}, bias[c*32 +: 32]}
                                        + $signed(rnd);
            wire signed [SUM_W-1:0] shifted = sum >>> shift;
            reg [OUT_W-1:0] y_q;
            always @(posedge aclk) begin
                if (en) begin
                    if (shifted > HI) y_q <= HI[OUT_W-1:0];
                    else if (shifted < LO) y_q <= LO[OUT_W-1:0];
                    else y_q <= shifted[OUT_W-1:0];
                end
            end
            assign y[c*OUT_W +: OUT_W] = y_q;
        end
    endgenerate

endmodule

`resetall
`default_nettype wire
