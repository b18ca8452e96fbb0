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
//   Derived (do not override)
//     S = ceil(L/Q) steps per output, WB = Q rounded up to a multiple of 4 (bytes per memory
//     word), WPW = WB/4, DEPTH = OUT_N*S words; CFG_AW = clog2(DEPTH*WB) (min 2),
//     CFG_WORD_AW = CFG_AW - 2.
//   Weight memory  one sf_sram_sp (WIDTH 8*WB, DEPTH OUT_N*S): word o*S + s holds at byte q
//     the weight w[o][s*Q + q] (the sf_mac_engine layout with P = 1); bytes with s*Q+q >= L
//     are ignored (products forced to 0). Config word k = bytes 4k..4k+3 of the byte stream
//     a*WB + b, byte 4k in bits 7:0.
//   Input  s_data (x_i at s_data[8i +: 8]), s_sof (first vector of a frame), s_valid,
//     s_ready. Vectors are counted from s_sof; vector PIXELS-1 closes the frame (its sums
//     move to a shadow register and the dot products start) and the next vector starts the
//     next frame's sums, with or without s_sof. s_ready is low only while that
//     last vector waits for the previous frame's dot products (so it depends combinationally
//     on s_sof, never on s_valid).
//   Output  m_data = z[o] (int16), o = 0..OUT_N-1 in order, m_first on o = 0, m_last on
//     o = OUT_N-1; m_valid/m_ready (AXI4-Stream, output register).
//   Timing  the dot products of a frame take OUT_N*(S + 5) clocks plus output waits; the
//     generator sizes Q so that they end well within the next frame (no input stall).
//   Configuration port  as sf_mac_engine (one-clock cfg_req, cfg_ack one or more clocks
//     later, read data valid with cfg_ack), except that an access waits while the dot
//     product issues memory reads (at most S clocks): configure between frames.
//     Words k >= DEPTH*WPW: writes ignored, reads return 0.
//   Scale/bias/shift  sampled per output during the dot products: hold them stable.
//   Reset  aresetn (synchronous, active low) clears the control state; sums, shadow, datapath
//     registers and the weight memory are not reset (the first vector of a frame, s_sof,
//     restarts the sums).
//   Storage  2*IN_N sums of 8+clog2(PIXELS) bits, Q selected sums, an ACC_W accumulator,
//     the ACC_W+16 bit
//     product, the output register; Q multipliers of 8 x (8+clog2(PIXELS)) bits and one
//     ACC_W x 16 multiplier.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module sf_head_pool #(
    parameter integer IN_N   = 16,
    parameter integer OUT_N  = 4,
    parameter integer L      = 16,
    parameter integer GO     = 4,
    parameter integer Q      = 4,
    parameter integer PIXELS = 4,
    parameter integer ACC_W  = 32,
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
            && ACC_W >= 1 && OUT_N % GO == 0 && (OUT_N / GO) * L == IN_N)) begin
            $display("%m: sf_head_pool parameters outside its CONTRACT:");
            $display("  IN_N=%0d OUT_N=%0d L=%0d GO=%0d", IN_N, OUT_N, L, GO);
            $display("  Q=%0d PIXELS=%0d ACC_W=%0d", Q, PIXELS, ACC_W);
            $finish;
        end
    end
