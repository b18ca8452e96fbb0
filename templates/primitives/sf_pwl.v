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
//   Pipeline  an input register slice (sf_skid_buffer: s_ready is a register), then 5 stages
//     (compare z with the segment starts; select the segment; z - x; multiply; one add with
//     the rounding, clamp) under one advance enable en = !m_valid || m_ready. Every output
//     is a register; no stage has more than one carry chain or the multiplier.
//   Latency 6 clocks (input handshake to m_valid). Throughput one value per clock.
//   Storage 2 x (16 + SIDE_W) (slice) + 5 x SIDE_W + K_MAX compare bits + about 150 data
//     bits + valids. Depends on sf_skid_buffer.v and sf_delay.v.
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

    // ---- input slice: s_ready is a register
    wire [15:0]       z0;
    wire [SIDE_W-1:0] side0;
    wire              v0;
    sf_skid_buffer #(.WIDTH(16 + SIDE_W)) u_in (
        .aclk(aclk), .aresetn(aresetn),
        .s_data({s_side, s_data}), .s_valid(s_valid), .s_ready(s_ready),
        .m_data({side0, z0}), .m_valid(v0), .m_ready(en)
    );

    // ---- stage 1: compare z with every segment start in use
    reg [K_MAX-1:0] ge1_q;
    integer k;
    always @(posedge aclk) begin
        if (en) begin
            ge1_q[0] <= 1'b0;
            for (k = 1; k < K_MAX; k = k + 1) begin
                ge1_q[k] <= (k < segments) && ($signed(z0) >= $signed(seg_x[16*k +: 16]));
            end
        end
    end

    // ---- stage 2: select the last segment whose start is <= z (0 if none)
    reg [KW-1:0] sel;
    always @(*) begin
        sel = {KW{1'b0}};
        for (k = 1; k < K_MAX; k = k + 1) begin
            if (ge1_q[k]) sel = k[KW-1:0];
        end
    end

    // valid and sideband ride beside the five stages
    wire              v5;
    wire [SIDE_W-1:0] side5;
    sf_delay #(.WIDTH(1), .DEPTH(5), .RESET(1)) u_valid (
        .aclk(aclk), .aresetn(aresetn), .en(en), .d(v0), .q(v5)
    );
    sf_delay #(.WIDTH(SIDE_W), .DEPTH(5), .RESET(0)) u_side (
        .aclk(aclk), .aresetn(aresetn), .en(en), .d(side0), .q(side5)
    );

    reg signed [15:0] z1_q, z2_q, x2_q, y2_q, g2_q, y3_q, g3_q, y4_q;
    reg signed [16:0] dz3_q;
    reg signed [32:0] prod4_q;
    reg [15:0]        out_q;

    // ---- stage 5: y + ((z - x) * g + 128) >>> 8, clamped to int16. Since 256 * y is a
    // multiple of 256, that is (p + 256 * y + 128) >>> 8: one adder, then the clamp reads
    // the top bits of its sum (no second add and no wide compare in this clock).
    wire signed [33:0] t = $signed({prod4_q[32], prod4_q})
                         + $signed({ {10{y4_q[15]}}, y4_q, 8'h80});
    wire sat_hi = !t[33] && (t[32:23] != 10'h000);  // t >>> 8 > 32767
    wire sat_lo = t[33] && (t[32:23] != 10'h3ff);   // t >>> 8 < -32768
    wire unused_t = &{1'b0, t[7:0], 1'b0};

    // datapath, not reset
    always @(posedge aclk) begin
        if (en) begin
            z1_q    <= z0;                                      // 1: compare
            z2_q    <= z1_q;                                    // 2: select
            x2_q    <= seg_x[16*sel +: 16];
            y2_q    <= seg_y[16*sel +: 16];
            g2_q    <= seg_g[16*sel +: 16];
            dz3_q   <= {z2_q[15], z2_q} - {x2_q[15], x2_q};    // 3: z - x
            y3_q    <= y2_q;
            g3_q    <= g2_q;
            prod4_q <= dz3_q * $signed({g3_q[15], g3_q});       // 4: multiply
            y4_q    <= y3_q;
            out_q   <= sat_hi ? 16'h7fff : sat_lo ? 16'h8000 : t[23:8];  // 5: add, clamp
        end
    end

    assign m_data  = out_q;
    assign m_side  = side5;
    assign m_valid = v5;

endmodule

`resetall
`default_nettype wire
