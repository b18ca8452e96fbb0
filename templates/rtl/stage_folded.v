{% include "rtl/header.v" %}
//
// {{ description }}
// Input {{ in_w }}x{{ in_h }}x{{ in_channels }}, output {{ out_w }}x{{ out_h }}x{{ out_channels }}, stride {{ stride }}.
// Folded for one output pixel every {{ t }} clocks ({{ choice }}):
//   A (depthwise): {{ reads }} window reads of {{ group }} channel(s) per pixel, {{ 3 * group }} multipliers
//     and {{ dw_units }} requant unit(s) per branch, {{ a_len }} clocks;
//   B (pointwise): a ring of {{ channels }} bytes rotating {{ products }} byte(s) per clock under {{ lanes }} lanes
//     of {{ products }} multiplier(s), {{ pw_units }} requant unit(s) per branch, {{ b_len }} clocks;
//   one pixel every {{ period }} clocks at most (A and B overlap on consecutive pixels).
// The frozen weights are constant tables ({{ module }}_*_rom), zero entries cost no table bits.
{%- if programmable %}
// Requant scale and bias live in small memories per requant unit (configuration window
// `cfg_*`, {{ cfg_words }} words: per unit, per channel in the unit's order, bias then scale).
{%- else %}
// Requant scale and bias are constants (frozen_bn = "frozen").
{%- endif %}

