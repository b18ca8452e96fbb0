// sf_mac_engine: SRAM-backed, time-folded multiply-accumulate layer engine (semifreddo primitive).
//
// CONTRACT
//   Computes, for one input vector x of IN_N int8 values, OUT_N outputs
//     acc[o] = sum_{i < L} w[o][i] * x[idx(o, i)],  idx(o, i) = OFFSET + i*SI + o*SO + (o/GO)*SG
//     y[o]   = clamp((acc[o]*scale[o] + bias[o] + rnd) >>> shift, LO, HI)        (SPEC §2)
//   with rnd = 2^(shift-1) (0 for shift = 0), `>>>` a floor shift, LO/HI = -128..127 (0..127
//   with RELU = 1) for OUT_W = 8, -32768..32767 for OUT_W = 16 (requant16: RELU must be 0).
//   idx(o, i) must lie in 0..IN_N-1 for every o < OUT_N, i < L (the generator guarantees it;
//   the engine computes indices modulo 2^IW, so any in-range result is exact).
//   Parameters
//     IN_N, OUT_N, L        input bytes, outputs, products per output (all >= 1).
//     P                     lanes (outputs computed in parallel), 1..OUT_N sensible.
//     Q                     products per lane per clock, >= 1.
//     OFFSET, SI, SO, GO, SG  index formula above (signed integers, GO >= 1).
//     ACC_W                 signed accumulator bits, >= 17 and enough for L*128*128 (exact).
//     RELU                  1: clamp below at 0.      OUT_W  8 or 16.
//     SIDE_W                sideband bits carried unchanged from input to output (>= 1).
//   Derived (do not override)
//     G = ceil(OUT_N/P) groups, S = ceil(L/Q) steps, WB = P*Q rounded up to a multiple of 4
//     (bytes per memory word), WPW = WB/4 config words per memory word, DEPTH = G*S words.
//     CFG_AW = clog2(DEPTH*WB) (min 2): byte-address bits of the weight window;
//     CFG_WORD_AW = CFG_AW - 2: bits of cfg_addr (32-bit word address).
//   Depends on sf_sram_sp.v (put both in the filelist).
//   Weight memory  one sf_sram_sp (WIDTH 8*WB, DEPTH G*S, BE_W 8). Word a = g*S + s holds at
//     byte j*Q + q the weight w[o][i] of lane j slot q, o = g*P + j, i = s*Q + q; bytes with
//     o >= OUT_N or i >= L and the padding bytes P*Q..WB-1 are 0 in a configuration image
//     (the engine also forces those products to 0; only 4-state simulation of a partly
//     written memory would see X).
//     Config byte n = a*WB + b; config word k = bytes 4k..4k+3, byte 4k in bits 7:0.
//   Configuration port  cfg_req is a one-clock request (one access per clock, back to back
//     allowed): cfg_we = 1 writes cfg_wdata to word cfg_addr, 0 reads it. cfg_ack pulses
//     exactly one clock after each request; for a read, cfg_rdata is valid in that clock only.
//     Words k >= DEPTH*WPW: writes are ignored, reads return 0. Configuration has priority:
//     every clock with cfg_req = 1 stalls the whole engine by one clock (nothing else
//     changes). A computation in flight stays exact; it sees a weight word as it is when the
//     engine reads it (step (g, s) reads word g*S+s once), so writing the weights of a layer
//     while vectors are in flight mixes old and new weights — configure between frames.
//   Input  s_data (byte n at s_data[8n +: 8]), s_side, s_valid, s_ready (AXI4-Stream). The
//     vector is registered on acceptance; s_ready is high when the engine is idle or issuing
//     the last step of the current vector, and no stall (cfg_req, blocked output) is active.
//     s_ready therefore depends combinationally on cfg_req and m_ready (not on s_valid).
//   Output m_data (output o at m_data[OUT_W*o +: OUT_W]), m_side (the s_side of the same
//     vector), m_valid, m_ready (AXI4-Stream; registers, held until accepted).
//   Throughput  one vector every G*S clocks sustained (inputs available, m_ready high): the
//     next vector is accepted in the clock that issues the last step of the previous one, and
//     the result waits in the output register while the next vector is computed. A vector
//     whose result finds the output register still full stalls the engine until m_ready.
//   Latency  G*S + 3 + NR clocks from the input handshake clock to the first clock of m_valid
//     without stalls (G*S issue clocks, multiply-accumulate, NR scale steps, round/clamp/store),
//     where R = ceil(P/S) requant units serve the P lanes in NR = ceil(P/R) <= S steps.
//   Scale/bias/shift  sampled while the vector's groups are requantized: hold them stable
//     while vectors are in flight (they are configuration registers).
//   Reset  aresetn (synchronous, active low) clears the control state (busy, counters, stage
//     valids, m_valid, cfg_ack); datapath registers and the weight memory are not reset.
//
// MICROARCHITECTURE
//   Pipeline I -> M -> A -> R, one global advance enable (stalled by cfg_req or by a finished
//   vector that cannot enter the full output register). Stalls freeze every stage; nothing
//   is dropped or recomputed.
//   I: counters (g, s, a = g*S+s) read memory word a; per lane/slot the input byte
//      x[base_j(g) + ioff + q*SI] is selected (base_j: constant table over g; ioff = s*Q*SI,
//      a running sum) into x_q, forced to 0 for i >= L or o >= OUT_N.
//   M: P*Q 8x8 signed products, summed per lane and accumulated (cleared on step 0). If the
//      memory word arrives during a stall it is kept in a hold register (rdata is only valid
//      for one clock).
//   A: R = ceil(P/S) shared requant units (not P): a finished group's accumulators are copied
//      to a shadow register (only when NR > 1) and unit u handles lane c*R + u in step c of
//      NR, acc*scale[o] in ACC_W+16 bits, registered. The group's NR steps end before the
//      next group finishes (NR <= S), so throughput is unchanged.
//   R: + bias + rnd, floor shift, clamp (SUM_W bits); results of all but the vector's last
//      step go to a collection register, the last step's results together with the collection
//      into the output register (so the collection is free for the next vector at once).
//   Registers: x_buf 8*IN_N, x_q 8*P*Q, weight hold 8*P*Q, acc P*ACC_W, shadow P*ACC_W
//   (NR > 1), products R*(ACC_W+16), collection + output 2*OUT_W*OUT_N (less the last step's
//   outputs), counters and valids. Multipliers: P*Q 8x8, R (ACC_W x 16).

