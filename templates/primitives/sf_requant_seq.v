// sf_requant_seq: requantization of a vector of CH accumulators by R shared units, with the
// per-channel scale and bias in small memories behind a configuration port (semifreddo
// primitive).
//
// CONTRACT (SPEC §2)
//   y[c] = clamp((acc[c] * scale[c] + bias[c] + rnd) >>> shift, LO, 127), rnd = 2^(shift-1)
//   (0 for shift 0), `>>>` a floor shift, LO = 0 with RELU = 1, else -128.
//   Parameters  CH channels (>= 1), ACC_W accumulator bits (signed, >= 2), R units
//               (1..CH), RELU 0/1.
//   Derived     NR = ceil(CH / R) steps; unit u handles channels u + R*s, s = 0..NR-1.
//               CFG_AW = address bits of the 2*R*NR configuration words.
//   Vector      in_valid (one clock) with acc (channel c at [c*ACC_W +: ACC_W]) and shift;
//               the vector is held and swept NR clocks, one channel per unit per clock.
//               out_valid pulses LATENCY = NR + 5 clocks after in_valid, with the whole
//               result in y (channel c at [8c +: 8]); y keeps it for the next NR clocks at
//               least. Vectors must come at least NR + 1 clocks apart. shift must stay stable
//               while a vector is swept (a configuration register).
//   Parameters memories  unit u's words start at 2*u*NR: word 2*u*NR + 2s is the bias (int32)
//               and word 2*u*NR + 2s + 1 the scale (int16 in bits 15:0; reads return it
//               sign-extended) of channel u + R*s; words of channels >= CH are ignored.
//               Protocol as sf_mac_engine's window: cfg_req one clock, cfg_we 1 = write;
//               cfg_ack one clock after a write, and for a read one clock after the memory
//               was read, which happens in the first clock the sweep does not read that
//               unit's memory (so at most NR clocks after the request); cfg_rdata is valid in
//               the cfg_ack clock. Writing while a vector is swept may mix old and new values
//               for that vector: configure between frames. Memories are not reset.
//   Reset       aresetn (synchronous, active low) clears the sweep and the valid pipeline.
//
// MICROARCHITECTURE
//   The vector is captured into a hold register (loaded every clock while no sweep runs, so
//   its enable comes from kept copies of the sweep flag rather than one flip-flop), a one-hot
//   step token selects channel u + R*s into unit u's input register while its memories are
//   read, then sf_requant_pipe (3 clocks) and the byte write into y.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module sf_requant_seq #(
    parameter integer CH    = 8,   // channels
    parameter integer ACC_W = 20,  // accumulator bits (signed)
    parameter integer R     = 2,   // requant units
    parameter integer RELU  = 1,   // 1: clamp below at 0
    // derived, do not override
    parameter integer NR     = (CH + R - 1) / R,
    parameter integer CFG_AW = (2 * R * NR > 1) ? $clog2(2 * R * NR) : 1
) (
    input  wire                  aclk,
    input  wire                  aresetn,
    input  wire                  in_valid,
    input  wire [CH*ACC_W-1:0]   acc,
    input  wire [5:0]            shift,
    output wire                  out_valid,
    output wire [CH*8-1:0]       y,
    // parameter memories
    input  wire                  cfg_req,
    input  wire                  cfg_we,
    input  wire [CFG_AW-1:0]     cfg_addr,
    input  wire [31:0]           cfg_wdata,
    output wire                  cfg_ack,
    output wire [31:0]           cfg_rdata
);

    localparam integer SW = (NR > 1) ? $clog2(NR) : 1;       // step index bits
    localparam integer UW = (R > 1) ? $clog2(R) : 1;         // unit index bits
    localparam integer HREP = (CH * ACC_W + 15) / 16;        // sweep-flag copies
    localparam integer LAT = NR + 5;
    localparam [NR-1:0] TOK0 = 1;

