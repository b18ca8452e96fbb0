// sf_fork: broadcast one stream to N consumers that take each beat independently (semifreddo
// primitive).
//
// CONTRACT
//   Parameters
//     N      consumers, >= 1.
//   Ports (all synchronous to the rising edge of aclk)
//     aresetn   synchronous active-low reset: clears the "taken" flags.
//     s_valid/s_ready   input handshake; the data bus is shared by all consumers and is
//                       not routed through this module (consumers read the source's data).
//     m_valid[i]/m_ready[i]   consumer i's handshake.
//   Behaviour  consumer i sees the beat (m_valid[i] = s_valid && !taken[i]) until it takes
//     it; the beat retires (s_ready = 1) in the clock where every consumer has taken it or
//     takes it now. A consumer that took the beat early waits for the others, so no consumer
//     sees a beat twice and none misses one. m_valid never depends on m_ready; s_ready
//     depends combinationally on every m_ready.
//   Latency 0 (combinational), throughput one beat per clock when all consumers are ready.
//   Storage N flags.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module sf_fork #(
    parameter integer N = 2  // consumers
) (
    input  wire         aclk,
    input  wire         aresetn,
    input  wire         s_valid,
    output wire         s_ready,
    output wire [N-1:0] m_valid,
    input  wire [N-1:0] m_ready
);

  // Parameter check (CONTRACT): an illegal instance stops at time 0 in simulation;
  // synthesis tools define SYNTHESIS and skip it.
`ifndef SYNTHESIS
  initial begin
    if (!(N >= 1)) begin
      $display("%m: sf_fork parameters outside its CONTRACT:");
      $display("  N=%0d", N);
      $finish;
    end
  end
`endif

  reg  [N-1:0] taken_q;
  wire [N-1:0] done = taken_q | m_ready;

  always @(posedge aclk) begin
    if (!aresetn) begin
      taken_q <= {N{1'b0}};
    end else if (s_valid) begin
      taken_q <= s_ready ? {N{1'b0}} : done;
    end
  end

  assign s_ready = &done;
  assign m_valid = {N{s_valid}} & ~taken_q;

endmodule

`resetall
`default_nettype wire
