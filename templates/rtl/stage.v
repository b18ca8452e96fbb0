{% include "rtl/header.v" %}
//
// {{ description }}
// Input {{ in_w }}x{{ in_h }}x{{ in_channels }}, output {{ out_w }}x{{ out_h }}x{{ out_channels }}, stride {{ stride }}.
// Latency: the window generator's row latency, then {{ latency }} clocks of compute.
// Every compute stage advances on `en`, so valid, markers and data move in lock-step.

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
    output wire         m_eol{% for p in params %},
    // {{ p.comment }}
    input  wire [{{ p.bits - 1 }}:0] {{ p.port }}{% endfor %}
);

    // The pipeline advances when its output register is empty or being read.
    wire en = !m_valid || m_ready;

    // 3x3 windows with zero padding; element t = 3i + j at bits [t*{{ in_bits }} +: {{ in_bits }}].
    wire [{{ 9 * in_bits - 1 }}:0] win_data;
    wire win_valid, win_sof, win_eol, win_eof;
    sf_window3x3 #(
        .CH_BITS({{ in_bits }}),
        .WIDTH({{ in_w }}),
        .HEIGHT({{ in_h }}),
        .STRIDE({{ stride }})
    ) u_window (
        .aclk(aclk),
        .aresetn(aresetn),
        .s_data(s_data),
        .s_valid(s_valid),
        .s_ready(s_ready),
        .s_sof(s_sof),
        .m_data(win_data),
        .m_valid(win_valid),
        .m_ready(en),
        .m_sof(win_sof),
        .m_eol(win_eol),
        .m_eof(win_eof)
    );
{% for l in layers %}
    // ---- {{ l.name }}: {{ l.summary }}
    wire {{ l.inst }}_graph_valid;
{%- for a in l.accs %}
    wire signed [{{ a.width - 1 }}:0] {{ a.wire }};
{%- endfor %}
    {{ l.module }} u_{{ l.inst }} (
        .clk(aclk),
        .aresetn(aresetn),
        .en(en),
        .in_valid(win_valid),
        .out_valid({{ l.inst }}_graph_valid),
{%- for c in l.inputs %}
        .{{ c.port }}({{ c.expr }}),
{%- endfor %}
{%- for a in l.accs %}
        .{{ a.port }}({{ a.wire }}){% if !loop.last %},{% endif %}
{%- endfor %}
    );
    wire [{{ l.out_bits - 1 }}:0] {{ l.inst }}_y;
{%- if l.programmable %}
    sf_requant #(
        .CH({{ l.channels }}),
        .ACC_W({{ l.acc_width }}),
        .RELU({{ l.relu }}),
        .OUT_W(8)
    ) u_{{ l.inst }}_rq (
        .aclk(aclk),
        .en(en),
        .acc({ {{ l.acc_concat }} }),
        .scale({{ l.scale_bus }}),
        .bias({{ l.bias_bus }}),
        .shift({{ l.shift_bus }}),
        .y({{ l.inst }}_y)
    );
{%- else %}
    {{ l.rq_module }} u_{{ l.inst }}_rq (
        .clk(aclk),
        .aresetn(aresetn),
        .en(en),
{%- for a in l.accs %}
        .acc{{ loop.index0 }}({{ a.wire }}),
{%- endfor %}
        .y({{ l.inst }}_y)
    );
{%- endif %}
{% endfor %}
{%- for b in branches %}
    // Branch {{ b.index }} output, aligned to the stage latency ({{ b.delay }} extra clocks).
    wire [{{ b.bits - 1 }}:0] {{ b.wire }};
    sf_delay #(.WIDTH({{ b.bits }}), .DEPTH({{ b.delay }}), .RESET(0)) u_{{ b.wire }} (
        .aclk(aclk), .aresetn(aresetn), .en(en), .d({{ b.source }}), .q({{ b.wire }}));
{% endfor %}
{%- if passthrough_bits > 0 %}
    // x1: the first {{ passthrough_channels }} channels of the window centre, delayed beside the branch.
    wire [{{ passthrough_bits - 1 }}:0] x1_d;
    sf_delay #(.WIDTH({{ passthrough_bits }}), .DEPTH({{ latency }}), .RESET(0)) u_x1 (
        .aclk(aclk), .aresetn(aresetn), .en(en),
        .d(win_data[{{ 4 * in_bits + passthrough_bits - 1 }}:{{ 4 * in_bits }}]), .q(x1_d));
{% endif %}
    // Valid and frame markers travel beside the data.
    wire [2:0] ctl_d;
    sf_delay #(.WIDTH(3), .DEPTH({{ latency }}), .RESET(1)) u_ctl (
        .aclk(aclk), .aresetn(aresetn), .en(en), .d({win_eol, win_sof, win_valid}), .q(ctl_d));
    assign m_valid = ctl_d[0];
    assign m_sof   = ctl_d[1];
    assign m_eol   = ctl_d[2];

    // {{ output_comment }}
    assign m_data = {
{%- for e in outputs %}
        {{ e }}{% if !loop.last %},{% endif %}
{%- endfor %}
    };

    wire unused_ok = &{1'b0, win_eof{% for l in layers %}, {{ l.inst }}_graph_valid{% endfor %}{% for u in unused %}, {{ u }}{% endfor %}, 1'b0};

endmodule

`resetall
`default_nettype wire
