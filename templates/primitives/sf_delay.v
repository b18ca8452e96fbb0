// sf_delay: clock-enabled delay line (semifreddo primitive).
//
// CONTRACT
//   Parameters  WIDTH bits, DEPTH clocks (0 = a plain wire), RESET = 1 clears the stages on
//               reset (use for valid and marker bits), 0 leaves them unreset (datapath).
//   Behaviour   q is d delayed by DEPTH clocks in which en = 1; when en = 0 nothing moves, so
//               it stays in lock-step with the clock-enabled pipelines it runs beside.
//   Latency     DEPTH clocks (of en = 1). Throughput one value per clock.
//   Reset       aresetn synchronous, active low; only with RESET = 1.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module sf_delay #(
    parameter integer WIDTH = 1,  // bits of d and q
    parameter integer DEPTH = 1,  // stages, >= 0
    parameter integer RESET = 0   // 1: stages reset to 0
) (
    input  wire             aclk,
    input  wire             aresetn,
    input  wire             en,
    input  wire [WIDTH-1:0] d,
    output wire [WIDTH-1:0] q
);

    // Parameter check (CONTRACT): an illegal instance stops at time 0 in simulation;
    // synthesis tools define SYNTHESIS and skip it.
`ifndef SYNTHESIS
    initial begin
        if (!(WIDTH >= 1 && DEPTH >= 0 && (RESET == 0 || RESET == 1))) begin
            $display("%m: sf_delay parameters outside its CONTRACT:");
            $display("  WIDTH=%0d DEPTH=%0d RESET=%0d", WIDTH, DEPTH, RESET);
            $finish;
        end
    end
`endif

    // One register per stage in a generate loop: a loop of non-blocking assignments over a
    // register array fails in some simulators once it exceeds their unroll limit.
    genvar i;
    generate
        if (DEPTH == 0) begin : g_wire
            assign q = d;
            wire unused_ok = &{1'b0, aclk, aresetn, en, 1'b0};
        end else begin : g_regs
            wire [WIDTH-1:0] chain [0:DEPTH];
            assign chain[0] = d;
            for (i = 0; i < DEPTH; i = i + 1) begin : g_stage
                reg [WIDTH-1:0] stage_q;
                always @(posedge aclk) begin
                    if (RESET != 0 && !aresetn) stage_q <= {WIDTH{1'b0}};
                    else if (en) stage_q <= chain[i];
                end
                assign chain[i+1] = stage_q;
            end
            assign q = chain[DEPTH];
            if (RESET == 0) begin : g_no_reset
                wire unused_ok = &{1'b0, aresetn, 1'b0};
            end
        end
    endgenerate

endmodule

`resetall
`default_nettype wire
