// Self-checking Icarus Verilog testbench of sf_mac_engine (second simulator, 4-state):
// programs random weights through the cfg port, streams random vectors with valid gaps,
// ready backpressure and cfg reads in flight, and compares every output and the sideband with
// a behavioural reference (index formula + SPEC §2 requant). Prints PASS or FAIL.
`timescale 1ns / 1ps
`default_nettype none

module tb_mac_iv;
    parameter integer IN_N = 36, OUT_N = 8, L = 9, P = 4, Q = 3;
    parameter integer OFFSET = 0, SI = 4, SO = 1, GO = 4, SG = -4;
    parameter integer ACC_W = 20, RELU = 0, OUT_W = 8, SIDE_W = 3;
    parameter integer OP_REG = 0, MUL_REG = 0, LPR = 8, RQ_STAGES = 3, RQ_SPLIT = 1, RQ_SEL = 0;
    parameter integer SHIFT = 14, NVEC = 60, SEED = 1;

    localparam integer G = (OUT_N + P - 1) / P, S = (L + Q - 1) / Q;
    localparam integer WB = ((P * Q + 3) / 4) * 4, NWORDS = G * S * WB / 4;
    localparam integer CFG_AW = (NWORDS > 1) ? $clog2(4 * NWORDS) : 2;
    localparam integer CFG_WORD_AW = CFG_AW - 2 > 0 ? CFG_AW - 2 : 1;

    reg aclk = 0, aresetn = 0;
    always #5 aclk = ~aclk;

    reg  [8*IN_N-1:0] s_data;
    reg  [SIDE_W-1:0] s_side;
    reg               s_valid = 0;
    wire              s_ready;
    wire [OUT_W*OUT_N-1:0] m_data;
    wire [SIDE_W-1:0] m_side;
    wire              m_valid;
    reg               m_ready = 0;
    reg  [16*OUT_N-1:0] scale;
    reg  [32*OUT_N-1:0] bias;
    reg               cfg_req = 0, cfg_we = 0;
    reg  [31:0]       cfg_wdata = 0;
    reg  [31:0]       cfg_addr32 = 0;
    wire              cfg_ack;
    wire [31:0]       cfg_rdata;

    sf_mac_engine #(
        .IN_N(IN_N), .OUT_N(OUT_N), .L(L), .P(P), .Q(Q), .OFFSET(OFFSET), .SI(SI), .SO(SO),
        .GO(GO), .SG(SG), .ACC_W(ACC_W), .RELU(RELU), .OUT_W(OUT_W), .SIDE_W(SIDE_W),
        .OP_REG(OP_REG), .MUL_REG(MUL_REG), .LPR(LPR), .RQ_STAGES(RQ_STAGES), .RQ_SPLIT(RQ_SPLIT),
        .RQ_SEL(RQ_SEL)
    ) dut (
        .aclk(aclk), .aresetn(aresetn),
        .s_data(s_data), .s_side(s_side), .s_valid(s_valid), .s_ready(s_ready),
        .m_data(m_data), .m_side(m_side), .m_valid(m_valid), .m_ready(m_ready),
        .scale(scale), .bias(bias), .shift(SHIFT[5:0]),
        .cfg_req(cfg_req), .cfg_we(cfg_we), .cfg_addr(cfg_addr32[CFG_WORD_AW-1:0]),
        .cfg_wdata(cfg_wdata), .cfg_ack(cfg_ack), .cfg_rdata(cfg_rdata)
    );

    reg signed [7:0] w [0:OUT_N*L-1];
    reg [7:0] img [0:NWORDS*4-1];
    integer seed = SEED;
    integer errors = 0;
    integer o, i, g, s, j, q, k, n;

    // expected results, a queue of NVEC entries
    reg [OUT_W*OUT_N-1:0] exp_y [0:NVEC-1];
    reg [SIDE_W-1:0] exp_side [0:NVEC-1];
    integer n_in = 0, n_out = 0;

    function [OUT_W-1:0] reqf;
        input signed [63:0] acc;
        input integer oo;
        reg signed [63:0] v, hi, lo;
        begin
            v = acc * $signed(scale[16*oo +: 16]) + $signed(bias[32*oo +: 32])
                + (SHIFT == 0 ? 64'sd0 : (64'sd1 <<< (SHIFT - 1)));
            v = v >>> SHIFT;
            hi = (64'sd1 <<< (OUT_W - 1)) - 1;
            lo = RELU ? 64'sd0 : -(64'sd1 <<< (OUT_W - 1));
            if (v > hi) v = hi;
            if (v < lo) v = lo;
            reqf = v[OUT_W-1:0];
        end
    endfunction

    task expect_vec;
        reg signed [63:0] acc;
        begin
            for (o = 0; o < OUT_N; o = o + 1) begin
                acc = 0;
                for (i = 0; i < L; i = i + 1) begin
                    n = OFFSET + i * SI + o * SO + (o / GO) * SG;
                    acc = acc + w[o*L+i] * $signed(s_data[8*n +: 8]);
                end
                exp_y[n_in][OUT_W*o +: OUT_W] = reqf(acc, o);
            end
            exp_side[n_in] = s_side;
        end
    endtask

    // one access: a one-clock request, then cfg_wdata held until cfg_ack (5 clocks when idle)
    task cfg_op;
        input we;
        input integer addr;
        input [31:0] wd;
        integer waited;
        begin
            @(negedge aclk);
            cfg_req = 1; cfg_we = we; cfg_addr32 = addr; cfg_wdata = wd;
            @(negedge aclk);
            cfg_req = 0;
            waited = 1;
            while (cfg_ack !== 1'b1 && waited < 1000) begin
                @(negedge aclk);
                waited = waited + 1;
            end
            if (waited != 5) begin
                errors = errors + 1;
                $display("FAIL cfg_ack after %0d clocks", waited);
            end
        end
    endtask

    task new_input;
        begin
            for (k = 0; k < IN_N; k = k + 1) s_data[8*k +: 8] = $random(seed);
            s_side = $random(seed);
        end
    endtask

    reg pend_rd;
    integer pend_age;
    reg took = 0;
    reg [31:0] pend_exp;
    integer cyc;
    initial begin
        for (o = 0; o < OUT_N; o = o + 1) begin
            scale[16*o +: 16] = $random(seed) % 512;
            bias[32*o +: 32] = $random(seed) % 100000;
        end
        for (k = 0; k < NWORDS * 4; k = k + 1) img[k] = 8'd0;
        for (o = 0; o < OUT_N; o = o + 1)
            for (i = 0; i < L; i = i + 1) begin
                w[o*L+i] = $random(seed);
                g = o / P; j = o % P; s = i / Q; q = i % Q;
                img[(g*S+s)*WB + j*Q + q] = w[o*L+i];
            end
        repeat (3) @(negedge aclk);
        aresetn = 1;
        for (k = 0; k < NWORDS; k = k + 1)
            cfg_op(1'b1, k, {img[4*k+3], img[4*k+2], img[4*k+1], img[4*k]});
        for (k = 0; k < NWORDS; k = k + 1) begin
            cfg_op(1'b0, k, 32'd0);
            if (cfg_rdata !== {img[4*k+3], img[4*k+2], img[4*k+1], img[4*k]}) begin
                errors = errors + 1;
                $display("FAIL readback %0d: %h", k, cfg_rdata);
            end
        end
        // stream
        pend_rd = 0;
        pend_age = 0;
        new_input;
        cyc = 0;
        while (n_out < NVEC && cyc < NVEC * G * S * 20 + 1000) begin
            @(negedge aclk);
            cyc = cyc + 1;
            // checks of the clock that just ended were done at its posedge (below)
            // a read in flight: its ack (with the data) comes 5 to G*S + 5 clocks later
            cfg_req = 0;
            if (pend_rd) begin
                pend_age = pend_age + 1;
                if (cfg_ack === 1'b1) begin
                    if (cfg_rdata !== pend_exp || pend_age < 5) begin
                        errors = errors + 1;
                        $display("FAIL cfg read in flight: %h want %h", cfg_rdata, pend_exp);
                    end
                    pend_rd = 0;
                end else if (pend_age > G * S + 5) begin
                    errors = errors + 1;
                    $display("FAIL cfg read in flight: no ack");
                    pend_rd = 0;
                end
            end else if (($random(seed) & 15) == 0) begin
                cfg_req = 1;
                cfg_we = 0;
                k = {$random(seed)} % NWORDS;
                cfg_addr32 = k;
                pend_rd = 1;
                pend_age = 0;
                pend_exp = {img[4*k+3], img[4*k+2], img[4*k+1], img[4*k]};
            end
            s_valid = (n_in < NVEC) && ((s_valid && !took) || ($random(seed) & 3) != 0);
            m_ready = ($random(seed) & 3) != 0;
            #1;
            took = s_valid && s_ready;
            if (took) begin
                expect_vec;
                n_in = n_in + 1;
            end
            if (m_valid && m_ready) begin
                if (m_data !== exp_y[n_out] || m_side !== exp_side[n_out]) begin
                    errors = errors + 1;
                    if (errors < 10)
                        $display("FAIL vector %0d: got %h/%h want %h/%h", n_out, m_data, m_side,
                                 exp_y[n_out], exp_side[n_out]);
                end
                n_out = n_out + 1;
            end
            @(posedge aclk);
            #1;
            if (took) new_input;
        end
        if (n_out != NVEC) begin
            errors = errors + 1;
            $display("FAIL only %0d of %0d vectors", n_out, NVEC);
        end
        if (errors == 0) $display("PASS mac_iv G=%0d S=%0d vectors %0d", G, S, n_out);
        else $display("FAIL (%0d errors)", errors);
        $finish;
    end

endmodule

`default_nettype wire
