// sf_pwl: piecewise-linear activation of an int16 stream (semifreddo primitive, SPEC §2).
//
// CONTRACT
//   Parameters
//     K_MAX   segments the hardware holds, >= 1.
//     SIDE_W  sideband bits carried unchanged with each value, >= 1.
//     KW      bits of `segments`; derived, do not override.
//   Function (per value z, segments in use K = `segments`, 1..K_MAX)
//     k   = max{k < K : z >= x_k}   (0 when no segment start is <= z)
//     out = clamp16(y_k + (((z - x_k) * g_k + 128) >>> 8))
//     with x_k, y_k, g_k the int16 fields k of seg_x, seg_y, seg_g (field k at [16k +: 16]);
//     `>>>` is a floor shift. This is the golden model's formula for any register contents,
//     sorted or not. segments = 0 behaves as 1; values above K_MAX as K_MAX.
//   Ports (all synchronous to the rising edge of aclk)
//     aresetn   synchronous active-low reset: clears the stage valids (data not reset).
//     s_data/s_side/s_valid/s_ready   input stream, one int16 value per beat.
//     m_data/m_side/m_valid/m_ready   output stream.
//     seg_x/seg_y/seg_g/segments      configuration registers; hold them stable while values
//                                     are in flight.
//   Pipeline  2 register stages (segment select; multiply, round, clamp) under one advance
//     enable en = !m_valid || m_ready; s_ready = en (depends combinationally on m_ready).
//   Latency 2 clocks. Throughput one value per clock.
//   Storage 2 x (16 + SIDE_W) bits + the selected segment (48 bits) + 2 valids.
// Both sides obey AXI4-Stream: valid never depends on ready, data held while valid && !ready.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module sf_pwl #(
    parameter integer K_MAX  = 8,  // segments held
    parameter integer SIDE_W = 1,  // sideband bits
    parameter integer KW     = $clog2(K_MAX + 1)  // derived: bits of `segments`
) (
    input  wire                aclk,
    input  wire                aresetn,
    input  wire [15:0]         s_data,
    input  wire [SIDE_W-1:0]   s_side,
    input  wire                s_valid,
    output wire                s_ready,
    output wire [15:0]         m_data,
    output wire [SIDE_W-1:0]   m_side,
    output wire                m_valid,
    input  wire                m_ready,
    input  wire [16*K_MAX-1:0] seg_x,
    input  wire [16*K_MAX-1:0] seg_y,
    input  wire [16*K_MAX-1:0] seg_g,
    input  wire [KW-1:0]       segments
);

    // Parameter check (CONTRACT): an illegal instance stops at time 0 in simulation;
    // synthesis tools define SYNTHESIS and skip it.
`ifndef SYNTHESIS
    initial begin
        if (!(K_MAX >= 1 && SIDE_W >= 1)) begin
            $display("%m: sf_pwl parameters outside its CONTRACT:");
            $display("  K_MAX=%0d SIDE_W=%0d", K_MAX, SIDE_W);
            $finish;
        end
    end
`endif

    wire en = !m_valid || m_ready;
    assign s_ready = en;

    // ---- stage 1: segment select (the last segment in use whose start is <= z)
    reg [KW-1:0] sel;
    integer k;
    always @(*) begin
        sel = {KW{1'b0}};
        for (k = 1; k < K_MAX; k = k + 1) begin
            if (k < segments && $signed(s_data) >= $signed(seg_x[16*k +: 16])) begin
                sel = k[KW-1:0];
            end
        end
    end

    reg               v1_q;
    reg signed [15:0] z1_q, x1_q, y1_q, g1_q;
    reg [SIDE_W-1:0]  side1_q;
    always @(posedge aclk) begin
        if (!aresetn) begin
            v1_q <= 1'b0;
        end else if (en) begin
            v1_q <= s_valid;
        end
    end
    always @(posedge aclk) begin
        if (en && s_valid) begin
            z1_q    <= s_data;
            x1_q    <= seg_x[16*sel +: 16];
            y1_q    <= seg_y[16*sel +: 16];
            g1_q    <= seg_g[16*sel +: 16];
            side1_q <= s_side;
        end
    end

    // ---- stage 2: y + ((z - x) * g + 128) >>> 8, clamped to int16
    wire signed [16:0] dz = {z1_q[15], z1_q} - {x1_q[15], x1_q};
    wire signed [16:0] g17 = {g1_q[15], g1_q};
    wire signed [32:0] prod = dz * g17;
    wire signed [32:0] rounded = (prod + 33'sd128) >>> 8;
    wire signed [33:0] v = $signed({rounded[32], rounded}) + $signed({ {18{y1_q[15]}}, y1_q});
    wire signed [33:0] hi = 34'sd32767;
    wire signed [33:0] lo = -34'sd32768;

    reg              v2_q;
    reg [15:0]       out_q;
    reg [SIDE_W-1:0] side2_q;
    always @(posedge aclk) begin
        if (!aresetn) begin
            v2_q <= 1'b0;
        end else if (en) begin
            v2_q <= v1_q;
        end
    end
    always @(posedge aclk) begin
        if (en && v1_q) begin
            out_q   <= (v > hi) ? 16'h7fff : (v < lo) ? 16'h8000 : v[15:0];
            side2_q <= side1_q;
        end
    end

    assign m_data  = out_q;
    assign m_side  = side2_q;
    assign m_valid = v2_q;

endmodule

`resetall
`default_nettype wire
