// sf_fanout: N registered copies of a control word, one flip-flop per copy and bit
// (semifreddo primitive).
//
// CONTRACT
//   Parameters  N copies (>= 1), W bits per copy (>= 1), RESET the value of every copy after
//               reset.
//   Behaviour   q[k*W +: W] is d delayed by one clock, for every copy k; aresetn (synchronous,
//               active low) sets every copy to RESET.
//   Why         a control bit that selects or enables a wide register (a strobe, a mux select)
//               must not come from one flip-flop with hundreds of loads: the copies share the
//               loads. Yosys merges flip-flops whose inputs are identical before technology
//               mapping; each bit of a copy is written only when it differs from d
//               (`if (q[b] != d[b])`), so its enable reads its own output and the copies stay
//               separate cells. The enable is one XOR per bit (a whole-copy compare put a
//               W-bit comparator and the enable's fanout into the path from d: 15 ns on an
//               ECP5 for a 14-bit window select). The function is exactly q <= d.
//   Latency 1 clock. Storage N*W flip-flops.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module sf_fanout #(
    parameter integer N = 2,                  // copies
    parameter integer W = 1,                  // bits per copy
    parameter [W-1:0] RESET = {W{1'b0}}       // value after reset
) (
    input  wire           aclk,
    input  wire           aresetn,
    input  wire [W-1:0]   d,
    output wire [N*W-1:0] q
);

    // Parameter check (CONTRACT): an illegal instance stops at time 0 in simulation;
    // synthesis tools define SYNTHESIS and skip it.
`ifndef SYNTHESIS
    initial begin
        if (!(N >= 1 && W >= 1)) begin
            $display("%m: sf_fanout parameters outside its CONTRACT:");
            $display("  N=%0d W=%0d", N, W);
            $finish;
        end
    end
`endif

    genvar k;
    generate
        for (k = 0; k < N; k = k + 1) begin : g_copy
            reg [W-1:0] q_q;
            genvar b;
            for (b = 0; b < W; b = b + 1) begin : g_bit
                always @(posedge aclk) begin
                    if (!aresetn) q_q[b] <= RESET[b];
                    else if (q_q[b] != d[b]) q_q[b] <= d[b];
                end
            end
            assign q[k*W +: W] = q_q;
        end
    endgenerate

endmodule

`resetall
`default_nettype wire
