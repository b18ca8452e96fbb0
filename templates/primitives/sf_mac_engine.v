// sf_mac_engine: SRAM-backed, time-folded multiply-accumulate layer engine (semifreddo primitive).
//
// CONTRACT
//   Computes, for one input vector x of IN_N int8 values, OUT_N outputs
//     acc[o] = sum_{i < L} w[o][i] * x[idx(o, i)],  idx(o, i) = OFFSET + i*SI + o*SO + (o/GO)*SG
//     y[o]   = clamp((acc[o]*scale[o] + bias[o] + rnd) >>> shift, LO, HI)        (SPEC §2)
//   with rnd = 2^(shift-1) (0 for shift = 0), `>>>` a floor shift, LO/HI = -128..127 (0..127
//   with RELU = 1) for OUT_W = 8, -32768..32767 for OUT_W = 16 (requant16: RELU must be 0).
//   idx(o, i) must lie in 0..IN_N-1 for every o < OUT_N, i < L (the generator guarantees it).
//   Parameters
//     IN_N, OUT_N, L        input bytes, outputs, products per output (all >= 1).
//     P                     lanes (outputs computed in parallel), 1..OUT_N sensible.
//     Q                     products per lane per clock, >= 1.
//     OFFSET, SI, SO, GO, SG  index formula above (signed integers, GO >= 1).
//     ACC_W                 signed accumulator bits, >= 17 and enough for L*128*128 (exact).
//     RELU                  1: clamp below at 0.      OUT_W  8 or 16.
//     SIDE_W                sideband bits carried unchanged from input to output (>= 1).
//   Pipeline parameters (the plan chooses them for a target clock, src/passes/timing.rs)
//     OP_REG                1: a register of each product's operands (weight and input byte)
//                           in front of its multiplier. On an FPGA the multipliers are DSP
//                           blocks in columns away from the logic, and a product between two
//                           long routes does not fit the clock (measured on an ECP5); the
//                           copies let the placer put both ends of the product by the DSP.
//     MUL_REG               1: a register right after the 8x8 products; 0: the products feed
//                           the lane's adder tree in the same clock.
//     MUL_LUT               1: the 8x8 products as sums of shifted weight rows (no `*`), so
//                           an FPGA flow builds them from LUTs and carry chains rather than
//                           DSP blocks: an engine with many products spreads its DSPs over
//                           the die, far from its logic (measured on an ECP5). 0: `*`.
//     LPR                   adder levels per register in a lane: the tree of the Q products
//                           has T = clog2(Q) levels and the accumulate is level T+1; a
//                           register follows every LPR tree levels, and the accumulator.
//     RQ_STAGES, RQ_SPLIT   STAGES and SPLIT of the sf_requant_pipe units.
//     RQ_DSP_W              DSP_W of the sf_requant_pipe units (0, or an FPGA's DSP operand
//                           bits: DSP-sized partial products, each registered).
//     RQ_SEL                1: a register between a requant step's scale/bias select and its
//                           unit (SEL below); 0: the select feeds the unit in the same clock.
//   Derived (do not override)
//     G = ceil(OUT_N/P) groups, S = ceil(L/Q) steps, WB = P*Q rounded up to a multiple of 4
//     (bytes per memory word), WPW = WB/4 config words per memory word, DEPTH = G*S words.
//     CFG_AW = clog2(DEPTH*WB) (min 2): byte-address bits of the weight window;
//     CFG_WORD_AW = CFG_AW - 2: bits of cfg_addr (32-bit word address).
//   Depends on sf_sram_sp.v, sf_requant_pipe.v, sf_fanout.v and sf_delay.v (put them in the
//   filelist).
//   Weight memory  one sf_sram_sp (WIDTH 8*WB, DEPTH G*S, BE_W 8). Word a = g*S + s holds at
//     byte j*Q + q the weight w[o][i] of lane j slot q, o = g*P + j, i = s*Q + q; bytes with
//     o >= OUT_N or i >= L and the padding bytes P*Q..WB-1 are 0 in a configuration image
//     (products of slots with i >= L are forced to 0; lanes with o >= OUT_N are discarded).
//     Config byte n = a*WB + b; config word k = bytes 4k..4k+3, byte 4k in bits 7:0.
//   Configuration port  cfg_req is a one-clock request; the next request comes after the
//     cfg_ack of the previous one (sf_axil_regbus serialises accesses). cfg_we, cfg_addr and
//     cfg_wdata are sampled with cfg_req, except that cfg_wdata must stay valid until
//     cfg_ack (the register bus holds it). The access waits while the engine reads the
//     memory, and no new vector is accepted while it waits, so it takes place at the latest
//     when the current vector's reads end: cfg_ack pulses 5 to G*S + 5 clocks after
//     cfg_req, for a read with cfg_rdata valid in that clock only. Words k >= DEPTH*WPW:
//     writes are ignored, reads return 0. Computations in flight are not disturbed; a vector
//     sees a weight word as it is when its step reads it, so writing the weights of a layer
//     while vectors are in flight mixes old and new weights: configure between frames.
//   Input  s_data (byte n at s_data[8n +: 8]), s_side, s_valid, s_ready (AXI4-Stream). The
//     vector is registered on acceptance. s_ready is a register: high when the engine
//     reads no vector (or reads its last step in the clock before) and no configuration
//     access waits.
//   Output m_data (output o at m_data[OUT_W*o +: OUT_W]), m_side (the s_side of the same
//     vector), m_valid, m_ready (AXI4-Stream; registers, held until accepted). Finished
//     vectors wait in an output queue of C entries (C = 1 unless G*S is short against the
//     pipeline, see LATENCY); the engine starts the reads of a vector's last group only when
//     a queue entry is reserved for it, so nothing is ever dropped or overwritten.
//   Throughput  one vector every G*S clocks sustained (inputs available, m_ready high): the
//     reads of the next vector start in the clock after the last read of the previous one.
//   Latency  LATENCY = G*S + LANE + NR + SEL + RQ_STAGES + 2 clocks from the input handshake
//     to the first clock of m_valid without stalls, where LANE = OP_REG + MUL_REG + floor(T/LPR)
//     + 1 lane registers, R = ceil(P/S) requant units serve the P lanes in NR = ceil(P/R) <= S
//     steps, and SEL = 1 when RQ_SEL = 1 and G*NR > 1 (a register after the select of each
//     step's scale and bias). src/passes/schedule.rs (`EngineSchedule::latency`) mirrors it.
//   Scale/bias/shift  read while the vector's groups are requantized: hold them stable while
//     vectors are in flight (they are configuration registers).
//   Reset  aresetn (synchronous, active low) clears the control state (counters, rings,
//     valids, queue occupancy, m_valid, cfg state); datapath registers and the weight memory
//     are not reset.
//
// MICROARCHITECTURE (every output is a register; no flip-flop drives more than about FO
// loads: selects are one-hot rings, one copy per lane or per FO loads, strobes sf_fanout)
//   R  read: counters (a, gate, last) read memory word a = g*S + s in every clock of a
//      vector's G*S steps, the first in the clock the vector is accepted.
//   X  select: per lane j and slot q, x[b + i*SI] with b = OFFSET + o*SO + (o/GO)*SG, two
//      AND-OR levels: over the steps s (the lane's one-hot s ring) for every base b the lane
//      uses, then over the groups g (its one-hot g ring) when it uses more than one base;
//      slots with i >= L select 0. Registered in x_q beside the memory word (w_q).
//   M/T lane: Q 8x8 products, an adder tree and the accumulator, registers per
//      OP_REG/MUL_REG/LPR;
//      the datapath runs free (no enables); one-hot flags mark the first and last step.
//   A  requant: NR = 1: unit j takes lane j's accumulator; NR > 1: the finished group's
//      accumulators load a shift chain that hands lane c*R + u to unit u in step c. With
//      SEL, a register picks each step's accumulator, scale and bias (one-hot e ring per unit).
//      R sf_requant_pipe units; a one-hot tag marks which outputs a result belongs to.
//   O  collection register (one per output), then the output queue (entry 0 = m_data),
//      loaded from the collection one clock after the vector's last result.
//   Registers: x_buf 8*IN_N (+ side), x_q and w_q 8*P*Q each (with OP_REG twice), lane
//   pipeline and accumulators, the requant units, collection OUT_W*OUT_N, queue C*OUT_W*OUT_N
//   and C*SIDE_W, rings.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module sf_mac_engine #(
    parameter integer IN_N      = 27,  // int8 values in the input vector
    parameter integer OUT_N     = 8,   // outputs
    parameter integer L         = 27,  // products per output
    parameter integer P         = 8,   // lanes
    parameter integer Q         = 1,   // products per lane per clock
    parameter integer OFFSET    = 0,   // index formula (see header)
    parameter integer SI        = 1,
    parameter integer SO        = 0,
    parameter integer GO        = 1,
    parameter integer SG        = 0,
    parameter integer ACC_W     = 24,  // accumulator bits (signed)
    parameter integer RELU      = 1,   // 1: clamp below at 0
    parameter integer OUT_W     = 8,   // 8 or 16
    parameter integer SIDE_W    = 1,   // sideband bits
    parameter integer OP_REG    = 0,   // 1: register the products' operands
    parameter integer MUL_REG   = 0,   // 1: register the 8x8 products
    parameter integer MUL_LUT   = 0,   // 1: products from shifted rows (no DSP blocks)
    parameter integer LPR       = 8,   // lane adder levels per register
    parameter integer RQ_STAGES = 3,   // requant pipeline registers (sf_requant_pipe STAGES)
    parameter integer RQ_SPLIT  = 1,   // requant scale pieces (sf_requant_pipe SPLIT)
    parameter integer RQ_SEL    = 0,   // 1: register the requant step select
    parameter integer RQ_DSP_W  = 0,   // requant DSP operand bits (sf_requant_pipe DSP_W)
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
            && SIDE_W >= 1 && (OP_REG == 0 || OP_REG == 1) && (MUL_REG == 0 || MUL_REG == 1)
            && (MUL_LUT == 0 || MUL_LUT == 1)
            && LPR >= 1
            && RQ_STAGES >= 1 && RQ_STAGES <= 4 && (RQ_SPLIT == 1 || RQ_SPLIT == 2 || RQ_SPLIT == 4)
            && (RQ_SEL == 0 || RQ_SEL == 1)
            && (RQ_DSP_W == 0 || (RQ_DSP_W > 1 && 16 / RQ_SPLIT + 1 <= RQ_DSP_W)))) begin
            $display("%m: sf_mac_engine parameters outside its CONTRACT:");
            $display("  IN_N=%0d OUT_N=%0d L=%0d P=%0d", IN_N, OUT_N, L, P);
            $display("  Q=%0d GO=%0d ACC_W=%0d RELU=%0d", Q, GO, ACC_W, RELU);
            $display("  OUT_W=%0d SIDE_W=%0d OP_REG=%0d MUL_REG=%0d MUL_LUT=%0d LPR=%0d", OUT_W,
                     SIDE_W, OP_REG, MUL_REG, MUL_LUT, LPR);
            $display("  RQ_STAGES=%0d RQ_SPLIT=%0d RQ_SEL=%0d RQ_DSP_W=%0d", RQ_STAGES, RQ_SPLIT,
                     RQ_SEL, RQ_DSP_W);
            $finish;
        end
    end
