{% include "rtl/header.v" %}
//
// Frozen requantization of layer {{ name }} (frozen_bn = "frozen", SPEC §2):
// y = clamp((acc * m + b + rnd) >>> {{ shift }}, {{ lo }}, 127) with m, b baked in. The products
// are the shift-add network {{ graph_module }}; adding b + rnd and shifting are wiring.
// Latency {{ latency }} clocks of en: the network, then the output register.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module {{ module }} (
    input  wire clk,
    input  wire aresetn,
    input  wire en,
{%- for c in channels %}
    input  wire signed [{{ c.acc_width - 1 }}:0] acc{{ c.index }},
{%- endfor %}
    output wire [{{ 8 * channels.len() - 1 }}:0] y
);

    wire graph_valid;
{%- for c in channels %}
    wire signed [{{ c.prod_width - 1 }}:0] p{{ c.index }};
{%- endfor %}
    {{ graph_module }} u_scale (
        .clk(clk),
        .aresetn(aresetn),
        .en(en),
        .in_valid(1'b1),
        .out_valid(graph_valid),
{%- for c in channels %}
        .x{{ c.index }}(acc{{ c.index }}),
{%- endfor %}
{%- for c in channels %}
        .y{{ c.index }}(p{{ c.index }}){% if !loop.last %},{% endif %}
{%- endfor %}
    );
{% for c in channels %}
    // channel {{ c.index }}: m = {{ c.scale }}, b + rnd = {{ c.add }}, sum in [{{ c.sum_lo }}, {{ c.sum_hi }}]
    wire signed [{{ c.sum_width - 1 }}:0] sum{{ c.index }} = {{ c.sum_expr }};
    wire signed [{{ c.sum_width - 1 }}:0] sh{{ c.index }} = sum{{ c.index }} >>> {{ shift }};
    reg [7:0] y{{ c.index }}_q;
    always @(posedge clk) begin
        if (en) begin
            if (sh{{ c.index }} > {{ c.hi_lit }}) y{{ c.index }}_q <= 8'd127;
            else if (sh{{ c.index }} < {{ c.lo_lit }}) y{{ c.index }}_q <= {{ lo_byte }};
            else y{{ c.index }}_q <= sh{{ c.index }}[7:0];
        end
    end
    assign y[{{ 8 * c.index + 7 }}:{{ 8 * c.index }}] = y{{ c.index }}_q;
{% endfor %}
    wire unused_ok = &{1'b0, graph_valid{% for c in channels %}{% if let Some(d) = c.dropped %}, {{ d }}{% endif %}{% endfor %}, 1'b0};

endmodule

`resetall
`default_nettype wire