`ifndef SYNTHESIS
    initial begin
        if (!(CH >= 1 && ACC_W >= 2 && R >= 1 && R <= CH && (RELU == 0 || RELU == 1))) begin
            $display("%m: sf_requant_seq parameters outside its CONTRACT:");
            $display("  CH=%0d ACC_W=%0d R=%0d RELU=%0d", CH, ACC_W, R, RELU);
            $finish;
        end
    end
`endif

    // ---------------------------------------------------------------- sweep control
    // tok_q: one-hot step token (bit s during step s); sweep copies hold the vector
    reg [NR-1:0] tok_q;
    reg [HREP-1:0] sweep_q;
    reg [LAT-1:0] v_q;                 // in_valid delayed; out_valid at the end
    always @(posedge aclk) begin
        if (!aresetn) begin
            tok_q <= {NR{1'b0}};
            v_q   <= {LAT{1'b0}};
        end else begin
            tok_q <= in_valid ? TOK0 : (tok_q << 1);
            v_q   <= {v_q[LAT-2:0], in_valid};
        end
    end
    assign out_valid = v_q[LAT-1];
    genvar gh;
    generate
        for (gh = 0; gh < HREP; gh = gh + 1) begin : g_sweep
            (* keep *) always @(posedge aclk) begin
                if (!aresetn) sweep_q[gh] <= 1'b0;
                else if (in_valid) sweep_q[gh] <= 1'b1;
                else if (tok_q[NR-1]) sweep_q[gh] <= 1'b0;
            end
        end
    endgenerate

    reg [CH*ACC_W-1:0] hold_q;
    genvar gb;
    generate
        for (gb = 0; gb < CH * ACC_W; gb = gb + 1) begin : g_hold
            always @(posedge aclk) begin
                if (!sweep_q[gb / 16]) hold_q[gb] <= acc[gb];
            end
        end
    endgenerate

    // step index of the token, 4 clocks later: the step whose results the units write
    reg [SW-1:0] s_q, wr_s_q [0:3];
    always @(posedge aclk) begin
        s_q <= in_valid ? {SW{1'b0}} : s_q + 1'b1;
        wr_s_q[0] <= s_q;
        wr_s_q[1] <= wr_s_q[0];
        wr_s_q[2] <= wr_s_q[1];
        wr_s_q[3] <= wr_s_q[2];
    end

    // ---------------------------------------------------------------- configuration
    reg cfg_pend_q, cfg_ack_q, cfg_hi_q;
    reg [CFG_AW-1:0] cfg_raddr_q;
    reg [UW-1:0] cfg_unit_q;
    wire [UW-1:0] rd_unit;
    wire [SW-1:0] rd_step;
    wire cfg_go = cfg_pend_q && (tok_q == {NR{1'b0}});
    always @(posedge aclk) begin
        if (!aresetn) begin
            cfg_pend_q <= 1'b0;
            cfg_ack_q  <= 1'b0;
        end else begin
            if (cfg_req && !cfg_we) cfg_pend_q <= 1'b1;
            else if (cfg_go) cfg_pend_q <= 1'b0;
            cfg_ack_q <= (cfg_req && cfg_we) || cfg_go;
        end
    end
    always @(posedge aclk) begin
        if (cfg_req && !cfg_we) cfg_raddr_q <= cfg_addr;
        if (cfg_go) begin
            cfg_hi_q   <= cfg_raddr_q[0];
            cfg_unit_q <= rd_unit;
        end
    end
    // word address -> (unit, step): unit-major blocks of 2*NR words
    wire [31:0] wa = { {(32 - CFG_AW){1'b0}}, cfg_addr};
    wire [31:0] ra = { {(32 - CFG_AW){1'b0}}, cfg_raddr_q};
    reg [UW-1:0] wr_unit_r, rd_unit_r;
    reg [31:0] wr_off_r, rd_off_r;
    integer ui;
    always @(*) begin
        wr_unit_r = {UW{1'b0}};
        rd_unit_r = {UW{1'b0}};
        wr_off_r = wa;
        rd_off_r = ra;
        for (ui = 1; ui < R; ui = ui + 1) begin
            if (wa >= ui * 2 * NR) begin
                wr_unit_r = ui[UW-1:0];
                wr_off_r = wa - ui * 2 * NR;
            end
            if (ra >= ui * 2 * NR) begin
                rd_unit_r = ui[UW-1:0];
                rd_off_r = ra - ui * 2 * NR;
            end
        end
    end
    assign rd_unit = rd_unit_r;
    assign rd_step = rd_off_r[SW:1];
    wire [SW-1:0] wr_step = wr_off_r[SW:1];
    wire unused_off = &{1'b0, wr_off_r, rd_off_r, 1'b0};

    // ---------------------------------------------------------------- units
    reg [31:0] cfg_rdata_r;
    wire [R*32-1:0] rd_bias;
    wire [R*16-1:0] rd_scale;
    wire [R*8-1:0] u_y;
    wire [R-1:0] u_yv;
    genvar gu, gs;
    generate
        for (gu = 0; gu < R; gu = gu + 1) begin : g_unit
            // channel u + R*s of the held vector, selected by the step token (AND-OR)
            for (gs = 0; gs < NR; gs = gs + 1) begin : g_sel
                wire [ACC_W-1:0] part;
                wire [ACC_W-1:0] ors;  // OR of steps 0..s, each ANDed with its token bit
                if (gu + R * gs < CH) begin : g_ch
                    assign part = {ACC_W{tok_q[gs]}} & hold_q[(gu + R * gs) * ACC_W +: ACC_W];
                end else begin : g_none
                    assign part = {ACC_W{1'b0}};
                end
                if (gs == 0) begin : g_first
                    assign ors = part;
                end else begin : g_next
                    assign ors = g_sel[gs-1].ors | part;
                end
            end
            reg [ACC_W-1:0] uacc_q;
            reg uv_q;
            wire take = |tok_q;
            always @(posedge aclk) begin
                uacc_q <= g_sel[NR-1].ors;
                if (!aresetn) uv_q <= 1'b0;
                else uv_q <= take;
            end
            wire [SW-1:0] step = s_q;
            wire mem_re = take || (cfg_go && rd_unit == gu);
            wire [SW-1:0] raddr = take ? step : rd_step;
            wire we = cfg_req && cfg_we && wr_unit_r == gu;
            sf_sram_1r1w #(.WIDTH(32), .DEPTH(NR)) u_bias (
                .aclk(aclk), .we(we && !cfg_addr[0]), .waddr(wr_step), .wdata(cfg_wdata),
                .re(mem_re), .raddr(raddr), .rdata(rd_bias[gu*32 +: 32]));
            sf_sram_1r1w #(.WIDTH(16), .DEPTH(NR)) u_scale (
                .aclk(aclk), .we(we && cfg_addr[0]), .waddr(wr_step), .wdata(cfg_wdata[15:0]),
                .re(mem_re), .raddr(raddr), .rdata(rd_scale[gu*16 +: 16]));
            // free-running, 3 clocks; shift is held for the whole vector (PARAMS_HELD = 2)
            wire rq_tag;
            sf_requant_pipe #(
                .ACC_W(ACC_W), .OUT_W(8), .RELU(RELU), .SPLIT(2), .STAGES(3),
                .PARAMS_HELD(2), .TAG_W(1)
            ) u_rq (
                .aclk(aclk), .aresetn(aresetn), .en(1'b1), .in_valid(uv_q), .acc(uacc_q),
                .scale(rd_scale[gu*16 +: 16]), .bias(rd_bias[gu*32 +: 32]), .shift(shift),
                .in_tag(1'b0), .out_valid(u_yv[gu]), .y(u_y[gu*8 +: 8]), .out_tag(rq_tag));
            wire unused_rq_tag = &{1'b0, rq_tag, 1'b0};
        end
    endgenerate

    // results: channel c = u + R*s written by unit u in the clock its step-s result is out
    reg [CH*8-1:0] y_q;
    genvar gc;
    generate
        for (gc = 0; gc < CH; gc = gc + 1) begin : g_y
            localparam integer U = gc % R;
            localparam integer S = gc / R;
            always @(posedge aclk) begin
                if (u_yv[U] && wr_s_q[3] == S[SW-1:0]) y_q[gc*8 +: 8] <= u_y[U*8 +: 8];
            end
        end
    endgenerate
    assign y = y_q;

    always @(*) begin
        cfg_rdata_r = cfg_hi_q
            ? { {16{rd_scale[cfg_unit_q*16 + 15]}}, rd_scale[cfg_unit_q*16 +: 16]}
            : rd_bias[cfg_unit_q*32 +: 32];
    end
    assign cfg_ack = cfg_ack_q;
    assign cfg_rdata = cfg_rdata_r;

endmodule

`resetall
`default_nettype wire