`resetall
`timescale 1ns / 1ps
`default_nettype none

module sf_mac_engine #(
    parameter integer IN_N   = 27,  // int8 values in the input vector
    parameter integer OUT_N  = 8,   // outputs
    parameter integer L      = 27,  // products per output
    parameter integer P      = 8,   // lanes
    parameter integer Q      = 1,   // products per lane per clock
    parameter integer OFFSET = 0,   // index formula (see header)
    parameter integer SI     = 1,
    parameter integer SO     = 0,
    parameter integer GO     = 1,
    parameter integer SG     = 0,
    parameter integer ACC_W  = 24,  // accumulator bits (signed)
    parameter integer RELU   = 1,   // 1: clamp below at 0
    parameter integer OUT_W  = 8,   // 8 or 16
    parameter integer SIDE_W = 1,   // sideband bits
    // derived, do not override
    // CFG_AW = clog2(G*S*WB) (at least 2); G*S*WB = 4 * G * S * WPW
    parameter integer CFG_AW =
        (((OUT_N + P - 1) / P) * ((L + Q - 1) / Q) * ((P * Q + 3) / 4) > 1)
        ? $clog2(4 * ((OUT_N + P - 1) / P) * ((L + Q - 1) / Q) * ((P * Q + 3) / 4)) : 2,
    parameter integer CFG_WORD_AW = CFG_AW - 2 > 0 ? CFG_AW - 2 : 1
) (
    input  wire                   aclk,
    input  wire                   aresetn,
    // input vector stream
    input  wire [8*IN_N-1:0]      s_data,
    input  wire [SIDE_W-1:0]      s_side,
    input  wire                   s_valid,
    output wire                   s_ready,
    // output vector stream
    output wire [OUT_W*OUT_N-1:0] m_data,
    output wire [SIDE_W-1:0]      m_side,
    output wire                   m_valid,
    input  wire                   m_ready,
    // requantization parameters (SPEC §2)
    input  wire [16*OUT_N-1:0]    scale,
    input  wire [32*OUT_N-1:0]    bias,
    input  wire [5:0]             shift,
    // weight memory configuration window (32-bit words)
    input  wire                   cfg_req,
    input  wire                   cfg_we,
    input  wire [CFG_WORD_AW-1:0] cfg_addr,
    input  wire [31:0]            cfg_wdata,
    output wire                   cfg_ack,
    output wire [31:0]            cfg_rdata
);

    // Parameter check (CONTRACT): an illegal instance stops at time 0 in simulation;
    // synthesis tools define SYNTHESIS and skip it.
`ifndef SYNTHESIS
    initial begin
        if (!(IN_N >= 1 && OUT_N >= 1 && L >= 1 && P >= 1 && Q >= 1 && GO >= 1
            && ACC_W >= 17 && (ACC_W >= 32 || L * 16384 < (1 << (ACC_W - 1)))
            && (RELU == 0 || RELU == 1) && (OUT_W == 8 || (OUT_W == 16 && RELU == 0))
            && SIDE_W >= 1)) begin
            $display("%m: sf_mac_engine parameters outside its CONTRACT:");
            $display("  IN_N=%0d OUT_N=%0d L=%0d P=%0d", IN_N, OUT_N, L, P);
            $display("  Q=%0d GO=%0d ACC_W=%0d RELU=%0d", Q, GO, ACC_W, RELU);
            $display("  OUT_W=%0d SIDE_W=%0d", OUT_W, SIDE_W);
            $finish;
        end
    end