`endif

    localparam integer S = (L + Q - 1) / Q;
    localparam integer WB = ((Q + 3) / 4) * 4;
    localparam integer WPW = WB / 4;
    localparam integer DEPTH = OUT_N * S;
    localparam integer MAW = (DEPTH > 1) ? $clog2(DEPTH) : 1;
    localparam integer LW = (WPW > 1) ? $clog2(WPW) : 1;
    localparam integer PW = (PIXELS > 1) ? $clog2(PIXELS) : 1;
    localparam integer SUM_W = 8 + ((PIXELS > 1) ? $clog2(PIXELS) : 0);
    localparam integer SUM_P = 1 << $clog2(SUM_W);                 // SUM_W rounded up to 2^k
    localparam integer XN = IN_N + Q;                              // sums + zero padding
    localparam integer IW = $clog2(XN + 1);                        // sum index bits
    localparam integer OW = (OUT_N > 1) ? $clog2(OUT_N) : 1;
    localparam integer SW = (S > 1) ? $clog2(S) : 1;
    localparam integer GOW = (GO > 1) ? $clog2(GO) : 1;
    localparam integer PROD_W = ACC_W + 16;
    localparam integer RQ_W = (PROD_W > 41 ? PROD_W : 41) + 1;
    localparam [31:0] LAST_PX_I = PIXELS - 1;
    localparam [PW-1:0] LAST_PX = LAST_PX_I[PW-1:0];
    localparam [31:0] LAST_O_I = OUT_N - 1;
    localparam [OW-1:0] LAST_O = LAST_O_I[OW-1:0];
    localparam [31:0] LAST_S_I = S - 1;
    localparam [SW-1:0] LAST_S = LAST_S_I[SW-1:0];
    localparam [31:0] LAST_GO_I = GO - 1;
    localparam [GOW-1:0] LAST_GO = LAST_GO_I[GOW-1:0];
    localparam [31:0] L_I = L;
    localparam [31:0] Q_I = Q;
    localparam [31:0] CFG_WORDS_I = DEPTH * WPW;
    localparam [CFG_WORD_AW:0] CFG_WORDS = CFG_WORDS_I[CFG_WORD_AW:0];
    localparam signed [RQ_W-1:0] HI = 32767;
    localparam signed [RQ_W-1:0] LO = -32768;

    localparam [2:0] ST_IDLE = 3'd0, ST_ISSUE = 3'd1, ST_DRAIN = 3'd2, ST_SCALE = 3'd3,
                     ST_OUT = 3'd4;
    reg [2:0] state_q;
    wire busy = state_q != ST_IDLE;

    // ------------------------------------------------------------------ frame sums
    reg  [PW-1:0] count_q;                         // vectors of this frame accepted so far
    wire [PW-1:0] pos = s_sof ? {PW{1'b0}} : count_q;
    wire          closes = pos == LAST_PX;
    wire          restart = pos == {PW{1'b0}};          // first vector: s_sof or after a close
    assign s_ready = !(closes && busy);
    wire          take = s_valid && s_ready;
    wire          start = take && closes;

    always @(posedge aclk) begin
        if (!aresetn) begin
            count_q <= {PW{1'b0}};
        end else if (take) begin
            count_q <= closes ? {PW{1'b0}} : pos + 1'b1;
        end
    end

    // Sums of the last closed frame, then Q zero entries; each entry padded to SUM_P (a power
    // of two) bits so that selecting entry k is a shift by k, with no multiply in the path.
    wire [SUM_P*XN-1:0] shadow;
    assign shadow[SUM_P*XN-1:SUM_P*IN_N] = {(SUM_P*Q){1'b0}};
    genvar i;
    generate
        for (i = 0; i < IN_N; i = i + 1) begin : g_sum
            reg  [SUM_W-1:0] sum_q, shadow_q;
            wire [SUM_W-1:0] x = { {(SUM_W-8){s_data[8*i+7]}}, s_data[8*i +: 8]};
            wire [SUM_W-1:0] next = (restart ? {SUM_W{1'b0}} : sum_q) + x;
            always @(posedge aclk) begin
                if (take) sum_q <= next;
                if (start) shadow_q <= next;
            end
            assign shadow[SUM_P*i +: SUM_P] =
                { {(SUM_P-SUM_W+1){shadow_q[SUM_W-1]}}, shadow_q[SUM_W-2:0]};
        end
    endgenerate

    // ------------------------------------------------------------------ dot products
    reg [OW-1:0]  o_q;        // output
    reg [GOW-1:0] og_q;       // output within its group
    reg [IW-1:0]  gbase_q;    // first input of the group, (o/GO)*L
    reg [SW-1:0]  s_q;        // step
    reg [IW-1:0]  soff_q;     // s*Q
    reg [MAW-1:0] a_q;        // memory word o*S + s
    reg [1:0]     drain_q;
    wire          issue = state_q == ST_ISSUE;

    always @(posedge aclk) begin
        if (!aresetn) begin
            state_q <= ST_IDLE;
        end else begin
            case (state_q)
                ST_IDLE:  if (start) state_q <= ST_ISSUE;
                ST_ISSUE: if (s_q == LAST_S) state_q <= ST_DRAIN;
                ST_DRAIN: if (drain_q == 2'd1) state_q <= ST_SCALE;
                ST_SCALE: state_q <= ST_OUT;
                ST_OUT:   if (!m_valid || m_ready) state_q <= (o_q == LAST_O) ? ST_IDLE : ST_ISSUE;
                default:  state_q <= ST_IDLE;
            endcase
        end
    end
    always @(posedge aclk) begin
        if (start && !busy) begin
            o_q <= {OW{1'b0}};
            og_q <= {GOW{1'b0}};
            gbase_q <= {IW{1'b0}};
            s_q <= {SW{1'b0}};
            soff_q <= {IW{1'b0}};
            a_q <= {MAW{1'b0}};
        end else if (issue) begin
            s_q <= (s_q == LAST_S) ? {SW{1'b0}} : s_q + 1'b1;
            soff_q <= (s_q == LAST_S) ? {IW{1'b0}} : soff_q + Q_I[IW-1:0];
            a_q <= a_q + 1'b1;
        end else if (state_q == ST_OUT && (!m_valid || m_ready)) begin
            o_q <= o_q + 1'b1;
            og_q <= (og_q == LAST_GO) ? {GOW{1'b0}} : og_q + 1'b1;
            gbase_q <= (og_q == LAST_GO) ? gbase_q + L_I[IW-1:0] : gbase_q;
        end
        drain_q <= (state_q == ST_DRAIN) ? drain_q + 1'b1 : 2'd0;
    end

    // ------------------------------------------------------------------ weight memory
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

    // A configuration request waits in cfg_*_q while the dot product reads the memory.
    reg                   cfg_pend_q, cfg_we_q, cfg_ack_q, cfg_ok_q;
    reg [CFG_WORD_AW-1:0] cfg_addr_q;
    reg [31:0]            cfg_wdata_q;
    reg [LW-1:0]          cfg_lw_q;
    wire                   cfg_any = cfg_req || cfg_pend_q;
    wire                   cfg_go = cfg_any && !issue;
    wire                   cfg_w = cfg_pend_q ? cfg_we_q : cfg_we;
    wire [CFG_WORD_AW-1:0] cfg_k = cfg_pend_q ? cfg_addr_q : cfg_addr;
    wire [31:0]            cfg_d = cfg_pend_q ? cfg_wdata_q : cfg_wdata;
    wire                   cfg_in_range = ({1'b0, cfg_k} < CFG_WORDS);
    wire [LW-1:0]          cfg_lw = cfg_lane_of(cfg_k);

    always @(posedge aclk) begin
        if (!aresetn) begin
            cfg_pend_q <= 1'b0;
            cfg_ack_q <= 1'b0;
        end else begin
            cfg_pend_q <= cfg_any && !cfg_go;
            cfg_ack_q <= cfg_go;
        end
        if (cfg_req) begin
            cfg_we_q <= cfg_we;
            cfg_addr_q <= cfg_addr;
            cfg_wdata_q <= cfg_wdata;
        end
        cfg_lw_q <= cfg_lw;
        cfg_ok_q <= cfg_in_range;
    end

    wire [8*WB-1:0] mem_rdata;
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
        .req  (cfg_go ? cfg_in_range : issue),
        .we   (cfg_go && cfg_w),
        .addr (cfg_go ? cfg_line_of(cfg_k) : a_q),
        .wdata({WPW{cfg_d}}),
        .be   (mem_be),
        .rdata(mem_rdata)
    );
    assign cfg_ack = cfg_ack_q;
    assign cfg_rdata = cfg_ok_q ? mem_rdata[32*cfg_lw_q +: 32] : 32'd0;

    // ------------------------------------------------------------------ multiply-accumulate
    // R: the word read in the previous clock, beside the Q sums it multiplies (selected from
    // the shadow in the issuing clock, 0 beyond the group's L inputs, so no wide mux sits in
    // front of the multipliers); P: Q products summed; A: accumulate.
    reg           rd_v_q, rd_first_q, p_v_q, p_first_q;
    always @(posedge aclk) begin
        if (!aresetn) begin
            rd_v_q <= 1'b0;
            p_v_q <= 1'b0;
        end else begin
            rd_v_q <= issue;
            p_v_q <= rd_v_q;
        end
        rd_first_q <= s_q == {SW{1'b0}};
        p_first_q <= rd_first_q;
    end
    wire [SUM_W*Q-1:0] xs;
    genvar qs;
    generate
        for (qs = 0; qs < Q; qs = qs + 1) begin : g_xs
            localparam [31:0] QS_I = qs;
            wire [IW-1:0] idx = gbase_q + soff_q + QS_I[IW-1:0];
            wire          on = { {(32-IW){1'b0}}, soff_q} + QS_I < L_I;
            reg  [SUM_W-1:0] xs_q;
            always @(posedge aclk) begin
                xs_q <= on ? shadow[SUM_P*idx +: SUM_W] : {SUM_W{1'b0}};
            end
            assign xs[SUM_W*qs +: SUM_W] = xs_q;
        end
    endgenerate

    // Q products of 8 x SUM_W bits; |psum| <= min(Q, L)*128*128*PIXELS also fits ACC_W bits,
    // so the partial sum never needs more than ACC_W (exact ACC_W may be below PS_FULL).
    localparam integer PS_FULL = SUM_W + 8 + ((Q > 1) ? $clog2(Q) : 0);
    localparam integer PS_W = (PS_FULL < ACC_W) ? PS_FULL : ACC_W;
    reg signed [PS_W-1:0] psum;
    reg signed [PS_W-1:0] term;
    integer q;
    always @(*) begin
        psum = {PS_W{1'b0}};
        for (q = 0; q < Q; q = q + 1) begin
            term = $signed(mem_rdata[8*q +: 8]) * $signed(xs[SUM_W*q +: SUM_W]);
            psum = psum + term;
        end
    end

    reg signed [PS_W-1:0]   psum_q;
    reg signed [ACC_W-1:0]  acc_q;
    reg signed [PROD_W-1:0] prod_q;
    always @(posedge aclk) begin
        if (rd_v_q) psum_q <= psum;
        if (p_v_q) acc_q <= (p_first_q ? {ACC_W{1'b0}} : acc_q)
                            + { {(ACC_W-PS_W+1){psum_q[PS_W-1]}}, psum_q[PS_W-2:0]};
        if (state_q == ST_SCALE) prod_q <= acc_q * $signed(scale[16*o_q +: 16]);
    end

    // ------------------------------------------------------------------ requant16, output
    wire [31:0] bi = bias[32*o_q +: 32];
    wire [RQ_W-1:0] rnd = (shift == 6'd0) ? {RQ_W{1'b0}}
                                          : ({ {(RQ_W-1){1'b0}}, 1'b1} << (shift - 6'd1));
    wire signed [RQ_W-1:0] rq_sum = { {(RQ_W-PROD_W){prod_q[PROD_W-1]}}, prod_q}
                                  + { {(RQ_W-32){bi[31]}}, bi} + $signed(rnd);
    wire signed [RQ_W-1:0] rq_shifted = rq_sum >>> shift;
    wire [15:0] z = (rq_shifted > HI) ? 16'h7fff : (rq_shifted < LO) ? 16'h8000
                                                                      : rq_shifted[15:0];

    reg        m_valid_q, m_first_q, m_last_q;
    reg [15:0] m_data_q;
    wire       put = state_q == ST_OUT && (!m_valid_q || m_ready);
    always @(posedge aclk) begin
        if (!aresetn) begin
            m_valid_q <= 1'b0;
        end else if (put) begin
            m_valid_q <= 1'b1;
        end else if (m_ready) begin
            m_valid_q <= 1'b0;
        end
        if (put) begin
            m_data_q <= z;
            m_first_q <= o_q == {OW{1'b0}};
            m_last_q <= o_q == LAST_O;
        end
    end
    assign m_data = m_data_q;
    assign m_first = m_first_q;
    assign m_last = m_last_q;
    assign m_valid = m_valid_q;

endmodule

`resetall
`default_nettype wire
