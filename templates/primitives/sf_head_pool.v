// sf_head_pool: model head with global average pooling (semifreddo primitive, SPEC §2
// "Head h" with pooling): z[o] = requant16(sum_p acc_o(p)) once per frame.
//
// CONTRACT
//   Computes, for every frame of PIXELS input vectors x(p) (IN_N int8 values each),
//     z[o] = clamp16((acc[o]*scale[o] + bias[o] + rnd) >>> shift),
//     acc[o] = sum_p sum_{i < L} w[o][i] * x_{(o/GO)*L + i}(p)
//   for o < OUT_N (grouped pointwise conv, GO outputs per group of L inputs), rnd and `>>>`
//   as in SPEC §2. The pooling is done first: the frame sums X_i = sum_p x_i(p) are exact
//   integers, so acc[o] = sum_i w[o][i] * X_{(o/GO)*L + i} is the same number (linearity),
//   computed with Q products per clock once per frame instead of per pixel.
//   Parameters
//     IN_N, OUT_N, L, GO   inputs, outputs, products per output, outputs per group (>= 1;
//                          (OUT_N/GO)*L = IN_N).
//     Q                    products per clock, >= 1.
//     PIXELS               vectors per frame, >= 1.
//     ACC_W                signed accumulator bits, enough for L*128*128*PIXELS (exact).
//     RQ_STAGES            registers of the requant16 unit (sf_requant_pipe STAGES, 1..4).
//     RQ_DSP_W             its DSP_W (0, or an FPGA's DSP operand bits, >= 17).
//     MUL_REG              1: a register after the Q products, before their sum (one more
//                          clock of latency; the plan sets it with the engines' product
//                          register, e.g. for the ECP5, where a product is a DSP).
//   Derived (do not override)
//     S = ceil(L/Q) steps per output, WB = Q rounded up to a multiple of 4 (bytes per memory
//     word), WPW = WB/4, DEPTH = OUT_N*S words; CFG_AW = clog2(DEPTH*WB) (min 2),
//     CFG_WORD_AW = CFG_AW - 2.
//   Depends on sf_sram_sp.v, sf_requant_pipe.v and sf_fanout.v.
//   Weight memory  one sf_sram_sp (WIDTH 8*WB, DEPTH OUT_N*S): word o*S + s holds at byte q
//     the weight w[o][s*Q + q] (the sf_mac_engine layout with P = 1); bytes with s*Q+q >= L
//     are ignored (products forced to 0). Config word k = bytes 4k..4k+3 of the byte stream
//     a*WB + b, byte 4k in bits 7:0.
//   Input  s_data (x_i at s_data[8i +: 8]), s_sof (first vector of a frame), s_valid,
//     s_ready. Vectors are counted from s_sof; vector PIXELS-1 closes the frame (its sums
//     move to a shadow register and the dot products start) and the next vector starts the
//     next frame's sums, with or without s_sof. s_ready is a register: low only while the
//     previous frame's dot products still read the shadow and the next vector would be the
//     frame's last by the count (PIXELS - 1 vectors since the last s_sof or close).
//   Output  m_data = z[o] (int16), o = 0..OUT_N-1 in order, m_first on o = 0, m_last on
//     o = OUT_N-1; m_valid/m_ready (AXI4-Stream, registers).
//   Timing  the dot products of a frame start two clocks after its closing vector and read
//     one memory word per clock, OUT_N*S clocks (plus pauses for configuration accesses and
//     for a full output queue); each result follows its last read by RQ_STAGES + MUL_REG + 6
//     clocks, and a frame's dot products end within OUT_N*(S+5) + RQ_STAGES + MUL_REG + 8
//     clocks of its closing vector.
//     The generator sizes Q so that they end well within the next frame (no input stall).
//   Configuration port  a one-clock cfg_req; the next one after cfg_ack. cfg_we and cfg_addr
//     are sampled with cfg_req, cfg_wdata must stay valid until cfg_ack (the register bus
//     holds it). The access waits until the reads of the output in progress end (at most S
//     clocks): cfg_ack comes 3 to S + 3 clocks after cfg_req, for a read with cfg_rdata in
//     that clock. Words k >= DEPTH*WPW: writes ignored, reads return 0. Configure between
//     frames.
//   Scale/bias/shift  read per output during the dot products: hold them stable.
//   Reset  aresetn (synchronous, active low) clears the control state; sums, shadow, datapath
//     registers and the weight memory are not reset (the first vector of a frame, s_sof,
//     restarts the sums).
//   Storage  2*IN_N sums of 8+clog2(PIXELS) bits, the selected sums and weights (Q each), the
//     product sum, the accumulator, the requant16 unit, a 2-entry output queue; one-hot
//     rings selecting sums (steps, groups) and scale/bias (outputs); Q multipliers of
//     8 x (8+clog2(PIXELS)) bits and one ACC_W x 16 multiplier.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module sf_head_pool #(
    parameter integer IN_N      = 16,
    parameter integer OUT_N     = 4,
    parameter integer L         = 16,
    parameter integer GO        = 4,
    parameter integer Q         = 4,
    parameter integer PIXELS    = 4,
    parameter integer ACC_W     = 32,
    parameter integer RQ_STAGES = 3,
    parameter integer RQ_DSP_W  = 0,
    parameter integer MUL_REG   = 0,
    // derived, do not override
    parameter integer CFG_AW = (OUT_N * ((L + Q - 1) / Q) * ((Q + 3) / 4) > 1)
        ? $clog2(4 * OUT_N * ((L + Q - 1) / Q) * ((Q + 3) / 4)) : 2,
    parameter integer CFG_WORD_AW = CFG_AW - 2 > 0 ? CFG_AW - 2 : 1
) (
    input  wire                   aclk,
    input  wire                   aresetn,
    input  wire [8*IN_N-1:0]      s_data,
    input  wire                   s_sof,
    input  wire                   s_valid,
    output wire                   s_ready,
    output wire [15:0]            m_data,
    output wire                   m_first,
    output wire                   m_last,
    output wire                   m_valid,
    input  wire                   m_ready,
    input  wire [16*OUT_N-1:0]    scale,
    input  wire [32*OUT_N-1:0]    bias,
    input  wire [5:0]             shift,
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
        if (!(IN_N >= 1 && OUT_N >= 1 && L >= 1 && GO >= 1 && Q >= 1 && PIXELS >= 1
            && ACC_W >= 1 && OUT_N % GO == 0 && (OUT_N / GO) * L == IN_N
            && RQ_STAGES >= 1 && RQ_STAGES <= 4 && (RQ_DSP_W == 0 || RQ_DSP_W >= 17)
            && (MUL_REG == 0 || MUL_REG == 1))) begin
            $display("%m: sf_head_pool parameters outside its CONTRACT:");
            $display("  IN_N=%0d OUT_N=%0d L=%0d GO=%0d", IN_N, OUT_N, L, GO);
            $display("  Q=%0d PIXELS=%0d ACC_W=%0d RQ_STAGES=%0d RQ_DSP_W=%0d MUL_REG=%0d", Q,
                     PIXELS, ACC_W, RQ_STAGES, RQ_DSP_W, MUL_REG);
            $finish;
        end
    end
`endif

    localparam integer FO = 48;                                    // loads per control flop
    localparam integer S = (L + Q - 1) / Q;
    localparam integer WB = ((Q + 3) / 4) * 4;
    localparam integer WPW = WB / 4;
    localparam integer DEPTH = OUT_N * S;
    localparam integer MAW = (DEPTH > 1) ? $clog2(DEPTH) : 1;
    localparam integer PW = (PIXELS > 1) ? $clog2(PIXELS) : 1;
    localparam integer SUM_W = 8 + ((PIXELS > 1) ? $clog2(PIXELS) : 0);
    localparam integer NG = OUT_N / GO;                            // input groups
    localparam integer T = (Q > 1) ? $clog2(Q) : 0;
    localparam integer PS_FULL = SUM_W + 8 + T;
    localparam integer PS_W = (PS_FULL < ACC_W) ? PS_FULL : ACC_W; // product sum bits
    localparam [31:0] LAST_PX_I = PIXELS - 1;
    localparam [PW-1:0] LAST_PX = LAST_PX_I[PW-1:0];
    localparam [31:0] DEPTH_I = DEPTH;
    localparam [31:0] CFG_WORDS_I = DEPTH * WPW;
    localparam [CFG_WORD_AW:0] CFG_WORDS = CFG_WORDS_I[CFG_WORD_AW:0];
    localparam [MAW:0] LAST_A = DEPTH_I[MAW:0] - 1'b1;

    // ------------------------------------------------------------------ frame sums
    // s_ready and "the next vector restarts the sums" are registers, copied so that each
    // copy enables at most FO sum bits.
    localparam integer NSC = (IN_N * SUM_W + FO - 1) / FO;
    reg  [PW-1:0] count_q;                       // vectors of this frame accepted so far
    reg           running_q;                     // the dot products still read the shadow
    wire [2*NSC-1:0] in_c;                       // copies of {first vector, s_ready}
    wire          rdy = in_c[0];
    assign s_ready = rdy;
    wire          take = s_valid && rdy;
    wire [PW-1:0] pos = s_sof ? {PW{1'b0}} : count_q;
    wire          closes = pos == LAST_PX;
    wire          start = take && closes;
    wire [PW-1:0] count_d = take ? (closes ? {PW{1'b0}} : pos + 1'b1) : count_q;
    wire          issue_end;                     // the last read of the frame, this clock
    wire          running_d = start || (running_q && !issue_end);
    wire          rdy_d = !(running_d && count_d == LAST_PX);
    sf_fanout #(.N(NSC), .W(2), .RESET(2'b11)) u_in (
        .aclk(aclk), .aresetn(aresetn), .d({count_d == {PW{1'b0}}, rdy_d}), .q(in_c)
    );
    always @(posedge aclk) begin
        if (!aresetn) begin
            count_q <= {PW{1'b0}};
            running_q <= 1'b0;
        end else begin
            count_q <= count_d;
            running_q <= running_d;
        end
    end

    // start is registered (copies enable the shadow): the shadow takes the completed sums
    // one clock after the closing vector, before the next vector's sum lands.
    localparam integer NOC = (OUT_N + FO - 1) / FO;
    wire [NSC-1:0] start_c;
    sf_fanout #(.N(NSC), .W(1)) u_start (
        .aclk(aclk), .aresetn(aresetn), .d(start), .q(start_c)
    );
    wire [SUM_W*IN_N-1:0] shadow;
    genvar i;
    generate
        for (i = 0; i < IN_N; i = i + 1) begin : g_sum
            localparam integer CP = (i * SUM_W) / FO;
            reg  [SUM_W-1:0] sum_q, shadow_q;
            wire [SUM_W-1:0] x = { {(SUM_W-8){s_data[8*i+7]}}, s_data[8*i +: 8]};
            wire             restart = s_sof || in_c[2*CP+1];
            always @(posedge aclk) begin
                if (s_valid && in_c[2*CP]) sum_q <= (restart ? {SUM_W{1'b0}} : sum_q) + x;
                if (start_c[CP]) shadow_q <= sum_q;
            end
            assign shadow[SUM_W*i +: SUM_W] = shadow_q;
        end
    endgenerate

    // ------------------------------------------------------------------ reads
    // One memory word per clock, output after output; the first read of an output waits for
    // a free place in the output path (a reservation) and for no configuration access.
    reg           act_q;          // reads of the frame remain
    reg  [MAW-1:0] a_q;           // next word
    reg           out_first_q;    // a_q is the first step of an output
    reg  [1:0]    res_q;          // outputs reserved, not yet sent (<= 2)
    reg           cfg_pend_q;
    wire          pop = m_valid && m_ready;
    wire          gate_ok = !out_first_q || (res_q != 2'd2 && !cfg_pend_q);
    wire          rd = act_q && gate_ok;
    assign        issue_end = rd && ({1'b0, a_q} == LAST_A);
    localparam [31:0] S_I = S;
    reg  [31:0]   s_cnt_q;        // step within the output
    always @(posedge aclk) begin
        if (!aresetn) begin
            act_q <= 1'b0;
            res_q <= 2'd0;
        end else begin
            if (start_c[0]) act_q <= 1'b1;
            else if (issue_end) act_q <= 1'b0;
            res_q <= res_q + {1'b0, rd && out_first_q} - {1'b0, pop};
        end
        // every frame reads all DEPTH words, so the counters and the rings below come back
        // to their reset state after each frame (outputs of the previous frame may still be
        // in the pipeline when the next frame starts)
        if (!aresetn) begin
            a_q <= {MAW{1'b0}};
            s_cnt_q <= 32'd0;
            out_first_q <= 1'b1;
        end else if (rd) begin
            a_q <= issue_end ? {MAW{1'b0}} : a_q + 1'b1;
            s_cnt_q <= (s_cnt_q == S_I - 1) ? 32'd0 : s_cnt_q + 1;
            out_first_q <= (s_cnt_q == S_I - 1);
        end
    end

    // one-hot rings of the most recent read: step s (copies of FO loads) and input group g
    localparam integer NSR = (Q * NG * SUM_W + FO - 1) / FO;
    localparam integer NGR = (Q * SUM_W + FO - 1) / FO;
    wire [S*NSR-1:0]  sring;
    wire [NG*NGR-1:0] gring;
    genvar k;
    generate
        for (k = 0; k < NSR; k = k + 1) begin : g_sring
            reg  [S-1:0] r_q;
            wire [S:0]   rot = {r_q, r_q[S-1]};
            always @(posedge aclk) begin
                if (!aresetn) r_q <= {1'b1, {(S-1){1'b0}}} >> 0;
                else if (rd) r_q <= rot[S-1:0];
            end
            assign sring[S*k +: S] = r_q;
            wire unused_rot = &{1'b0, rot[S], 1'b0};
        end
        for (k = 0; k < NGR; k = k + 1) begin : g_gring
            // the group moves on at the first read of every GO-th output (its own counter of
            // the output within the group)
            reg  [NG-1:0] r_q;
            reg  [31:0]   og_q;
            wire [NG:0]   rot = {r_q, r_q[NG-1]};
            always @(posedge aclk) begin
                if (!aresetn) begin
                    r_q <= {1'b1, {(NG-1){1'b0}}} >> 0;
                    og_q <= GO - 1;
                end else if (rd && out_first_q) begin
                    og_q <= (og_q == GO - 1) ? 32'd0 : og_q + 1;
                    if (og_q == GO - 1) r_q <= rot[NG-1:0];
                end
            end
            assign gring[NG*k +: NG] = r_q;
            wire unused_rot = &{1'b0, rot[NG], 1'b0};
        end
    endgenerate

    // ------------------------------------------------------------------ weight memory
    function [MAW-1:0] cfg_line_of;
        input [CFG_WORD_AW-1:0] kk;
        integer t;
        begin
            t = { {(32-CFG_WORD_AW){1'b0}}, kk} / WPW;
            t = t - ((t >>> MAW) <<< MAW);
            cfg_line_of = t[MAW-1:0];
        end
    endfunction
    function [WPW-1:0] cfg_lane_of;
        input [CFG_WORD_AW-1:0] kk;
        integer t;
        begin
            t = { {(32-CFG_WORD_AW){1'b0}}, kk} % WPW;
            cfg_lane_of = { {(WPW-1){1'b0}}, 1'b1} << t;
        end
    endfunction
    reg            cfg_we_q, cfg_ok_q, cfg_c1_q, cfg_ack_q;
    reg  [MAW-1:0] cfg_line_q;
    reg  [WPW-1:0] cfg_lane_q;
    reg  [31:0]    cfg_rdata_q;
    wire           cfg_go = cfg_pend_q && !rd;
    wire [8*WB-1:0] mem_rdata;
    wire [WB-1:0]   mem_be;
    always @(posedge aclk) begin
        if (!aresetn) begin
            cfg_pend_q <= 1'b0;
            cfg_c1_q <= 1'b0;
            cfg_ack_q <= 1'b0;
        end else begin
            cfg_pend_q <= cfg_req || (cfg_pend_q && !cfg_go);
            cfg_c1_q <= cfg_go;
            cfg_ack_q <= cfg_c1_q;
        end
        if (cfg_req) begin
            cfg_we_q <= cfg_we;
            cfg_ok_q <= ({1'b0, cfg_addr} < CFG_WORDS);
            cfg_line_q <= cfg_line_of(cfg_addr);
            cfg_lane_q <= cfg_lane_of(cfg_addr);
        end
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
        .DEPTH(DEPTH),
        .BE_W (8)
    ) u_wmem (
        .aclk (aclk),
        .req  (rd || (cfg_go && cfg_ok_q)),
        .we   (cfg_go && cfg_we_q),
        .addr (cfg_go ? cfg_line_q : a_q),
        .wdata({WPW{cfg_wdata}}),
        .be   (mem_be),
        .rdata(mem_rdata)
    );

    // ------------------------------------------------------------------ select, multiply, sum
    // X: the Q sums of the step read in the previous clock (0 beyond the group's L inputs),
    // beside the registered memory word; then the Q products and their sum; then the
    // accumulator (restarted by the first step of each output).
    reg             v_r_q;      // a read in the previous clock (the rings show its step)
    reg             first_x_q, done_x_q;
    reg [8*Q-1:0]   w_q;
    wire [SUM_W*Q-1:0] xs;
    genvar q, s, g;
    generate
        for (q = 0; q < Q; q = q + 1) begin : g_xs
            wire [SUM_W*NG-1:0] xa;
            for (g = 0; g < NG; g = g + 1) begin : g_grp
                localparam integer SC = ((q * NG + g) * NSR) / (Q * NG);
                wire [SUM_W*S-1:0] terms;
                for (s = 0; s < S; s = s + 1) begin : g_step
                    if (s * Q + q < L) begin : g_on
                        localparam integer IDX = g * L + s * Q + q;
                        assign terms[SUM_W*s +: SUM_W] =
                            {SUM_W{sring[S*SC+s]}} & shadow[SUM_W*IDX +: SUM_W];
                    end else begin : g_off
                        assign terms[SUM_W*s +: SUM_W] = {SUM_W{1'b0}};
                    end
                end
                reg [SUM_W-1:0] orr;
                integer t;
                always @(*) begin
                    orr = {SUM_W{1'b0}};
                    for (t = 0; t < S; t = t + 1) orr = orr | terms[SUM_W*t +: SUM_W];
                end
                localparam integer GC = (q * NGR) / Q;
                assign xa[SUM_W*g +: SUM_W] = {SUM_W{gring[NG*GC+g]}} & orr;
            end
            reg [SUM_W-1:0] orb;
            reg [SUM_W-1:0] x_q;
            integer t;
            always @(*) begin
                orb = {SUM_W{1'b0}};
                for (t = 0; t < NG; t = t + 1) orb = orb | xa[SUM_W*t +: SUM_W];
            end
            always @(posedge aclk) x_q <= orb;
            assign xs[SUM_W*q +: SUM_W] = x_q;
        end
    endgenerate
    always @(posedge aclk) begin
        w_q <= mem_rdata[8*Q-1:0];
        first_x_q <= sring[0];
        if (!aresetn) begin
            v_r_q <= 1'b0;
            done_x_q <= 1'b0;
        end else begin
            v_r_q <= rd;
            done_x_q <= v_r_q && sring[S-1];
        end
    end
    generate
        if (WB > Q) begin : g_pad
            wire unused_pad = &{1'b0, mem_rdata[8*WB-1:8*Q], 1'b0};
        end
    endgenerate

    // the Q products, registered with MUL_REG (the markers wait beside them)
    wire [PS_W*Q-1:0] prod;
    wire first_y, done_y;                       // first_x_q / done_x_q beside `prod_y`
    wire [PS_W*Q-1:0] prod_y;
    generate
        for (q = 0; q < Q; q = q + 1) begin : g_prod
            assign prod[PS_W*q +: PS_W] = $signed(w_q[8*q +: 8]) * $signed(xs[SUM_W*q +: SUM_W]);
        end
        if (MUL_REG != 0) begin : g_mreg
            reg [PS_W*Q-1:0] prod_q;
            reg first_m_q, done_m_q;
            always @(posedge aclk) begin
                prod_q <= prod;
                first_m_q <= first_x_q;
                if (!aresetn) done_m_q <= 1'b0;
                else done_m_q <= done_x_q;
            end
            assign prod_y = prod_q;
            assign first_y = first_m_q;
            assign done_y = done_m_q;
        end else begin : g_mwire
            assign prod_y = prod;
            assign first_y = first_x_q;
            assign done_y = done_x_q;
        end
    endgenerate

    // their sum (|psum| <= min(Q, L)*128*128*PIXELS also fits ACC_W bits)
    reg signed [PS_W-1:0] psum;
    integer n;
    always @(*) begin
        psum = {PS_W{1'b0}};
        for (n = 0; n < Q; n = n + 1) psum = psum + $signed(prod_y[PS_W*n +: PS_W]);
    end
    reg signed [PS_W-1:0]  psum_q;
    reg                    first_p_q, done_p_q;
    reg signed [ACC_W-1:0] acc_q;
    reg                    done_a_q;
    always @(posedge aclk) begin
        psum_q <= psum;
        first_p_q <= first_y;
        acc_q <= (first_p_q ? {ACC_W{1'b0}} : acc_q)
                 + { {(ACC_W-PS_W+1){psum_q[PS_W-1]}}, psum_q[PS_W-2:0]};
        if (!aresetn) begin
            done_p_q <= 1'b0;
            done_a_q <= 1'b0;
        end else begin
            done_p_q <= done_y;
            done_a_q <= done_p_q;
        end
    end

    // ------------------------------------------------------------------ requant16, output
    // One-hot ring of the output being requantized (it advances with each finished
    // accumulator; copies of that strobe each move FO ring bits); the scale and bias it
    // selects are registered with the accumulator, then sf_requant_pipe.
    wire [NOC-1:0] adv_c;   // copies of done_p_q
    sf_fanout #(.N(NOC), .W(1)) u_adv (
        .aclk(aclk), .aresetn(aresetn), .d(done_y), .q(adv_c)
    );
    reg  [OUT_N-1:0] or_q;                       // output of the accumulator in acc_q
    wire [OUT_N:0]   or_rot = {or_q, or_q[OUT_N-1]};
    wire unused_or = &{1'b0, or_rot[OUT_N], 1'b0};
    genvar o;
    generate
        for (o = 0; o < NOC; o = o + 1) begin : g_oring
            localparam integer LO = FO * o;
            localparam integer WK = (OUT_N - LO < FO) ? OUT_N - LO : FO;
            localparam [WK-1:0] RST = (OUT_N - LO <= FO) ? {1'b1, {(WK-1){1'b0}}} >> 0 : 0;
            always @(posedge aclk) begin
                if (!aresetn) or_q[LO +: WK] <= RST;
                else if (adv_c[o]) or_q[LO +: WK] <= or_rot[LO +: WK];
            end
        end
    endgenerate
    reg [15:0] sc_or;
    reg [31:0] bi_or;
    integer m;
    always @(*) begin
        sc_or = 16'd0;
        bi_or = 32'd0;
        for (m = 0; m < OUT_N; m = m + 1) begin
            sc_or = sc_or | ({16{or_q[m]}} & scale[16*m +: 16]);
            bi_or = bi_or | ({32{or_q[m]}} & bias[32*m +: 32]);
        end
    end
    reg [ACC_W-1:0] rq_acc_q;
    reg [15:0]      rq_sc_q;
    reg [31:0]      rq_bi_q;
    reg             rq_v_q;
    reg [1:0]       rq_tag_q;                    // {last output, first output}
    always @(posedge aclk) begin
        rq_acc_q <= acc_q;
        rq_sc_q <= sc_or;
        rq_bi_q <= bi_or;
        rq_tag_q <= {or_q[OUT_N-1], or_q[0]};
        if (!aresetn) rq_v_q <= 1'b0;
        else rq_v_q <= done_a_q;
    end
    wire        z_v;
    wire [15:0] z;
    wire [1:0]  z_tag;
    sf_requant_pipe #(
        .ACC_W(ACC_W), .OUT_W(16), .RELU(0), .SPLIT(1), .DSP_W(RQ_DSP_W),
        .STAGES(RQ_STAGES), .PARAMS_HELD(2), .TAG_W(2)
    ) u_rq (
        .aclk(aclk), .aresetn(aresetn), .en(1'b1),
        .in_valid(rq_v_q), .acc(rq_acc_q), .scale(rq_sc_q), .bias(rq_bi_q), .shift(shift),
        .in_tag(rq_tag_q), .out_valid(z_v), .y(z), .out_tag(z_tag)
    );

    // 2-entry output queue, entry 0 = the output registers; m_ready shifts it
    reg [17:0] e0_q, e1_q;
    reg [1:0]  cnt_q;
    wire [1:0] cnt_d = cnt_q + {1'b0, z_v} - {1'b0, pop};
    wire       to0 = z_v && (cnt_q == 2'd0 || (cnt_q == 2'd1 && m_ready));
    always @(posedge aclk) begin
        if (!aresetn) cnt_q <= 2'd0;
        else cnt_q <= cnt_d;
        if (to0) e0_q <= {z_tag, z};
        else if (m_ready) e0_q <= e1_q;
        if (z_v) e1_q <= {z_tag, z};
    end
    assign m_data = e0_q[15:0];
    assign m_first = e0_q[16];
    assign m_last = e0_q[17];
    reg m_valid_q;
    always @(posedge aclk) begin
        if (!aresetn) m_valid_q <= 1'b0;
        else m_valid_q <= cnt_d != 2'd0;
    end
    assign m_valid = m_valid_q;

endmodule

`resetall
`default_nettype wire
