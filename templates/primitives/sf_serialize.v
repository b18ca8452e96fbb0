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
//     s_*       vector stream (AXI4-Stream); s_ready is a register: high when at most one
//               beat will be left in the next clock, so a vector is taken while the previous
//               one's last beat is still waiting.
//     m_*       value stream (AXI4-Stream); registers.
//   Latency 1 clock. Throughput one beat per clock: a vector every N clocks, back to back.
//   Storage N+1 beats of W+2 bits (beat 0 is the output register), a count, and copies of the
//   control flops (sf_fanout) so that none drives more than FO = 48 loads.
//   Depends on sf_fanout.v.
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

    localparam integer FO = 48;
    localparam integer EW = W + 2;                      // a beat: {last, first, value}
    localparam integer CW = $clog2(N + 2);
    localparam integer NGE = (EW + FO - 1) / FO;        // groups of FO bits per beat
    localparam integer NC = (N + 1) * NGE;              // a control copy per group
    localparam [31:0] N_I = N;

    reg  [CW-1:0]      cnt_q;                          // beats held, 0..N+1
    wire [3*NC-1:0]    ctl_c;                          // copies of {one beat, m_valid, s_ready}
    wire               rdy = ctl_c[0];
    wire               mv = ctl_c[1];
    wire               load = s_valid && rdy;
    wire               pop = mv && m_ready;
    wire [CW-1:0]      cnt_d = cnt_q - { {(CW-1){1'b0}}, pop} + (load ? N_I[CW-1:0] : {CW{1'b0}});
    sf_fanout #(.N(NC), .W(3)) u_ctl (
        .aclk(aclk), .aresetn(aresetn),
        .d({cnt_d == { {(CW-1){1'b0}}, 1'b1}, cnt_d != {CW{1'b0}}, cnt_d <= 1}), .q(ctl_c)
    );
    always @(posedge aclk) begin
        if (!aresetn) cnt_q <= {CW{1'b0}};
        else cnt_q <= cnt_d;
    end
    assign s_ready = rdy;

    // A vector enters at beat position cap = the beats left after this clock's pop (0 or 1,
    // since s_ready means at most one is left): entry i takes beat i - cap of s_data.
    wire [EW*(N+1)-1:0] e;
    genvar i, b;
    generate
        for (i = 0; i <= N; i = i + 1) begin : g_entry
            wire [EW-1:0] in0;   // beat i of the vector (cap = 0)
            wire [EW-1:0] in1;   // beat i - 1 (cap = 1)
            wire [EW-1:0] nx;    // the next entry (a pop shifts towards entry 0)
            if (i < N) begin : g_in0
                assign in0 = {s_last && (i == N - 1), s_first && (i == 0), s_data[W*i +: W]};
            end else begin : g_no0
                assign in0 = {EW{1'b0}};
            end
            if (i >= 1) begin : g_in1
                assign in1 = {s_last && (i == N), s_first && (i == 1), s_data[W*(i-1) +: W]};
            end else begin : g_no1
                assign in1 = {EW{1'b0}};
            end
            if (i < N) begin : g_nx
                assign nx = e[EW*(i+1) +: EW];
            end else begin : g_nonx
                assign nx = e[EW*i +: EW];
            end
            for (b = 0; b < NGE; b = b + 1) begin : g_grp
                localparam integer LO = FO * b;
                localparam integer WK = (EW - LO < FO) ? EW - LO : FO;
                localparam integer C = (i * NGE + b) % NC;
                wire ld = s_valid && ctl_c[3*C];
                wire pp = ctl_c[3*C+1] && m_ready;
                wire cap1 = ctl_c[3*C+2] && !pp;
                reg  [WK-1:0] q;
                always @(posedge aclk) begin
                    if (ld && !cap1 && i < N) q <= in0[LO +: WK];
                    else if (ld && cap1 && i >= 1) q <= in1[LO +: WK];
                    else if (pp) q <= nx[LO +: WK];
                end
                assign e[EW*i + LO +: WK] = q;
            end
        end
    endgenerate

    assign m_data  = e[W-1:0];
    assign m_first = e[W];
    assign m_last  = e[W+1];
    assign m_valid = mv;

endmodule

`resetall
`default_nettype wire