`endif

    localparam integer G = (OUT_N + P - 1) / P;
    localparam integer S = (L + Q - 1) / Q;
    localparam integer WB = ((P * Q + 3) / 4) * 4;
    localparam integer WPW = WB / 4;
    localparam integer DEPTH = G * S;
    localparam integer MAW = (DEPTH > 1) ? $clog2(DEPTH) : 1;      // memory address bits
    localparam integer GW = (G > 1) ? $clog2(G) : 1;
    localparam integer SW = (S > 1) ? $clog2(S) : 1;
    localparam integer LW = (WPW > 1) ? $clog2(WPW) : 1;           // word-in-line bits
    localparam integer IW = (IN_N > 1) ? $clog2(IN_N) : 1;         // input index bits
    localparam integer XPN = 1 << IW;                              // padded input bytes
    localparam integer PROD_W = ACC_W + 16;
    localparam integer SUM_W = (PROD_W > 41 ? PROD_W : 41) + 1;
    localparam signed [SUM_W-1:0] HI = (1 <<< (OUT_W - 1)) - 1;
    localparam signed [SUM_W-1:0] LO = (RELU != 0) ? 0 : -(1 <<< (OUT_W - 1));
    localparam integer ISTEP_I = Q * SI;
    localparam [IW-1:0] ISTEP = ISTEP_I[IW-1:0];                   // ioff increment mod 2^IW
    localparam integer LAST_A_I = DEPTH - 1;
    localparam [MAW-1:0] LAST_A = LAST_A_I[MAW-1:0];
    localparam integer LAST_G_I = G - 1;
    localparam [GW-1:0] LAST_G = LAST_G_I[GW-1:0];
    localparam integer LAST_S_I = S - 1;
    localparam [SW-1:0] LAST_S = LAST_S_I[SW-1:0];
    localparam integer CFG_WORDS_I = DEPTH * WPW;
    localparam [CFG_WORD_AW:0] CFG_WORDS = CFG_WORDS_I[CFG_WORD_AW:0];
    // Shared requantization: R units, each group's P lanes requantized in NR clocks (R lanes
    // per clock, NR <= S so a group is done before the next one finishes).
    localparam integer R = (P + S - 1) / S;
    localparam integer NR = (P + R - 1) / R;
    localparam integer NE = G * NR;                                // requant steps per vector
    localparam integer CW = (NR > 1) ? $clog2(NR) : 1;
    localparam integer EW = (NE > 1) ? $clog2(NE) : 1;
    localparam integer LAST_C_I = NR - 1;
    localparam [CW-1:0] LAST_C = LAST_C_I[CW-1:0];
    localparam integer LAST_E_I = NE - 1;
    localparam [EW-1:0] LAST_E = LAST_E_I[EW-1:0];

    // Lane j's input base index, OFFSET + o*SO + (o/GO)*SG mod 2^IW, for every group g
    // (entry g at bits g*IW); 0 for idle lanes (o >= OUT_N).
    function [G*IW-1:0] base_table;
        input integer j;
        integer g, o, v;
        begin
            base_table = {G*IW{1'b0}};
            for (g = 0; g < G; g = g + 1) begin
                o = g * P + j;
                v = (o < OUT_N) ? (OFFSET + o * SO + (o / GO) * SG) : 0;
                v = v - ((v >>> IW) <<< IW);  // mod 2^IW (reads every bit of v)
                base_table[g*IW +: IW] = v[IW-1:0];
            end
        end
    endfunction

    // ------------------------------------------------------------------ stall / handshake
    reg              busy_q;
    reg  [GW-1:0]    g_q;
    reg  [SW-1:0]    s_q;
    reg  [MAW-1:0]   a_q;
    reg  [IW-1:0]    ioff_q;
    reg  [8*IN_N-1:0] x_buf_q;
    reg  [SIDE_W-1:0] x_side_q;

    reg              vm_q, first_m_q, last_m_q;       // stage M
    reg  [SIDE_W-1:0] side_m_q;
    reg              va_q;                            // stage A (requant step e_a_q)
    reg  [CW-1:0]    c_a_q;                           // step within the group
    reg  [EW-1:0]    e_a_q;                           // step within the vector
    reg  [SIDE_W-1:0] side_a_q;
    reg              vr_q;                            // stage R (products registered)
    reg  [EW-1:0]    e_r_q;
    reg  [SIDE_W-1:0] side_r_q;
    reg              m_valid_q;
    reg  [SIDE_W-1:0] m_side_q;

    wire final_r = vr_q && (e_r_q == LAST_E);
    wire blocked = final_r && m_valid_q && !m_ready;
    wire adv = !cfg_req && !blocked;
    wire last_op = (a_q == LAST_A);
    wire issue = adv && busy_q;
    assign s_ready = adv && (!busy_q || last_op);
    wire load = s_valid && s_ready;

    always @(posedge aclk) begin
        if (load) begin
            x_buf_q <= s_data;
            x_side_q <= s_side;
        end
    end

    always @(posedge aclk) begin
        if (!aresetn) begin
            busy_q <= 1'b0;
            g_q <= {GW{1'b0}};
            s_q <= {SW{1'b0}};
            a_q <= {MAW{1'b0}};
            ioff_q <= {IW{1'b0}};
        end else begin
            if (issue) begin
                if (last_op) begin
                    g_q <= {GW{1'b0}};
                    s_q <= {SW{1'b0}};
                    a_q <= {MAW{1'b0}};
                    ioff_q <= {IW{1'b0}};
                end else begin
                    a_q <= a_q + 1'b1;
                    if (s_q == LAST_S) begin
                        s_q <= {SW{1'b0}};
                        g_q <= g_q + 1'b1;
                        ioff_q <= {IW{1'b0}};
                    end else begin
                        s_q <= s_q + 1'b1;
                        ioff_q <= ioff_q + ISTEP;
                    end
                end
            end
            if (load) busy_q <= 1'b1;
            else if (issue && last_op) busy_q <= 1'b0;
        end
    end

    // ------------------------------------------------------------------ weight memory
    // config word k -> memory word k / WPW, 32-bit lane k % WPW (constant divisor)
    function [MAW-1:0] cfg_line_of;
        input [CFG_WORD_AW-1:0] k;
        integer t;
        begin
            t = { {(32-CFG_WORD_AW){1'b0}}, k} / WPW;
            t = t - ((t >>> MAW) <<< MAW);
            cfg_line_of = t[MAW-1:0];
        end
    endfunction
    function [LW-1:0] cfg_lane_of;
        input [CFG_WORD_AW-1:0] k;
        integer t;
        begin
            t = { {(32-CFG_WORD_AW){1'b0}}, k} % WPW;
            t = t - ((t >>> LW) <<< LW);
            cfg_lane_of = t[LW-1:0];
        end
    endfunction
    wire cfg_in_range = ({1'b0, cfg_addr} < CFG_WORDS);
    wire [LW-1:0] cfg_lw = cfg_lane_of(cfg_addr);
    wire [MAW-1:0] cfg_ma = cfg_line_of(cfg_addr);

    reg  [LW-1:0] cfg_lw_q;
    reg           cfg_ok_q;
    reg           cfg_ack_q;

    wire [8*WB-1:0] mem_rdata;
    wire            mem_req = cfg_req ? cfg_in_range : issue;
    wire            mem_we = cfg_req && cfg_we;
    wire [MAW-1:0]  mem_addr = cfg_req ? cfg_ma : a_q;
    wire [WB-1:0]   mem_be;
    genvar lw;
    generate
        for (lw = 0; lw < WPW; lw = lw + 1) begin : g_be
            localparam [LW-1:0] LWV = lw;
            assign mem_be[4*lw +: 4] = {4{cfg_lw == LWV}};
        end
    endgenerate

    sf_sram_sp #(
        .WIDTH(8 * WB),
        .DEPTH(DEPTH),
        .BE_W (8)
    ) u_wmem (
        .aclk (aclk),
        .req  (mem_req),
        .we   (mem_we),
        .addr (mem_addr),
        .wdata({WPW{cfg_wdata}}),
        .be   (mem_be),
        .rdata(mem_rdata)
    );

    always @(posedge aclk) begin
        if (!aresetn) begin
            cfg_ack_q <= 1'b0;
        end else begin
            cfg_ack_q <= cfg_req;
        end
        cfg_lw_q <= cfg_lw;
        cfg_ok_q <= cfg_in_range;
    end
    assign cfg_ack = cfg_ack_q;
    assign cfg_rdata = cfg_ok_q ? mem_rdata[32*cfg_lw_q +: 32] : 32'd0;

    // Hold register: the word read for stage M arrives while the engine is stalled.
    reg              rd_pend_q, hold_v_q;
    reg  [8*P*Q-1:0] w_hold_q;
    always @(posedge aclk) begin
        if (!aresetn) begin
            rd_pend_q <= 1'b0;
            hold_v_q <= 1'b0;
        end else begin
            rd_pend_q <= issue;
            if (adv) hold_v_q <= 1'b0;
            else if (rd_pend_q) hold_v_q <= 1'b1;
        end
        if (!adv && rd_pend_q) w_hold_q <= mem_rdata[8*P*Q-1:0];
    end
    wire [8*P*Q-1:0] w_cur = hold_v_q ? w_hold_q : mem_rdata[8*P*Q-1:0];

    // ------------------------------------------------------------------ stage I: input select
    wire [8*XPN-1:0] x_pad;
    generate
        if (XPN > IN_N) begin : g_xpad
            assign x_pad = { {(8*(XPN-IN_N)){1'b0}}, x_buf_q};
        end else begin : g_xnopad
            assign x_pad = x_buf_q;
        end
    endgenerate
    wire [8*P*Q-1:0] x_sel;
    reg  [8*P*Q-1:0] x_q;
    genvar j, q, o;
    generate
        for (j = 0; j < P; j = j + 1) begin : g_sel
            localparam [G*IW-1:0] BASE = base_table(j);
            wire [IW-1:0] base = BASE[g_q*IW +: IW];
            // lane j is idle in group g when g*P + j >= OUT_N (only possible in the last group)
            wire lane_on = ((G - 1) * P + j < OUT_N) || (g_q != LAST_G);
            for (q = 0; q < Q; q = q + 1) begin : g_slot
                localparam integer QOFF_I = q * SI;
                localparam [IW-1:0] QOFF = QOFF_I[IW-1:0];
                wire [IW-1:0] idx = base + ioff_q + QOFF;
                wire slot_on = ((S - 1) * Q + q < L) || (s_q != LAST_S);
                assign x_sel[8*(j*Q+q) +: 8] = (lane_on && slot_on) ? x_pad[8*idx +: 8] : 8'd0;
            end
        end
    endgenerate

    always @(posedge aclk) begin
        if (!aresetn) begin
            vm_q <= 1'b0;
            va_q <= 1'b0;
            vr_q <= 1'b0;
            c_a_q <= {CW{1'b0}};
            e_a_q <= {EW{1'b0}};
        end else if (adv) begin
            vm_q <= busy_q;
            va_q <= (vm_q && last_m_q) || (va_q && c_a_q != LAST_C);
            vr_q <= va_q;
            if (va_q) begin
                c_a_q <= (c_a_q == LAST_C) ? {CW{1'b0}} : c_a_q + 1'b1;
                e_a_q <= (e_a_q == LAST_E) ? {EW{1'b0}} : e_a_q + 1'b1;
            end
        end
        if (issue) x_q <= x_sel;
        if (adv) begin
            first_m_q <= (s_q == {SW{1'b0}});
            last_m_q <= (s_q == LAST_S);
            side_m_q <= x_side_q;
            if (vm_q && last_m_q) side_a_q <= side_m_q;
            e_r_q <= e_a_q;
            side_r_q <= side_a_q;
        end
    end

    // ------------------------------------------------------------ stage M per lane, then A and R
    wire [OUT_W*R-1:0] y_unit;
    wire [ACC_W*P-1:0] done_acc;
    wire [SUM_W-1:0] rnd = (shift == 6'd0) ? {SUM_W{1'b0}}
                                           : ({ {(SUM_W-1){1'b0}}, 1'b1} << (shift - 6'd1));
    generate
        for (j = 0; j < P; j = j + 1) begin : g_lane
            // products of this lane, sign-extended to ACC_W, summed
            wire [ACC_W*Q-1:0] pext;
            for (q = 0; q < Q; q = q + 1) begin : g_prod
                wire signed [7:0] wv = w_cur[8*(j*Q+q) +: 8];
                wire signed [7:0] xv = x_q[8*(j*Q+q) +: 8];
                wire signed [15:0] pr = wv * xv;
                assign pext[ACC_W*q +: ACC_W] = { {(ACC_W-16){pr[15]}}, pr};
            end
            reg [ACC_W-1:0] lsum;
            integer k;
            always @* begin
                lsum = {ACC_W{1'b0}};
                for (k = 0; k < Q; k = k + 1) lsum = lsum + pext[ACC_W*k +: ACC_W];
            end
            reg [ACC_W-1:0] acc_q;
            wire [ACC_W-1:0] acc_nx = (first_m_q ? {ACC_W{1'b0}} : acc_q) + lsum;
            always @(posedge aclk) begin
                if (adv && vm_q) acc_q <= acc_nx;
            end
            // finished group: read from acc_q in the next clock (NR = 1) or from a shadow
            // register that frees the accumulator for the next group (NR > 1)
            if (NR == 1) begin : g_noshadow
                assign done_acc[ACC_W*j +: ACC_W] = acc_q;
            end else begin : g_shadow
                reg [ACC_W-1:0] sh_q;
                always @(posedge aclk) begin
                    if (adv && vm_q && last_m_q) sh_q <= acc_nx;
                end
                assign done_acc[ACC_W*j +: ACC_W] = sh_q;
            end
        end
    endgenerate

    // requant units: unit u in step e (group g = e / NR, c = e % NR) handles lane c*R + u
    generate
        for (j = 0; j < R; j = j + 1) begin : g_rq
            // accumulator of lane c*R + j for every c (0 where the lane does not exist)
            wire [ACC_W*NR-1:0] src_tab;
            for (o = 0; o < NR; o = o + 1) begin : g_src
                if (o * R + j < P) begin : g_on
                    assign src_tab[ACC_W*o +: ACC_W] = done_acc[ACC_W*(o*R+j) +: ACC_W];
                end else begin : g_off
                    assign src_tab[ACC_W*o +: ACC_W] = {ACC_W{1'b0}};
                end
            end
            // scale/bias of this unit's output in every step e (0 for idle lanes/outputs)
            wire [16*NE-1:0] sc_tab;
            wire [32*NE-1:0] bi_tab;
            for (o = 0; o < NE; o = o + 1) begin : g_tab
                localparam integer LANE = (o % NR) * R + j;
                localparam integer OUTI = (o / NR) * P + LANE;
                if (LANE < P && OUTI < OUT_N) begin : g_on
                    assign sc_tab[16*o +: 16] = scale[16*OUTI +: 16];
                    assign bi_tab[32*o +: 32] = bias[32*OUTI +: 32];
                end else begin : g_off
                    assign sc_tab[16*o +: 16] = 16'd0;
                    assign bi_tab[32*o +: 32] = 32'd0;
                end
            end
            wire [ACC_W-1:0] av = src_tab[ACC_W*c_a_q +: ACC_W];
            wire [15:0] sc = sc_tab[16*e_a_q +: 16];
            wire [31:0] bi = bi_tab[32*e_r_q +: 32];

            // stage A: product (ACC_W + 16 bits, exact)
            wire signed [PROD_W-1:0] pa = { {16{av[ACC_W-1]}}, av};
            wire signed [PROD_W-1:0] pm = { {ACC_W{sc[15]}}, sc};
            reg signed [PROD_W-1:0] prod_q;
            always @(posedge aclk) begin
                if (adv && va_q) prod_q <= pa * pm;
            end

            // stage R: bias, rounding, floor shift, clamp
            wire signed [SUM_W-1:0] sum = { {(SUM_W-PROD_W){prod_q[PROD_W-1]}}, prod_q}
                                        + { {(SUM_W-32){bi[31]}}, bi}
                                        + $signed(rnd);
            wire signed [SUM_W-1:0] shifted = sum >>> shift;
            assign y_unit[OUT_W*j +: OUT_W] = (shifted > HI) ? HI[OUT_W-1:0]
                                            : (shifted < LO) ? LO[OUT_W-1:0]
                                            : shifted[OUT_W-1:0];
        end
    endgenerate

    // ------------------------------------------------------------------ collection and output
    wire store = adv && vr_q;
    generate
        for (o = 0; o < OUT_N; o = o + 1) begin : g_out
            // output o is lane OJ of group OG: requant step OE, unit OU
            localparam integer OG = o / P;
            localparam integer OJ = o % P;
            localparam integer OE = OG * NR + OJ / R;
            localparam integer OU = OJ % R;
            reg [OUT_W-1:0] out_q;
            if (OE == NE - 1) begin : g_direct
                always @(posedge aclk) begin
                    if (store && final_r) out_q <= y_unit[OUT_W*OU +: OUT_W];
                end
            end else begin : g_coll
                localparam [EW-1:0] OEV = OE[EW-1:0];
                reg [OUT_W-1:0] coll_q;
                always @(posedge aclk) begin
                    if (store && e_r_q == OEV) coll_q <= y_unit[OUT_W*OU +: OUT_W];
                    if (store && final_r) out_q <= coll_q;
                end
            end
            assign m_data[OUT_W*o +: OUT_W] = out_q;
        end
    endgenerate

    always @(posedge aclk) begin
        if (!aresetn) begin
            m_valid_q <= 1'b0;
        end else if (store && final_r) begin
            m_valid_q <= 1'b1;
        end else if (m_ready) begin
            m_valid_q <= 1'b0;
        end
        if (store && final_r) m_side_q <= side_r_q;
    end
    assign m_valid = m_valid_q;
    assign m_side = m_side_q;

endmodule

`resetall
`default_nettype wire