`resetall
`timescale 1ns / 1ps
`default_nettype none

module {{ module }} (
    input  wire         aclk,
    input  wire         aresetn,
    // input pixels: {{ in_channels }} int8 channels, channel c in bits 8c+7:8c
    input  wire [{{ in_bits - 1 }}:0] s_data,
    input  wire         s_valid,
    output wire         s_ready,
    input  wire         s_sof,
    // output pixels: {{ out_channels }} int8 channels
    output wire [{{ out_bits - 1 }}:0] m_data,
    output wire         m_valid,
    input  wire         m_ready,
    output wire         m_sof,
    output wire         m_eol{% for p in shift_ports %},
    // requant shift of layer {{ p.layer }}
    input  wire [5:0]   {{ p.port }}{% endfor %}{% if programmable %},
    // requant parameter memories (32-bit words; reads wait for a clock the datapath leaves free)
    input  wire         cfg_req,
    input  wire         cfg_we,
    input  wire [{{ cfg_aw - 1 }}:0] cfg_addr,
    input  wire [31:0]  cfg_wdata,
    output wire         cfg_ack,
    output wire [31:0]  cfg_rdata{% endif %}
);

    // ------------------------------------------------------------------ window reader
    wire w_valid, w_sof, w_eol, w_eof, w_done;
    wire rd_en;
    wire [1:0] rd_col;
    wire [{{ grp_w - 1 }}:0] rd_grp;
    wire [{{ 24 * group - 1 }}:0] rd_data;  // window row i, channel c of the group: [8*(i*{{ group }}+c) +: 8]
    wire [{{ mid_bits - 1 }}:0] rd_mid;
    sf_window_reader #(
        .CH_BITS({{ in_bits }}),
        .WIDTH({{ in_w }}),
        .HEIGHT({{ in_h }}),
        .STRIDE({{ stride }}),
        .GROUP_BITS({{ 8 * group }}),
        .MID_BITS({{ mid_bits }})
    ) u_window (
        .aclk(aclk),
        .aresetn(aresetn),
        .s_data(s_data),
        .s_valid(s_valid),
        .s_ready(s_ready),
        .s_sof(s_sof),
        .w_valid(w_valid),
        .w_done(w_done),
        .w_sof(w_sof),
        .w_eol(w_eol),
        .w_eof(w_eof),
        .rd_en(rd_en),
        .rd_col(rd_col),
        .rd_grp(rd_grp),
        .rd_data(rd_data),
        .rd_mid(rd_mid)
    );

    // ------------------------------------------------------------------ A: depthwise sequencer
    // Read a = 3g + j reads column j of channel group g; A is busy for {{ a_len }} clocks, then
    // waits until B takes the ring it filled.
    reg a_busy_q, a_done_q;
    reg [{{ a_w - 1 }}:0] a_q;
    reg [1:0] j_q;
    reg [{{ g_w - 1 }}:0] g_q;
    reg a_sof_q, a_eol_q;
    wire hand;                                   // B takes A's rings (defined with B)
    wire a_start = !a_busy_q && !a_done_q && w_valid;
    wire a_reading = a_busy_q && (a_q < {{ a_w }}'d{{ reads }});
    always @(posedge aclk) begin
        if (!aresetn) begin
            a_busy_q <= 1'b0;
            a_done_q <= 1'b0;
        end else begin
            if (a_start) begin
                a_busy_q <= 1'b1;
            end else if (a_busy_q && a_q == {{ a_w }}'d{{ a_len - 1 }}) begin
                a_busy_q <= 1'b0;
                a_done_q <= 1'b1;
            end else if (hand) begin
                a_done_q <= 1'b0;
            end
        end
    end
    always @(posedge aclk) begin
        if (a_start) begin
            a_q <= {{ a_w }}'d0;
            j_q <= 2'd0;
            g_q <= {{ g_w }}'d0;
            a_sof_q <= w_sof;
            a_eol_q <= w_eol;
        end else if (a_busy_q) begin
            a_q <= a_q + 1'b1;
            if (a_reading) begin
                j_q <= (j_q == 2'd2) ? 2'd0 : j_q + 2'd1;
                if (j_q == 2'd2) g_q <= g_q + 1'b1;
            end
        end
    end
    assign rd_en = a_reading;
    assign rd_col = j_q;
    assign rd_grp = {{ grp_w }}'d{{ grp_base }} + {{ grp_expr }};
    assign w_done = a_reading && a_q == {{ a_w }}'d{{ reads - 1 }};
    wire unused_window = &{1'b0, w_eof, 1'b0};

    // read pipeline: r1 = read data, r2 = read data registered and the weights, p = products,
    // then the column sums
    reg r1_v_q, r2_v_q, p_v_q;
    reg [1:0] r1_j_q, r2_j_q, p_j_q;
    reg r1_g0_q;
    reg [{{ 24 * group - 1 }}:0] x_q;
    always @(posedge aclk) begin
        if (!aresetn) begin
            r1_v_q <= 1'b0;
            r2_v_q <= 1'b0;
            p_v_q  <= 1'b0;
        end else begin
            r1_v_q <= rd_en;
            r2_v_q <= r1_v_q;
            p_v_q  <= r2_v_q;
        end
    end
    always @(posedge aclk) begin
        r1_j_q  <= j_q;
        r1_g0_q <= (g_q == {{ g_w }}'d0);
        r2_j_q  <= r1_j_q;
        p_j_q   <= r2_j_q;
        x_q     <= rd_data;
    end
    wire p_last = p_v_q && p_j_q == 2'd2;         // a group's column sums complete
{%- if passthrough_bits > 0 %}

    // x1: the window centre's first {{ passthrough }} channels, from the first group's centre column
    reg [{{ passthrough_bits - 1 }}:0] x1_a_q;
    always @(posedge aclk) begin
        if (r1_v_q && r1_g0_q && r1_j_q == 2'd1) x1_a_q <= rd_mid;
    end
{%- else %}
    wire unused_mid = &{1'b0, rd_mid, r1_g0_q, 1'b0};
{%- endif %}

    // depthwise requant slots: unit u takes channel 3u + t of the finished group in slot t
    reg [1:0] t_q;
    reg t_run_q;
    always @(posedge aclk) begin
        if (!aresetn) begin
            t_run_q <= 1'b0;
            t_q <= 2'd0;
        end else if (p_last) begin
            t_run_q <= 1'b1;
            t_q <= 2'd0;
        end else if (t_run_q) begin
            t_q <= t_q + 2'd1;
            if (t_q == 2'd2) t_run_q <= 1'b0;
        end
    end

    // ------------------------------------------------------------------ B: pointwise sequencer
    // B takes A's pixel (hand) when A has filled its rings, B is idle and the output register
    // is free; the rings load in the next clock (go) and B runs b = 0..{{ b_len - 1 }} after
    // that, the rings rotating {{ products }} byte(s) per clock.
    reg b_busy_q, b_run_q, go_q;
    reg [{{ b_w - 1 }}:0] b_q;
    reg b_sof_q, b_eol_q;
    reg m_valid_q, m_sof_q, m_eol_q;
    reg [{{ out_bits - 1 }}:0] m_data_q;
    assign hand = a_done_q && !b_busy_q && (!m_valid_q || m_ready);
    wire b_end = b_run_q && b_q == {{ b_w }}'d{{ b_len - 1 }};
    wire [{{ b_w - 1 }}:0] b_next = go_q ? {{ b_w }}'d0 : b_q + 1'b1;  // b in the next clock
    always @(posedge aclk) begin
        if (!aresetn) begin
            b_busy_q <= 1'b0;
            b_run_q  <= 1'b0;
            go_q     <= 1'b0;
        end else begin
            go_q <= hand;
            if (hand) b_busy_q <= 1'b1;
            else if (b_end) b_busy_q <= 1'b0;
            if (go_q) b_run_q <= 1'b1;
            else if (b_end) b_run_q <= 1'b0;
        end
    end
    always @(posedge aclk) begin
        if (hand) begin
            b_sof_q <= a_sof_q;
            b_eol_q <= a_eol_q;
        end
        if (go_q) b_q <= {{ b_w }}'d0;
        else if (b_run_q) b_q <= b_q + 1'b1;
    end
    // copies of go, one per two bytes of the rings and of x1 (kept apart in synthesis), for
    // the ring loads
    reg [{{ ld_n - 1 }}:0] ld_q;
    genvar ldi;
    generate
        for (ldi = 0; ldi < {{ ld_n }}; ldi = ldi + 1) begin : g_ld
            (* keep *) always @(posedge aclk) begin
                if (!aresetn) ld_q[ldi] <= 1'b0;
                else ld_q[ldi] <= hand;
            end
        end
    endgenerate

    // Lane timing for stagger 0 at B's product-address clock: first / last product of an
    // output, and the round m; lane stagger s sees them s clocks later (a delay chain).
    reg [{{ nb_w - 1 }}:0] u_q;                   // product index within the output, 0..{{ nb - 1 }}
    reg [{{ m_w - 1 }}:0] m_q;                    // round, 0..{{ k - 1 }}
    reg act_q;
    always @(posedge aclk) begin
        if (!aresetn) begin
            act_q <= 1'b0;
        end else if (go_q) begin
            act_q <= 1'b1;
        end else if (act_q && u_q == {{ nb_w }}'d{{ nb - 1 }} && m_q == {{ m_w }}'d{{ k - 1 }}) begin
            act_q <= 1'b0;
        end
    end
    always @(posedge aclk) begin
        if (go_q) begin
            u_q <= {{ nb_w }}'d0;
            m_q <= {{ m_w }}'d0;
        end else if (act_q) begin
            u_q <= (u_q == {{ nb_w }}'d{{ nb - 1 }}) ? {{ nb_w }}'d0 : u_q + 1'b1;
            if (u_q == {{ nb_w }}'d{{ nb - 1 }}) m_q <= m_q + 1'b1;
        end
    end
    // chain[s] = {m, last, first, active} of stagger s - 2 at the accumulate stage
    localparam integer CH_W = {{ m_w }} + 3;
    reg [CH_W*{{ chain_len }}-1:0] chain_q;
    always @(posedge aclk) begin
        if (!aresetn) begin
            chain_q <= {CH_W*{{ chain_len }}{1'b0}};
        end else begin
            chain_q <= {chain_q[CH_W*{{ chain_len - 1 }}-1:0],
                        m_q, act_q && u_q == {{ nb_w }}'d{{ nb - 1 }}, act_q && u_q == {{ nb_w }}'d0, act_q};
        end
    end

    // ------------------------------------------------------------------ output register
    always @(posedge aclk) begin
        if (!aresetn) begin
            m_valid_q <= 1'b0;
        end else if (b_end) begin
            m_valid_q <= 1'b1;
        end else if (m_ready) begin
            m_valid_q <= 1'b0;
        end
    end
    always @(posedge aclk) begin
        if (b_end) begin
            m_sof_q <= b_sof_q;
            m_eol_q <= b_eol_q;
        end
    end
    assign m_valid = m_valid_q;
    assign m_data = m_data_q;
    assign m_sof = m_sof_q;
    assign m_eol = m_eol_q;
{%- if programmable %}

    // ------------------------------------------------------------------ configuration window
    // Writes go straight to the memories' write ports; a read waits for a clock in which the
    // datapath does not read the unit's memories, and is answered the clock after.
    reg cfg_rd_pend_q, cfg_ack_q, cfg_rd_hi_q;
    reg [{{ cfg_aw - 1 }}:0] cfg_raddr_q;
    reg [{{ units_w - 1 }}:0] cfg_unit_q;
    wire cfg_rd_go;
    reg [{{ units_w - 1 }}:0] cfg_rd_unit;          // unit whose words cfg_raddr_q names
    reg [{{ units_w - 1 }}:0] cfg_wr_unit;          // unit whose words cfg_addr names
    always @(posedge aclk) begin
        if (!aresetn) begin
            cfg_rd_pend_q <= 1'b0;
            cfg_ack_q <= 1'b0;
        end else begin
            if (cfg_req && !cfg_we) cfg_rd_pend_q <= 1'b1;
            else if (cfg_rd_go) cfg_rd_pend_q <= 1'b0;
            cfg_ack_q <= (cfg_req && cfg_we) || cfg_rd_go;
        end
    end
    always @(posedge aclk) begin
        if (cfg_req && !cfg_we) cfg_raddr_q <= cfg_addr;
        if (cfg_rd_go) cfg_rd_hi_q <= cfg_raddr_q[0];
        if (cfg_rd_go) cfg_unit_q <= cfg_rd_unit;
    end
    always @(*) begin
        cfg_rd_unit = {{ units_w }}'d0;
        cfg_wr_unit = {{ units_w }}'d0;
{%- for u in all_units %}
        if ({{ u.rd_hit }}) cfg_rd_unit = {{ units_w }}'d{{ u.number }};
        if ({{ u.wr_hit }}) cfg_wr_unit = {{ units_w }}'d{{ u.number }};
{%- endfor %}
    end
{%- endif %}
{% for br in branches %}
    // ================================================================== branch {{ br.index }}: {{ br.dw }} -> {{ br.pw }}
    // ---- {{ br.dw }}: depthwise 3x3 over window channels {{ br.from }}..{{ br.from + channels }}, requant (no ReLU)
    wire [{{ 24 * group - 1 }}:0] {{ br.p }}_dw_w;  // weight of row i, channel c at [8*(i*{{ group }}+c) +: 8]
    {{ br.dw_rom }} u_{{ br.p }}_dw_rom (.clk(aclk), .addr(a_q), .q({{ br.p }}_dw_w));
    reg [{{ 48 * group - 1 }}:0] {{ br.p }}_dw_p_q;  // products, 16 bits each
    reg [{{ br.dw_acc_w * group - 1 }}:0] {{ br.p }}_dw_sum_q;  // finished sums of the last group
    genvar {{ br.p }}_k;
    generate
        for ({{ br.p }}_k = 0; {{ br.p }}_k < {{ 3 * group }}; {{ br.p }}_k = {{ br.p }}_k + 1) begin : g_{{ br.p }}_dw_mul
            always @(posedge aclk) begin
                {{ br.p }}_dw_p_q[16*{{ br.p }}_k +: 16] <=
                    $signed(x_q[8*{{ br.p }}_k +: 8]) * $signed({{ br.p }}_dw_w[8*{{ br.p }}_k +: 8]);
            end
        end
        for ({{ br.p }}_k = 0; {{ br.p }}_k < {{ group }}; {{ br.p }}_k = {{ br.p }}_k + 1) begin : g_{{ br.p }}_dw_col
            wire signed [15:0] p0 = {{ br.p }}_dw_p_q[16*{{ br.p }}_k +: 16];
            wire signed [15:0] p1 = {{ br.p }}_dw_p_q[16*({{ group }}+{{ br.p }}_k) +: 16];
            wire signed [15:0] p2 = {{ br.p }}_dw_p_q[16*({{ 2 * group }}+{{ br.p }}_k) +: 16];
            wire signed [{{ br.dw_acc_w - 1 }}:0] col = $signed({ { {{ br.dw_acc_w - 16 }}{p0[15]} }, p0}) +
                $signed({ { {{ br.dw_acc_w - 16 }}{p1[15]} }, p1}) + $signed({ { {{ br.dw_acc_w - 16 }}{p2[15]} }, p2});
            reg signed [{{ br.dw_acc_w - 1 }}:0] acc_q;  // columns 0..j-1 of the group
            always @(posedge aclk) begin
                if (p_v_q) acc_q <= (p_j_q == 2'd0) ? col : acc_q + col;
                if (p_last) {{ br.p }}_dw_sum_q[{{ br.dw_acc_w }}*{{ br.p }}_k +: {{ br.dw_acc_w }}] <= acc_q + col;
            end
        end
    endgenerate
    // next ring: the depthwise results of the pixel A works on
    reg [{{ 8 * channels - 1 }}:0] {{ br.p }}_next_q;
{%- for u in br.dw_units %}
    // depthwise requant unit {{ u.index }}: channels {{ u.summary }}
    wire {{ u.p }}_take = t_run_q && {{ u.take_cond }};
    reg {{ u.p }}_v_q;
    reg [{{ br.dw_acc_w - 1 }}:0] {{ u.p }}_acc_q;
    reg [{{ u.pos_w - 1 }}:0] {{ u.p }}_pos_q, {{ u.p }}_wpos_q;
    always @(posedge aclk) begin
        if (!aresetn) {{ u.p }}_v_q <= 1'b0;
        else {{ u.p }}_v_q <= {{ u.p }}_take;
    end
    always @(posedge aclk) begin
        if (a_start) {{ u.p }}_pos_q <= {{ u.pos_w }}'d0;
        else if ({{ u.p }}_take) {{ u.p }}_pos_q <= {{ u.p }}_pos_q + 1'b1;
        if ({{ u.p }}_take) {{ u.p }}_acc_q <= {{ u.acc_sel }};
    end
{% include "rtl/fold_params.v" %}
{%- let rq_acc_w = br.dw_acc_w %}{%- let rq_relu = 0 %}{%- let rq_shift = br.dw_shift %}
{%- include "rtl/fold_requant.v" %}
    reg [{{ ch_w - 1 }}:0] {{ u.p }}_ch;            // ring position of the unit's next result
    always @(*) begin
        case ({{ u.p }}_wpos_q)
{%- for c in u.channels %}
            {{ u.pos_w }}'d{{ loop.index0 }}: {{ u.p }}_ch = {{ ch_w }}'d{{ c }};
{%- endfor %}
            default: {{ u.p }}_ch = {{ ch_w }}'d0;
        endcase
    end
    always @(posedge aclk) begin
        if (a_start) {{ u.p }}_wpos_q <= {{ u.pos_w }}'d0;
        else if ({{ u.p }}_y_v) {{ u.p }}_wpos_q <= {{ u.p }}_wpos_q + 1'b1;
    end
{%- endfor %}
    genvar {{ br.p }}_n;
    generate
        for ({{ br.p }}_n = 0; {{ br.p }}_n < {{ channels }}; {{ br.p }}_n = {{ br.p }}_n + 1) begin : g_{{ br.p }}_next
            always @(posedge aclk) begin
{%- for u in br.dw_units %}
                if ({{ u.p }}_y_v && {{ u.p }}_ch == {{ br.p }}_n) {{ br.p }}_next_q[8*{{ br.p }}_n +: 8] <= {{ u.p }}_y;
{%- endfor %}
            end
        end
    endgenerate

    // ---- {{ br.pw }}: pointwise {{ channels }} -> {{ channels }} on the rotating ring, requant + ReLU
    reg [{{ 8 * channels - 1 }}:0] {{ br.p }}_ring_q;
    reg [{{ 8 * products - 1 }}:0] {{ br.p }}_head_q;
    wire [{{ 8 * channels - 1 }}:0] {{ br.p }}_rot = {{ br.rotate }};
    genvar {{ br.p }}_r;
    generate
        // loads when B starts, rotates otherwise (B reloads it before use)
        for ({{ br.p }}_r = 0; {{ br.p }}_r < {{ channels }}; {{ br.p }}_r = {{ br.p }}_r + 1) begin : g_{{ br.p }}_ring
            always @(posedge aclk) begin
                {{ br.p }}_ring_q[8*{{ br.p }}_r +: 8] <= ld_q[{{ br.p }}_r / 2] ?
                    {{ br.p }}_next_q[8*{{ br.p }}_r +: 8] : {{ br.p }}_rot[8*{{ br.p }}_r +: 8];
            end
        end
    endgenerate
    always @(posedge aclk) {{ br.p }}_head_q <= {{ br.p }}_ring_q[{{ 8 * products - 1 }}:0];
    wire [{{ 8 * lanes * products - 1 }}:0] {{ br.p }}_pw_w;  // lane l, slot q at [8*(l*{{ products }}+q) +: 8]
    {{ br.pw_rom }} u_{{ br.p }}_pw_rom (.clk(aclk), .addr(b_next), .q({{ br.p }}_pw_w));
    reg [{{ 16 * lanes * products - 1 }}:0] {{ br.p }}_pw_p_q;
    wire [{{ br.pw_acc_w * lanes - 1 }}:0] {{ br.p }}_sum;   // finishing sum of lane l (acc + products)
    wire [{{ lanes - 1 }}:0] {{ br.p }}_emit;               // lane l finishes an output this clock
    genvar {{ br.p }}_l;
    generate
        for ({{ br.p }}_l = 0; {{ br.p }}_l < {{ lanes * products }}; {{ br.p }}_l = {{ br.p }}_l + 1) begin : g_{{ br.p }}_pw_mul
            always @(posedge aclk) begin
                {{ br.p }}_pw_p_q[16*{{ br.p }}_l +: 16] <=
                    $signed({{ br.p }}_head_q[8*({{ br.p }}_l % {{ products }}) +: 8]) * $signed({{ br.p }}_pw_w[8*{{ br.p }}_l +: 8]);
            end
        end
        for ({{ br.p }}_l = 0; {{ br.p }}_l < {{ lanes }}; {{ br.p }}_l = {{ br.p }}_l + 1) begin : g_{{ br.p }}_lane
            localparam integer S = {{ br.p }}_l % {{ lanes_per_unit }};    // stagger
            wire [CH_W-1:0] fl = chain_q[CH_W*(S+1) +: CH_W];
            wire [{{ m_w - 1 }}:0] round = fl[CH_W-1:3];
            wire signed [{{ br.pw_acc_w - 1 }}:0] prods;
            if ({{ products }} == 1) begin : g_one
                wire [15:0] p = {{ br.p }}_pw_p_q[16*{{ br.p }}_l +: 16];
                assign prods = $signed({ { {{ br.pw_acc_w - 16 }}{p[15]} }, p});
            end else begin : g_sum
                reg signed [{{ br.pw_acc_w - 1 }}:0] s;
                reg [15:0] p;
                integer qq;
                always @(*) begin
                    s = {{ br.pw_acc_w }}'sd0;
                    for (qq = 0; qq < {{ products }}; qq = qq + 1) begin
                        p = {{ br.p }}_pw_p_q[16*({{ br.p }}_l*{{ products }}+qq) +: 16];
                        s = s + $signed({ { {{ br.pw_acc_w - 16 }}{p[15]} }, p});
                    end
                end
                assign prods = s;
            end
            reg signed [{{ br.pw_acc_w - 1 }}:0] acc_q;
            always @(posedge aclk) begin
                if (fl[0]) acc_q <= fl[1] ? prods : acc_q + prods;
            end
            assign {{ br.p }}_sum[{{ br.pw_acc_w }}*{{ br.p }}_l +: {{ br.pw_acc_w }}] = fl[1] ? prods : acc_q + prods;
            // an output exists for round m when m*L + l < Cb: rounds 0..RN-1
            localparam integer RNI = ({{ channels }} - {{ br.p }}_l + {{ lanes - 1 }}) / {{ lanes }};
            localparam [{{ m_w }}:0] RN = RNI[{{ m_w }}:0];
            assign {{ br.p }}_emit[{{ br.p }}_l] = fl[0] && fl[2] && ({1'b0, round} < RN);
        end
    endgenerate
{%- for u in br.pw_units %}
    // pointwise requant unit {{ u.index }}: lanes {{ u.summary }}
    reg {{ u.p }}_v_q;
    reg [{{ br.pw_acc_w - 1 }}:0] {{ u.p }}_acc_q;
    reg [{{ u.pos_w - 1 }}:0] {{ u.p }}_pos_q, {{ u.p }}_wpos_q;
    wire {{ u.p }}_take = |{{ br.p }}_emit[{{ u.lane_hi }}:{{ u.lane_lo }}];
    reg [{{ br.pw_acc_w - 1 }}:0] {{ u.p }}_sel;
    integer {{ u.p }}_i;
    always @(*) begin
        {{ u.p }}_sel = {{ br.pw_acc_w }}'d0;
        for ({{ u.p }}_i = {{ u.lane_lo }}; {{ u.p }}_i <= {{ u.lane_hi }}; {{ u.p }}_i = {{ u.p }}_i + 1) begin
            {{ u.p }}_sel = {{ u.p }}_sel | ({ {{ br.pw_acc_w }}{ {{ br.p }}_emit[{{ u.p }}_i]} } & {{ br.p }}_sum[{{ br.pw_acc_w }}*{{ u.p }}_i +: {{ br.pw_acc_w }}]);
        end
    end
    always @(posedge aclk) begin
        if (!aresetn) {{ u.p }}_v_q <= 1'b0;
        else {{ u.p }}_v_q <= {{ u.p }}_take;
    end
    always @(posedge aclk) begin
        if (hand) {{ u.p }}_pos_q <= {{ u.pos_w }}'d0;
        else if ({{ u.p }}_take) {{ u.p }}_pos_q <= {{ u.p }}_pos_q + 1'b1;
        if ({{ u.p }}_take) {{ u.p }}_acc_q <= {{ u.p }}_sel;
    end
{% include "rtl/fold_params.v" %}
{%- let rq_acc_w = br.pw_acc_w %}{%- let rq_relu = 1 %}{%- let rq_shift = br.pw_shift %}
{%- include "rtl/fold_requant.v" %}
    reg [{{ out_w_bits - 1 }}:0] {{ u.p }}_pos_out;    // output byte of the unit's next result
    always @(*) begin
        case ({{ u.p }}_wpos_q)
{%- for c in u.channels %}
            {{ u.pos_w }}'d{{ loop.index0 }}: {{ u.p }}_pos_out = {{ out_w_bits }}'d{{ c }};
{%- endfor %}
            default: {{ u.p }}_pos_out = {{ out_w_bits }}'d0;
        endcase
    end
    always @(posedge aclk) begin
        if (hand) {{ u.p }}_wpos_q <= {{ u.pos_w }}'d0;
        else if ({{ u.p }}_y_v) {{ u.p }}_wpos_q <= {{ u.p }}_wpos_q + 1'b1;
    end
{%- endfor %}
{% endfor %}
    // ------------------------------------------------------------------ output writes
    genvar ob;
    generate
        for (ob = 0; ob < {{ out_channels }}; ob = ob + 1) begin : g_out
            always @(posedge aclk) begin
{%- if passthrough_bits > 0 %}
                // x1 (even outputs) when B starts
                if (ld_q[ob / 4] && (ob % 2) == 0) m_data_q[8*ob +: 8] <= x1_a_q[8*(ob/2) +: 8];
{%- endif %}
{%- for br in branches %}{% for u in br.pw_units %}
                if ({{ u.p }}_y_v && {{ u.p }}_pos_out == ob) m_data_q[8*ob +: 8] <= {{ u.p }}_y;
{%- endfor %}{% endfor %}
            end
        end
    endgenerate

{%- if programmable %}
    assign cfg_rd_go = cfg_rd_pend_q && !(
{%- for u in all_units %}
        (cfg_rd_unit == {{ units_w }}'d{{ u.number }} && {{ u.p }}_dp_re){% if !loop.last %} ||{% endif %}
{%- endfor %});
    reg [31:0] cfg_rdata_r;
    always @(*) begin
        cfg_rdata_r = 32'd0;
        case (cfg_unit_q)
{%- for u in all_units %}
            {{ units_w }}'d{{ u.number }}: cfg_rdata_r = cfg_rd_hi_q ? { {16{ {{ u.p }}_scale[15]} }, {{ u.p }}_scale} : {{ u.p }}_bias;
{%- endfor %}
            default: cfg_rdata_r = 32'd0;
        endcase
    end
    assign cfg_ack = cfg_ack_q;
    assign cfg_rdata = cfg_rdata_r;
{%- endif %}

endmodule

`resetall
`default_nettype wire