`endif

    localparam integer FO = 48;                                    // loads per control flop
    localparam integer G = (OUT_N + P - 1) / P;
    localparam integer S = (L + Q - 1) / Q;
    localparam integer GS = G * S;
    localparam integer WB = ((P * Q + 3) / 4) * 4;
    localparam integer WPW = WB / 4;
    localparam integer MAW = (GS > 1) ? $clog2(GS) : 1;           // memory address bits
    localparam [31:0] CFG_WORDS = GS * WPW;
    localparam [CFG_WORD_AW:0] CFG_WORDS_V = CFG_WORDS[CFG_WORD_AW:0];
    // lane pipeline: tree levels T, the accumulate is level T+1
    localparam integer T = (Q > 1) ? $clog2(Q) : 0;
    localparam integer TW = 16 + T;                                // exact tree width
    localparam integer NTR = T / LPR;                              // tree registers
    localparam integer LANE = OP_REG + MUL_REG + NTR + 1;          // lane registers
    // shared requantization: R units, each group's P lanes in NR steps (NR <= S)
    localparam integer R = (P + S - 1) / S;
    localparam integer NR = (P + R - 1) / R;
    localparam integer NE = G * NR;                                // requant steps per vector
    localparam integer SEL = (NE > 1 && RQ_SEL != 0) ? 1 : 0;
    // clocks from a vector's last read to the load of its output queue entry, and the queue
    // entries that keep one vector every G*S clocks (reservations are made S clocks before
    // the last read, at the first read of the last group)
    localparam integer D_LAST = LANE + NR + SEL + RQ_STAGES + 2;
    localparam [31:0] C = (S + D_LAST) / GS + 1;
    localparam integer CW = $clog2(C + 1);
    localparam [31:0] LAST_A = GS - 1;
    localparam [31:0] GATE_A = (G - 1) * S;                        // first read of last group

    // ---------------------------------------------------------------- index formula
    // input index of lane j in group g for i = 0, or -1 when the lane is idle in group g
    function integer base_of;
        input integer j;
        input integer g;
        integer o;
        begin
            o = g * P + j;
            base_of = (o < OUT_N) ? OFFSET + o * SO + (o / GO) * SG : -1;
        end
    endfunction
    // the first group in which lane j uses the base of group g
    function integer first_use;
        input integer j;
        input integer g;
        integer h;
        begin
            first_use = g;
            for (h = G - 1; h >= 0; h = h - 1) begin
                if (base_of(j, h) == base_of(j, g)) first_use = h;
            end
        end
    endfunction
    // distinct bases lane j uses before group g (g = G: all of them)
    function integer bases_before;
        input integer j;
        input integer g;
        integer h;
        begin
            bases_before = 0;
            for (h = 0; h < g; h = h + 1) begin
                if (base_of(j, h) >= 0 && first_use(j, h) == h) bases_before = bases_before + 1;
            end
        end
    endfunction
    // index among lane j's distinct bases of the base of group g
    function integer base_index;
        input integer j;
        input integer g;
        begin
            base_index = bases_before(j, first_use(j, g));
        end
    endfunction
    // value of lane j's k-th distinct base (0 when the lane has none); one pass over the
    // groups (O(G^2), not O(G^3): elaboration time of wide engines in Icarus and Verilator)
    function integer base_value;
        input integer j;
        input integer k;
        integer g, n;
        begin
            base_value = 0;
            n = 0;
            for (g = 0; g < G; g = g + 1) begin
                if (base_of(j, g) >= 0 && first_use(j, g) == g) begin
                    if (n == k) base_value = base_of(j, g);
                    n = n + 1;
                end
            end
        end
    endfunction

    // ---------------------------------------------------------------- read control (R)
    // Next-state values are computed here and registered through sf_fanout, so that every
    // lane and every group of FO input bits has its own copy of the control flops.
    reg  [CW-1:0]  res_q;        // vectors with a reserved queue entry, not yet sent
    reg  [MAW-1:0] a_q;          // memory word of the next read
    reg            cfg_pend_q;   // a configuration access waits for the memory
    reg  [1:0]     cfg_map_q;    // its address mapping's second and third clock
    reg            push_q;       // the output queue is loaded in this clock
    reg  [CW-1:0]  cnt_q;        // output queue occupancy
    reg            m_valid_q;
    localparam integer NCP = P + 1;                        // control copies: global + lanes
    localparam integer NXR = (SIDE_W + 8 * IN_N + FO - 1) / FO;   // s_ready copies
    // control word: {slot_ok, gate, last, rd_busy}, copy 0 is the global one
    wire [4*NCP-1:0] ctl_c;
    wire [NXR-1:0]   s_ready_c;
    wire slot_ok = ctl_c[3], gate = ctl_c[2], last = ctl_c[1], rd_busy = ctl_c[0];
    wire load = s_valid && s_ready_c[0];
    wire rd_go = rd_busy && (!gate || slot_ok);
    wire rd_now = load || rd_go;
    wire end_now = rd_now && last;
    wire pop = m_valid_q && m_ready;
    wire cfg_go = cfg_pend_q && !(|cfg_map_q) && !rd_go;   // the lane is formed: see below
    localparam [MAW:0]  LAST_AV = LAST_A[MAW:0];
    localparam [MAW:0]  GATE_AV = GATE_A[MAW:0];
    localparam [CW-1:0] CV = C[CW-1:0];
    wire [MAW:0]  a_inc = {1'b0, a_q} + 1'b1;
    wire [CW-1:0] res_d = res_q + { {(CW-1){1'b0}}, rd_now && gate} - { {(CW-1){1'b0}}, pop};
    wire rd_busy_d = rd_now ? !last : rd_busy;
    wire last_d = rd_now ? (last ? (GS == 1) : (a_inc == LAST_AV)) : last;
    wire gate_d = rd_now ? (last ? (G == 1) : (a_inc == GATE_AV)) : gate;
    wire slot_ok_d = res_d < CV;
    wire cfg_pend_d = cfg_req || (cfg_pend_q && !cfg_go);
    wire s_ready_d = !rd_busy_d && !cfg_pend_d && (G > 1 || slot_ok_d);

    localparam [3:0] CTL_RESET = {1'b1, G == 1, GS == 1, 1'b0};
    sf_fanout #(.N(NCP), .W(4), .RESET(CTL_RESET)) u_ctl (
        .aclk(aclk), .aresetn(aresetn), .d({slot_ok_d, gate_d, last_d, rd_busy_d}), .q(ctl_c)
    );
    sf_fanout #(.N(NXR), .W(1)) u_ready (
        .aclk(aclk), .aresetn(aresetn), .d(s_ready_d), .q(s_ready_c)
    );
    assign s_ready = s_ready_c[0];
    // s_ready is low during reset and rises one clock after it.

    always @(posedge aclk) begin
        if (!aresetn) begin
            res_q <= {CW{1'b0}};
            a_q <= {MAW{1'b0}};
            cfg_pend_q <= 1'b0;
        end else begin
            res_q <= res_d;
            cfg_pend_q <= cfg_pend_d;
            if (rd_now) a_q <= last ? {MAW{1'b0}} : a_q + 1'b1;
        end
    end

    // input vector and sideband, loaded on acceptance (each s_ready copy enables FO bits)
    wire [SIDE_W+8*IN_N-1:0] s_all = {s_side, s_data};
    reg  [SIDE_W+8*IN_N-1:0] x_all_q;
    genvar n;
    generate
        for (n = 0; n < NXR; n = n + 1) begin : g_xbuf
            localparam integer LO = FO * n;
            localparam integer WK = (SIDE_W + 8 * IN_N - LO < FO) ? SIDE_W + 8 * IN_N - LO : FO;
            always @(posedge aclk) begin
                if (s_valid && s_ready_c[n]) x_all_q[LO +: WK] <= s_all[LO +: WK];
            end
        end
    endgenerate
    wire [8*IN_N-1:0] x_buf = x_all_q[8*IN_N-1:0];
    wire [SIDE_W-1:0] x_side = x_all_q[SIDE_W+8*IN_N-1:8*IN_N];
    // input bytes no lane reads (a depthwise engine over part of a window) are left to the
    // synthesis to remove
    wire unused_x = &{1'b0, x_buf, 1'b0};

    // ---------------------------------------------------------------- weight memory
    // config word k -> memory word q = k / WPW, 32-bit lane r = k % WPW, over three clocks
    // (cfg_map_q marks the second and third): the quotient is a reciprocal multiply,
    // (k * ceil(2^DS / WPW)) >> DS with DS = CFG_WORD_AW + clog2(WPW), exact for every
    // CFG_WORD_AW-bit k (checked exhaustively for k < 2^16, WPW < 300), and the remainder
    // k - q * WPW from the registered quotient and, a clock later, the registered product.
    // A constant divider synthesizes to carry chains in series on an FPGA (an 810-cell path
    // for WPW = 18 on an ECP5); the two multiplies in one clock were still 16.6 ns there,
    // and the remainder's multiply and subtract in one clock 12.0 ns.
    localparam integer KW = CFG_WORD_AW;
    localparam integer DL = (WPW > 1) ? $clog2(WPW) : 0;
    localparam integer DS = KW + DL;
    localparam [31:0] WPW_U = WPW;
    localparam [63:0] WPW64 = {32'd0, WPW_U};
    localparam [63:0] DM64 = ((64'd1 << DS) + WPW64 - 64'd1) / WPW64;  // < 2^(KW+2)
    localparam [2*KW+1:0] DM = DM64[2*KW+1:0];
    localparam [KW-1:0] WPW_K = WPW64[KW-1:0];                    // WPW mod 2^KW
    wire [2*KW+1:0] cfg_prod = { {(KW + 2){1'b0}}, cfg_addr} * DM;
    wire [2*KW+1:0] cfg_quot = cfg_prod >> DS;
    wire unused_cfg_quot = &{1'b0, cfg_quot[2*KW+1:KW], 1'b0};
    reg            cfg_we_q, cfg_ok_q, cfg_c1_q, cfg_ack_q;
    reg  [KW-1:0]  cfg_k_q;      // the word address
    reg  [KW-1:0]  cfg_q_q;      // its memory word
    reg  [KW-1:0]  cfg_qw_q;     // q * WPW, modulo 2^KW
    reg  [WPW-1:0] cfg_lane_q;   // one-hot 32-bit lane of the word
    reg  [31:0]    cfg_rdata_q;
    // the remainder modulo 2^KW is exact: it is below WPW <= 2^KW
    wire [KW-1:0] cfg_r = cfg_k_q - cfg_qw_q;
    wire [MAW+KW-1:0] cfg_q_x = { {MAW{1'b0}}, cfg_q_q};
    wire [MAW-1:0] cfg_line = cfg_q_x[MAW-1:0];
    wire unused_cfg_q = &{1'b0, cfg_q_x[MAW+KW-1:MAW], 1'b0};
    wire [8*WB-1:0] mem_rdata;
    wire [WB-1:0]   mem_be;
    always @(posedge aclk) begin
        if (!aresetn) begin
            cfg_map_q <= 2'b00;
            cfg_c1_q <= 1'b0;
            cfg_ack_q <= 1'b0;
        end else begin
            cfg_map_q <= {cfg_map_q[0], cfg_req};
            cfg_c1_q <= cfg_go;
            cfg_ack_q <= cfg_c1_q;
        end
        if (cfg_req) begin
            cfg_we_q <= cfg_we;
            cfg_ok_q <= ({1'b0, cfg_addr} < CFG_WORDS_V);
            cfg_k_q <= cfg_addr;
            cfg_q_q <= cfg_quot[KW-1:0];
        end
        if (cfg_map_q[0]) cfg_qw_q <= cfg_q_q * WPW_K;
        if (cfg_map_q[1]) cfg_lane_q <= { {(WPW-1){1'b0}}, 1'b1} << cfg_r;
    end
    reg [31:0] cfg_word;
    integer cw;
    always @(*) begin
        cfg_word = 32'd0;
        for (cw = 0; cw < WPW; cw = cw + 1) begin
            cfg_word = cfg_word | ({32{cfg_lane_q[cw]}} & mem_rdata[32*cw +: 32]);
        end
    end
    always @(posedge aclk) begin
        if (cfg_c1_q) cfg_rdata_q <= cfg_ok_q ? cfg_word : 32'd0;
    end
    assign cfg_ack = cfg_ack_q;
    assign cfg_rdata = cfg_rdata_q;
    genvar lw;
    generate
        for (lw = 0; lw < WPW; lw = lw + 1) begin : g_be
            assign mem_be[4*lw +: 4] = {4{cfg_lane_q[lw]}};
        end
    endgenerate

    sf_sram_sp #(
        .WIDTH(8 * WB),
        .DEPTH(GS),
        .BE_W (8)
    ) u_wmem (
        .aclk (aclk),
        .req  (rd_now || (cfg_go && cfg_ok_q)),
        .we   (cfg_go && cfg_we_q),
        .addr (cfg_go ? cfg_line : a_q),
        .wdata({WPW{cfg_wdata}}),
        .be   (mem_be),
        .rdata(mem_rdata)
    );

    // registered memory output (free running) and the read-valid of the select stage
    reg [8*P*Q-1:0] w_q;
    reg             v_x_q;
    always @(posedge aclk) begin
        w_q <= mem_rdata[8*P*Q-1:0];
        if (!aresetn) v_x_q <= 1'b0;
        else v_x_q <= rd_now;
    end
    generate
        if (WB > P * Q) begin : g_pad
            wire unused_pad = &{1'b0, mem_rdata[8*WB-1:8*P*Q], 1'b0};
        end
    endgenerate

    // ---------------------------------------------------------------- lanes (X, M/T, A)
    wire [ACC_W*P-1:0] acc_all;      // acc_q of every lane
    wire [ACC_W*P-1:0] acc_nx_all;   // its next value
    wire [P-1:0]       done_all;     // acc_q holds a group's sum (a register beside acc_q)
    wire [P-1:0]       done_nx_all;  // acc_nx is a group's sum
    genvar j, q, k, s, g, l, ti;
    generate
        for (j = 0; j < P; j = j + 1) begin : g_lane
            localparam integer NB = bases_before(j, G) > 0 ? bases_before(j, G) : 1;
            localparam integer NSC = (8 * Q * NB + FO - 1) / FO;   // s ring copies
            localparam integer NGC = (8 * Q + FO - 1) / FO;        // g ring copies
            wire rd_j = (s_valid && s_ready_c[0]) ||
                        (ctl_c[4*(j+1)] && (!ctl_c[4*(j+1)+2] || ctl_c[4*(j+1)+3]));
            // One-hot rings: the step s (and group g) of the lane's most recent read. They
            // advance with every read, so the rings of all lanes stay equal; each copy serves
            // at most FO select loads.
            wire [S*NSC-1:0] sring;
            for (k = 0; k < NSC; k = k + 1) begin : g_sring
                reg  [S-1:0] r_q;
                wire [S:0]   rot = {r_q, r_q[S-1]};
                always @(posedge aclk) begin
                    if (!aresetn) r_q <= {1'b1, {(S-1){1'b0}}} >> 0;
                    else if (rd_j) r_q <= rot[S-1:0];
                end
                assign sring[S*k +: S] = r_q;
                wire unused_rot = &{1'b0, rot[S], 1'b0};
            end
            wire [G*NGC-1:0] gring;
            for (k = 0; k < NGC; k = k + 1) begin : g_gring
                if (NB > 1) begin : g_on
                    reg  [G-1:0] r_q;
                    wire [G:0]   rot = {r_q, r_q[G-1]};
                    always @(posedge aclk) begin
                        if (!aresetn) r_q <= {1'b1, {(G-1){1'b0}}} >> 0;
                        else if (rd_j && sring[S-1]) r_q <= rot[G-1:0];
                    end
                    assign gring[G*k +: G] = r_q;
                    wire unused_rot = &{1'b0, rot[G], 1'b0};
                end else begin : g_off
                    assign gring[G*k +: G] = {G{1'b0}};
                end
            end

            // X: the Q input bytes of the step read in the previous clock
            wire [8*Q-1:0] x_sel;
            for (q = 0; q < Q; q = q + 1) begin : g_slot
                // level A: for each base the lane uses, the byte of this slot's step
                wire [8*NB-1:0] xa;
                for (k = 0; k < NB; k = k + 1) begin : g_base
                    localparam integer SC = ((q * NB + k) * NSC) / (Q * NB);  // ring copy
                    wire [8*S-1:0] terms;
                    for (s = 0; s < S; s = s + 1) begin : g_step
                        if (s * Q + q < L) begin : g_on
                            localparam integer POS = base_value(j, k) + (s * Q + q) * SI;
                            assign terms[8*s +: 8] = {8{sring[S*SC+s]}} & x_buf[8*POS +: 8];
                        end else begin : g_off
                            assign terms[8*s +: 8] = 8'd0;
                        end
                    end
                    reg [7:0] orr;
                    integer t;
                    always @(*) begin
                        orr = 8'd0;
                        for (t = 0; t < S; t = t + 1) orr = orr | terms[8*t +: 8];
                    end
                    assign xa[8*k +: 8] = orr;
                end
                // level B: the base of the current group
                if (NB == 1) begin : g_one
                    assign x_sel[8*q +: 8] = xa[7:0];
                end else begin : g_many
                    localparam integer GC = (q * NGC) / Q;                    // ring copy
                    wire [8*G-1:0] terms;
                    for (g = 0; g < G; g = g + 1) begin : g_grp
                        if (base_of(j, g) >= 0) begin : g_on
                            localparam integer BI = base_index(j, g);
                            assign terms[8*g +: 8] = {8{gring[G*GC+g]}} & xa[8*BI +: 8];
                        end else begin : g_off
                            assign terms[8*g +: 8] = 8'd0;
                        end
                    end
                    reg [7:0] orr;
                    integer t;
                    always @(*) begin
                        orr = 8'd0;
                        for (t = 0; t < G; t = t + 1) orr = orr | terms[8*t +: 8];
                    end
                    assign x_sel[8*q +: 8] = orr;
                end
            end

            // the select register and the step flags of its data (first step, last step)
            reg [8*Q-1:0] x_q;
            reg           first_q, done_q;
            always @(posedge aclk) begin
                x_q <= x_sel;
                first_q <= sring[0];
                if (!aresetn) done_q <= 1'b0;
                else done_q <= v_x_q && sring[S-1];
            end

            // the products' operands, registered by the multipliers with OP_REG (no enable:
            // each copy feeds one multiplier), and the step flags beside them
            wire [8*Q-1:0] w_op, x_op;
            wire           first_op, done_op;
            sf_delay #(.WIDTH(16 * Q + 1), .DEPTH(OP_REG)) u_op (
                .aclk(aclk), .aresetn(aresetn), .en(1'b1),
                .d({first_q, x_q, w_q[8*j*Q +: 8*Q]}), .q({first_op, x_op, w_op})
            );
            sf_delay #(.WIDTH(1), .DEPTH(OP_REG), .RESET(1)) u_op_done (
                .aclk(aclk), .aresetn(aresetn), .en(1'b1), .d(done_q), .q(done_op)
            );

            // M/T: products (optionally registered), then the tree with a register after
            // every LPR levels; first/done flags travel beside the data
            wire [TW*Q-1:0] pv;
            for (q = 0; q < Q; q = q + 1) begin : g_prod
                wire signed [7:0]  wv = w_op[8*q +: 8];
                wire signed [7:0]  xv = x_op[8*q +: 8];
                wire signed [15:0] pr;
                if (MUL_LUT != 0) begin : g_lut
                    // x = -128*x[7] + sum_{i<7} 2^i*x[i]: the sum of the shifted weight
                    // rows, exact modulo 2^16 (the product fits 16 bits)
                    wire [15:0] a = { {8{wv[7]}}, wv};
                    wire [15:0] s01 = (xv[0] ? a : 16'd0) + (xv[1] ? a << 1 : 16'd0);
                    wire [15:0] s23 = (xv[2] ? a << 2 : 16'd0) + (xv[3] ? a << 3 : 16'd0);
                    wire [15:0] s45 = (xv[4] ? a << 4 : 16'd0) + (xv[5] ? a << 5 : 16'd0);
                    wire [15:0] s67 = (xv[6] ? a << 6 : 16'd0) - (xv[7] ? a << 7 : 16'd0);
                    assign pr = (s01 + s23) + (s45 + s67);
                end else begin : g_mul
                    assign pr = wv * xv;
                end
                assign pv[TW*q +: TW] = { {(TW-16){pr[15]}}, pr};
            end
            localparam integer NLR = MUL_REG + NTR;   // lane registers before the accumulate
            // [0]: the products (MUL_REG), then the tree stages; entry NLR is a spare (0)
            reg  [TW*Q-1:0] tr_q [0:NLR];
            reg  [NLR:0]    tf_q, te_q;
            wire [NLR+1:0]  tf_in = {tf_q, first_op};
            wire [NLR+1:0]  te_in = {te_q, done_op};
            always @(posedge aclk) begin
                tr_q[NLR] <= {TW*Q{1'b0}};
                tf_q[NLR] <= 1'b0;
                te_q[NLR] <= 1'b0;
            end
            if (MUL_REG != 0) begin : g_mreg
                always @(posedge aclk) begin
                    tr_q[0] <= pv;
                    tf_q[0] <= first_op;
                    if (!aresetn) te_q[0] <= 1'b0;
                    else te_q[0] <= done_op;
                end
            end
            // the tree: level l (1..T) adds pairs of the ceil(Q/2^(l-1)) terms of its input
            // (an odd last term passes; entries beyond its terms are 0), written out per
            // level so that simulators see plain adders. The input of level l is the
            // register after level l-1 where there is one (MUL_REG for l = 1, tree register
            // (l-1)/LPR), else level l-1's output; "level T+1" is the accumulate.
            for (l = 1; l <= T + 1; l = l + 1) begin : g_lv
                localparam integer RIN = (l == 1) ? MUL_REG
                                       : ((l - 1) % LPR == 0 && (l - 1) / LPR <= NTR) ? 1 : 0;
                localparam integer RIX = (l == 1) ? 0 : MUL_REG + (l - 1) / LPR - 1;
                localparam integer NI = (Q + (1 << (l - 1)) - 1) >> (l - 1);
                wire [TW*Q-1:0] lin, lout;
                wire unused_lin = &{1'b0, lin, 1'b0};  // a level reads only its terms
                if (RIN != 0) begin : g_reg_in
                    assign lin = tr_q[RIX];
                end else if (l == 1) begin : g_products
                    assign lin = pv;
                end else begin : g_wire_in
                    assign lin = g_lv[l-1].lout;
                end
                if (l <= T) begin : g_add
                    for (ti = 0; ti < Q; ti = ti + 1) begin : g_term
                        if (2 * ti + 1 < NI) begin : g_pair
                            assign lout[TW*ti +: TW] = lin[TW*2*ti +: TW]
                                                     + lin[TW*(2*ti+1) +: TW];
                        end else if (2 * ti < NI) begin : g_pass
                            assign lout[TW*ti +: TW] = lin[TW*2*ti +: TW];
                        end else begin : g_none
                            assign lout[TW*ti +: TW] = {TW{1'b0}};
                        end
                    end
                end else begin : g_acc
                    assign lout = lin;
                end
            end
            wire [TW*Q-1:0] t_out = g_lv[T+1].lout;
            for (k = MUL_REG; k < MUL_REG + NTR; k = k + 1) begin : g_treg
                always @(posedge aclk) begin
                    tr_q[k] <= g_lv[(k - MUL_REG + 1) * LPR].lout;
                    tf_q[k] <= tf_in[k];
                    if (!aresetn) te_q[k] <= 1'b0;
                    else te_q[k] <= te_in[k];
                end
            end
            wire            f_acc = tf_in[NLR];
            wire            e_acc = te_in[NLR];

            // A: accumulate (free running; the first step of a group restarts the sum)
            reg  [ACC_W-1:0] acc_q;
            reg              done_acc_q;
            wire [TW-1:0]    lsum = t_out[TW-1:0];
            wire [ACC_W-1:0] acc_nx = (f_acc ? {ACC_W{1'b0}} : acc_q)
                                    + { {(ACC_W-TW){lsum[TW-1]}}, lsum};
            always @(posedge aclk) begin
                acc_q <= acc_nx;
                if (!aresetn) done_acc_q <= 1'b0;
                else done_acc_q <= e_acc;
            end
            assign acc_all[ACC_W*j +: ACC_W] = acc_q;
            assign acc_nx_all[ACC_W*j +: ACC_W] = acc_nx;
            assign done_all[j] = done_acc_q;
            assign done_nx_all[j] = e_acc;
            wire unused_tree = &{1'b0, t_out, tf_in, te_in, tr_q[NLR], 1'b0};
            wire unused_ring = &{1'b0, gring, sring, 1'b0};
        end
    endgenerate

    // ---------------------------------------------------------------- requantization (A)
    // Unit u's accumulator in step c of a group: lane c*R + u (NR = 1: lane u, read from
    // acc_q in the clock after the group's last accumulate; NR > 1: a shift chain loaded
    // with the group's sums that moves R lanes per clock).
    wire [ACC_W*R-1:0] src;
    wire [R-1:0]       src_v;
    generate
        if (NR == 1) begin : g_direct
            assign src = acc_all[ACC_W*R-1:0];
            assign src_v = done_all[R-1:0];
            wire unused_nx = &{1'b0, acc_nx_all, done_nx_all, 1'b0};
        end else begin : g_chain
            wire [ACC_W*P-1:0] sh;
            for (j = 0; j < P; j = j + 1) begin : g_sh
                reg [ACC_W-1:0] sh_q;
                wire [ACC_W-1:0] nx;
                if (j + R < P) begin : g_next
                    assign nx = sh[ACC_W*(j+R) +: ACC_W];
                end else begin : g_end
                    assign nx = sh_q;
                end
                always @(posedge aclk) begin
                    if (done_nx_all[j]) sh_q <= acc_nx_all[ACC_W*j +: ACC_W];
                    else sh_q <= nx;
                end
                assign sh[ACC_W*j +: ACC_W] = sh_q;
            end
            // step c of the group is valid in st_q[c]
            reg [NR-1:0] st_q;
            wire [NR:0]  st_in = {st_q, done_nx_all[0]};
            always @(posedge aclk) begin
                if (!aresetn) st_q <= {NR{1'b0}};
                else st_q <= st_in[NR-1:0];
            end
            assign src = sh[ACC_W*R-1:0];
            assign src_v = {R{|st_q}};
            wire unused_chain = &{1'b0, acc_all, done_all, st_in[NR], 1'b0};
        end
    endgenerate

    // one unit per lane position u; the tag of a result is its step e one-hot (0 if invalid)
    wire [OUT_W*R-1:0] y_u;
    wire [NE*R-1:0]    tag_u;
    genvar u, e;
    generate
        for (u = 0; u < R; u = u + 1) begin : g_unit
            wire [ACC_W-1:0] in_acc;
            wire [15:0]      in_sc;
            wire [31:0]      in_bi;
            wire             in_v;
            wire [NE-1:0]    in_tag;
            if (NE > 1) begin : g_sel
                // e ring: the step of the unit's most recent sample; the current sample's
                // step is the ring rotated by one (wiring)
                reg  [NE-1:0] er_q;
                wire [NE:0]   rot = {er_q, er_q[NE-1]};
                wire [NE-1:0] cur = rot[NE-1:0];
                always @(posedge aclk) begin
                    if (!aresetn) er_q <= {1'b1, {(NE-1){1'b0}}} >> 0;
                    else if (src_v[u]) er_q <= cur;
                end
                wire [16*NE-1:0] sc_t;
                wire [32*NE-1:0] bi_t;
                for (e = 0; e < NE; e = e + 1) begin : g_step
                    localparam integer LANE_E = (e % NR) * R + u;
                    localparam integer OUT_E = (e / NR) * P + LANE_E;
                    if (LANE_E < P && OUT_E < OUT_N) begin : g_on
                        assign sc_t[16*e +: 16] = {16{cur[e]}} & scale[16*OUT_E +: 16];
                        assign bi_t[32*e +: 32] = {32{cur[e]}} & bias[32*OUT_E +: 32];
                    end else begin : g_off
                        assign sc_t[16*e +: 16] = 16'd0;
                        assign bi_t[32*e +: 32] = 32'd0;
                    end
                end
                reg [15:0] sc_or;
                reg [31:0] bi_or;
                integer t;
                always @(*) begin
                    sc_or = 16'd0;
                    bi_or = 32'd0;
                    for (t = 0; t < NE; t = t + 1) begin
                        sc_or = sc_or | sc_t[16*t +: 16];
                        bi_or = bi_or | bi_t[32*t +: 32];
                    end
                end
                if (SEL != 0) begin : g_reg
                    reg [ACC_W-1:0] acc_s_q;
                    reg [15:0]      sc_s_q;
                    reg [31:0]      bi_s_q;
                    reg             v_s_q;
                    reg [NE-1:0]    tag_s_q;
                    always @(posedge aclk) begin
                        acc_s_q <= src[ACC_W*u +: ACC_W];
                        sc_s_q <= sc_or;
                        bi_s_q <= bi_or;
                        if (!aresetn) begin
                            v_s_q <= 1'b0;
                            tag_s_q <= {NE{1'b0}};
                        end else begin
                            v_s_q <= src_v[u];
                            tag_s_q <= src_v[u] ? cur : {NE{1'b0}};
                        end
                    end
                    assign in_acc = acc_s_q;
                    assign in_sc = sc_s_q;
                    assign in_bi = bi_s_q;
                    assign in_v = v_s_q;
                    assign in_tag = tag_s_q;
                end else begin : g_wire
                    assign in_acc = src[ACC_W*u +: ACC_W];
                    assign in_sc = sc_or;
                    assign in_bi = bi_or;
                    assign in_v = src_v[u];
                    assign in_tag = src_v[u] ? cur : {NE{1'b0}};
                end
                wire unused_rot = &{1'b0, rot[NE], 1'b0};
            end else begin : g_nosel
                assign in_acc = src[ACC_W*u +: ACC_W];
                if (u < OUT_N) begin : g_on
                    assign in_sc = scale[16*u +: 16];
                    assign in_bi = bias[32*u +: 32];
                end else begin : g_off
                    assign in_sc = 16'd0;
                    assign in_bi = 32'd0;
                end
                assign in_v = src_v[u];
                assign in_tag = src_v[u];
            end
            wire out_v;
            sf_requant_pipe #(
                .ACC_W(ACC_W), .OUT_W(OUT_W), .RELU(RELU), .SPLIT(RQ_SPLIT),
                .DSP_W(RQ_DSP_W), .STAGES(RQ_STAGES), .PARAMS_HELD(NE > 1 ? 2 : 3),
                .TAG_W(NE)
            ) u_rq (
                .aclk(aclk), .aresetn(aresetn), .en(1'b1),
                .in_valid(in_v), .acc(in_acc), .scale(in_sc), .bias(in_bi), .shift(shift),
                .in_tag(in_tag),
                .out_valid(out_v), .y(y_u[OUT_W*u +: OUT_W]), .out_tag(tag_u[NE*u +: NE])
            );
            wire unused_v = &{1'b0, out_v, 1'b0};
        end
    endgenerate

    // ---------------------------------------------------------------- collection and queue (O)
    // output o is lane OJ of group OG: requant step OE of unit OU
    wire [OUT_W*OUT_N-1:0] coll;
    genvar o;
    generate
        for (o = 0; o < OUT_N; o = o + 1) begin : g_coll
            localparam integer OG = o / P;
            localparam integer OJ = o % P;
            localparam integer OE = OG * NR + OJ / R;
            localparam integer OU = OJ % R;
            reg [OUT_W-1:0] c_q;
            always @(posedge aclk) begin
                if (tag_u[NE*OU+OE]) c_q <= y_u[OUT_W*OU +: OUT_W];
            end
            assign coll[OUT_W*o +: OUT_W] = c_q;
        end
    endgenerate

    // The vector's last result is in the collection one clock after its tag: load the queue
    // then. Entry i takes the collection when the vector lands there (entry cnt, or cnt - 1
    // with a pop in the same clock); the strobes for both cases are registered one clock
    // ahead (sf_fanout, FO bits per copy) and m_ready picks one. m_ready alone also shifts
    // the queue towards entry 0 (an empty queue shifts don't-care data).
    wire fin = tag_u[NE-1];
    wire [CW-1:0] cnt_d = cnt_q + { {(CW-1){1'b0}}, push_q} - { {(CW-1){1'b0}}, pop};
    always @(posedge aclk) begin
        if (!aresetn) begin
            push_q <= 1'b0;
            cnt_q <= {CW{1'b0}};
            m_valid_q <= 1'b0;
        end else begin
            push_q <= fin;
            cnt_q <= cnt_d;
            m_valid_q <= cnt_d != {CW{1'b0}};
        end
    end
    localparam integer NQC = (OUT_W * OUT_N + FO - 1) / FO;
    wire [2*C-1:0]     q_st_d;
    wire [2*C*NQC-1:0] q_st;
    wire [OUT_W*OUT_N*C-1:0] qd;
    genvar i;
    generate
        for (i = 0; i < C; i = i + 1) begin : g_qst
            // [2i]: push without pop, [2i+1]: push with pop
            assign q_st_d[2*i] = fin && cnt_d == i;
            assign q_st_d[2*i+1] = fin && (cnt_d == i + 1 || (i == 0 && cnt_d == 0));
        end
    endgenerate
    sf_fanout #(.N(NQC), .W(2 * C)) u_qst (
        .aclk(aclk), .aresetn(aresetn), .d(q_st_d), .q(q_st)
    );
    generate
        for (i = 0; i < C; i = i + 1) begin : g_entry
            for (n = 0; n < NQC; n = n + 1) begin : g_grp
                localparam integer LO = FO * n;
                localparam integer WK = (OUT_W * OUT_N - LO < FO) ? OUT_W * OUT_N - LO : FO;
                reg  [WK-1:0] b_q;
                wire st = m_ready ? q_st[2*C*n + 2*i + 1] : q_st[2*C*n + 2*i];
                wire [WK-1:0] nx;
                if (i + 1 < C) begin : g_next
                    assign nx = qd[OUT_W*OUT_N*(i+1) + LO +: WK];
                end else begin : g_last
                    assign nx = b_q;
                end
                always @(posedge aclk) begin
                    if (st) b_q <= coll[LO +: WK];
                    else if (m_ready) b_q <= nx;
                end
                assign qd[OUT_W*OUT_N*i + LO +: WK] = b_q;
            end
        end
    endgenerate
    assign m_data = qd[OUT_W*OUT_N-1:0];
    assign m_valid = m_valid_q;

    // Sideband queue: the side of a vector enters in the clock after its last read (from
    // x_side, which the next vector's acceptance replaces only at the end of that clock);
    // it may hold sides of vectors still in the pipeline, so it moves only on a pop.
    reg            end_q;
    reg [CW-1:0]   scnt_q;
    wire [CW-1:0]  scnt_d = scnt_q + { {(CW-1){1'b0}}, end_q} - { {(CW-1){1'b0}}, pop};
    always @(posedge aclk) begin
        if (!aresetn) begin
            end_q <= 1'b0;
            scnt_q <= {CW{1'b0}};
        end else begin
            end_q <= end_now;
            scnt_q <= scnt_d;
        end
    end
    localparam integer NSQ = (SIDE_W + FO - 1) / FO;
    wire [2*C-1:0]     s_st_d;
    wire [2*C*NSQ-1:0] s_st;
    wire [NSQ-1:0]     s_mv;     // copies of m_valid: the side queue moves on a real pop only
    sf_fanout #(.N(NSQ), .W(1)) u_smv (
        .aclk(aclk), .aresetn(aresetn), .d(cnt_d != {CW{1'b0}}), .q(s_mv)
    );
    wire [SIDE_W*C-1:0] sd;
    generate
        for (i = 0; i < C; i = i + 1) begin : g_sst
            assign s_st_d[2*i] = end_now && scnt_d == i;
            assign s_st_d[2*i+1] = end_now && (scnt_d == i + 1 || (i == 0 && scnt_d == 0));
        end
    endgenerate
    sf_fanout #(.N(NSQ), .W(2 * C)) u_sst (
        .aclk(aclk), .aresetn(aresetn), .d(s_st_d), .q(s_st)
    );
    generate
        for (i = 0; i < C; i = i + 1) begin : g_sentry
            for (n = 0; n < NSQ; n = n + 1) begin : g_grp
                localparam integer LO = FO * n;
                localparam integer WK = (SIDE_W - LO < FO) ? SIDE_W - LO : FO;
                reg  [WK-1:0] b_q;
                wire pp = m_ready && s_mv[n];
                wire st = pp ? s_st[2*C*n + 2*i + 1] : s_st[2*C*n + 2*i];
                wire [WK-1:0] nx;
                if (i + 1 < C) begin : g_next
                    assign nx = sd[SIDE_W*(i+1) + LO +: WK];
                end else begin : g_last
                    assign nx = b_q;
                end
                always @(posedge aclk) begin
                    if (st) b_q <= x_side[LO +: WK];
                    else if (pp) b_q <= nx;
                end
                assign sd[SIDE_W*i + LO +: WK] = b_q;
            end
        end
    endgenerate
    assign m_side = sd[SIDE_W-1:0];

    wire unused_ok = &{1'b0, ctl_c, 1'b0};

endmodule

`resetall
`default_nettype wire
