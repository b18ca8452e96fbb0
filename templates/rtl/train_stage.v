{{ header }}//
// {{ what }}
// Input {{ in_w }}x{{ in_h }}x{{ in_channels }}, output {{ out_w }}x{{ out_h }}x{{ out_channels }}, one window every {{ clocks_per_window }} clocks (engine
// latency {{ engine_latency }} clocks). Weights live in the engines' SRAMs (configuration ports below).

`resetall
`timescale 1ns / 1ps
`default_nettype none

module {{ module }} (
    input  wire aclk,
    input  wire aresetn,
    // input pixels: {{ in_channels }} int8 channels, channel c in bits 8c+7:8c
    input  wire [{{ in_bits - 1 }}:0] s_data,
    input  wire s_valid,
    output wire s_ready,
    input  wire s_sof,
    // output pixels: {{ out_channels }} int8 channels
    output wire [{{ out_bits - 1 }}:0] m_data,
    output wire m_valid,
    input  wire m_ready,
    output wire m_sof,
    output wire m_eol{% for p in ports %},
    {{ p.dir }} wire {{ p.range }}{{ p.name }}{% endfor %}
);

    // 3x3 windows with zero padding; element t = 3i + j at bits [t*{{ in_bits }} +: {{ in_bits }}].
    wire [{{ 9 * in_bits - 1 }}:0] win_data;
    wire win_valid, win_ready, win_sof, win_eol, win_eof;
    sf_window3x3 #(.CH_BITS({{ in_bits }}), .WIDTH({{ in_w }}), .HEIGHT({{ in_h }}), .STRIDE({{ stride }}){% if window_wr_reg %}, .WR_REG(1){% endif %}) u_window (
        .aclk(aclk), .aresetn(aresetn),
        .s_data(s_data), .s_valid(s_valid), .s_ready(s_ready), .s_sof(s_sof),
        .m_data(win_data), .m_valid(win_valid), .m_ready(win_ready),
        .m_sof(win_sof), .m_eol(win_eol), .m_eof(win_eof)
    );

    // Engine sideband: {% if x1_bits > 0 %}x1 (the window centre's first {{ x1_bits / 8 }} channels), {% endif %}eol, sof.
    wire [{{ side_w - 1 }}:0] win_side = {{ side }};
{%- if two_branches %}

    // Fork: both branches take each window in the same clock.
    wire [{{ 9 * in_bits - 1 }}:0] b1_data = win_data, b2_data = win_data;
    wire [{{ side_w - 1 }}:0] b1_side = win_side, b2_side = win_side;
    wire b1_ready, b2_ready;
    wire b1_valid = win_valid && b2_ready;
    wire b2_valid = win_valid && b1_ready;
    assign win_ready = b1_ready && b2_ready;
{%- else %}
    wire [{{ 9 * in_bits - 1 }}:0] b1_data = win_data;
    wire [{{ side_w - 1 }}:0] b1_side = win_side;
    wire b1_valid = win_valid;
    wire b1_ready;
    assign win_ready = b1_ready;
{%- endif %}
{% for e in engines %}
    // ---- {{ e.layer }}: {{ e.in_n }} -> {{ e.out_n }}, L = {{ e.l }}, P = {{ e.p }}, Q = {{ e.q }}, {{ e.used }} of {{ e.available }} clocks per vector
    wire [{{ 8 * e.out_n - 1 }}:0] {{ e.inst }}_data;
    wire [{{ side_w - 1 }}:0] {{ e.inst }}_side;
    wire {{ e.inst }}_valid, {{ e.inst }}_ready;
    sf_mac_engine #(
        .IN_N({{ e.in_n }}), .OUT_N({{ e.out_n }}), .L({{ e.l }}), .P({{ e.p }}), .Q({{ e.q }}),
        .OFFSET({{ e.offset }}), .SI({{ e.si }}), .SO({{ e.so }}), .GO({{ e.go }}), .SG({{ e.sg }}),
        .ACC_W({{ e.acc_w }}), .RELU({{ e.relu }}), .OUT_W(8), .SIDE_W({{ side_w }}),
        {% if e.op_reg %}.OP_REG(1), {% endif %}.MUL_REG({{ e.mul_reg }}), {% if e.mul_lut %}.MUL_LUT(1), {% endif %}.LPR({{ e.lpr }}),
        .RQ_STAGES({{ e.rq_stages }}), .RQ_SPLIT({{ e.rq_split }}), .RQ_SEL({{ e.rq_sel }}){% if e.rq_dsp_w > 0 %},
        .RQ_DSP_W({{ e.rq_dsp_w }}){% endif %}
    ) u_{{ e.inst }} (
        .aclk(aclk), .aresetn(aresetn),
        .s_data({{ e.src }}_data), .s_side({{ e.src }}_side), .s_valid({{ e.src }}_valid), .s_ready({{ e.src }}_ready),
        .m_data({{ e.inst }}_data), .m_side({{ e.inst }}_side), .m_valid({{ e.inst }}_valid), .m_ready({{ e.inst }}_ready),
        .scale({{ e.bus }}_scale), .bias({{ e.bus }}_bias), .shift({{ e.bus }}_shift),
        .cfg_req({{ e.bus }}_cfg_req), .cfg_we({{ e.bus }}_cfg_we), .cfg_addr({{ e.bus }}_cfg_addr),
        .cfg_wdata({{ e.bus }}_cfg_wdata), .cfg_ack({{ e.bus }}_cfg_ack), .cfg_rdata({{ e.bus }}_cfg_rdata)
    );
{%- endfor %}
{% if two_branches %}
    // Join: the two branches run in lock-step; a beat leaves when both hold one.
    assign m_valid = {{ last1 }}_valid && {{ last2 }}_valid;
    assign {{ last1 }}_ready = m_ready && {{ last2 }}_valid;
    assign {{ last2 }}_ready = m_ready && {{ last1 }}_valid;
    wire unused_side = &{1'b0, {{ last2 }}_side, 1'b0};
{%- else %}
    assign {{ last1 }}_ready = m_ready;
    assign m_valid = {{ last1 }}_valid;
{%- endif %}
    assign m_sof = {{ last1 }}_side[0];
    assign m_eol = {{ last1 }}_side[1];

    // {{ output_comment }}
    assign m_data = {
        {{ outputs|join(",\n        ") }}
    };

    wire unused_ok = &{1'b0, win_eof, 1'b0};

endmodule

`resetall
`default_nettype wire
