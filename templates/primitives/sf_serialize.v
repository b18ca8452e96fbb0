// sf_serialize: one vector of N values in, N beats out (semifreddo primitive).
//
// CONTRACT
//   Parameters
//     N   values per vector, >= 1.      W   bits per value, >= 1.
//   Function  an accepted vector s_data (value n at s_data[W*n +: W]) leaves as N beats,
//     value 0 first. m_first is high on beat 0 of a vector accepted with s_first = 1; m_last
//     is high on beat N-1 of a vector accepted with s_last = 1 (frame markers of the values).
//   Ports (all synchronous to the rising edge of aclk)
//     aresetn   synchronous active-low reset: clears the occupancy (data not reset).
//     s_*       vector stream (AXI4-Stream); s_ready is high when the register is empty or
//               its last beat leaves in this clock (depends combinationally on m_ready).
//     m_*       value stream (AXI4-Stream).
//   Latency 1 clock. Throughput one beat per clock: a vector every N clocks, back to back.
//   Storage one vector register (W*N bits), a beat counter, two flags.
// Both sides obey AXI4-Stream: valid never depends on ready, data held while valid && !ready.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module sf_serialize #(
    parameter integer N = 4,   // values per vector
    parameter integer W = 16   // bits per value
) (
    input  wire           aclk,
    input  wire           aresetn,
    input  wire [W*N-1:0] s_data,
    input  wire           s_first,
    input  wire           s_last,
    input  wire           s_valid,
    output wire           s_ready,
    output wire [W-1:0]   m_data,
    output wire           m_first,
    output wire           m_last,
    output wire           m_valid,
    input  wire           m_ready
);

    // Parameter check (CONTRACT): an illegal instance stops at time 0 in simulation;
    // synthesis tools define SYNTHESIS and skip it.
`ifndef SYNTHESIS
    initial begin
        if (!(N >= 1 && W >= 1)) begin
            $display("%m: sf_serialize parameters outside its CONTRACT:");
            $display("  N=%0d W=%0d", N, W);
            $finish;
        end
    end
`endif

    localparam integer CW = (N > 1) ? $clog2(N) : 1;
    localparam [31:0] N_M1 = N - 1;
    localparam [CW-1:0] LAST_BEAT = N_M1[CW-1:0];

    reg [W*N-1:0] vec_q;
    reg [CW-1:0]  beat_q;
    reg           full_q, first_q, last_q;

    wire last_beat = beat_q == LAST_BEAT;
    wire leaving = full_q && m_ready && last_beat;
    assign s_ready = !full_q || leaving;

    always @(posedge aclk) begin
        if (!aresetn) begin
            full_q <= 1'b0;
            beat_q <= {CW{1'b0}};
        end else if (s_valid && s_ready) begin
            full_q <= 1'b1;
            beat_q <= {CW{1'b0}};
        end else if (full_q && m_ready) begin
            full_q <= !last_beat;
            beat_q <= last_beat ? {CW{1'b0}} : beat_q + 1'b1;
        end
    end
    always @(posedge aclk) begin
        if (s_valid && s_ready) begin
            vec_q   <= s_data;
            first_q <= s_first;
            last_q  <= s_last;
        end
    end

    assign m_data  = vec_q[W*beat_q +: W];
    assign m_first = first_q && beat_q == {CW{1'b0}};
    assign m_last  = last_q && last_beat;
    assign m_valid = full_q;

endmodule

`resetall
`default_nettype wire
