{% include "rtl/header.v" %}
//
// {{ description }}
// Input {{ in_w }}x{{ in_h }}x{{ in_channels }}, output {{ out_w }}x{{ out_h }}x{{ out_channels }}, stride {{ stride }}.
// Fully parallel shift-add networks ({{ choice }}), for one output pixel every {{ t }} clocks:
// a window is taken at most every {{ period }} clocks and flows through the layers in lock-step
// ({{ latency }} clocks from window to output FIFO){% if seq %}; each layer's requant units serve its channels
// in turn (sf_requant_seq), their scales and biases in memories behind `cfg_*`{% endif %}.
// At most {{ depth }} pixels are in flight, so the output FIFO ({{ depth }} entries) never
// overflows and the datapath never stalls.

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
    input  wire [{{ p.bits - 1 }}:0] {{ p.port }}{% endfor %}{% if seq %},
    // requant parameter memories ({{ cfg_words }} words, per layer: sf_requant_seq layout)
    input  wire         cfg_req,
    input  wire         cfg_we,
    input  wire [{{ cfg_aw - 1 }}:0] cfg_addr,
    input  wire [31:0]  cfg_wdata,
    output wire         cfg_ack,
    output wire [31:0]  cfg_rdata{% endif %}
);

    // 3x3 windows with zero padding; element t = 3i + j at bits [t*{{ in_bits }} +: {{ in_bits }}].
    wire [{{ 9 * in_bits - 1 }}:0] win_data;
    wire win_valid, win_sof, win_eol, win_eof;
    wire take;                                  // a window enters the layers
    sf_window3x3 #(
        .CH_BITS({{ in_bits }}),
        .WIDTH({{ in_w }}),
        .HEIGHT({{ in_h }}),
        .STRIDE({{ stride }}){% if window_wr_reg %},
        .WR_REG(1)  // registered line-memory writes (the timing plan)
{%- endif %}
    ) u_window (
        .aclk(aclk),
        .aresetn(aresetn),
        .s_data(s_data),
        .s_valid(s_valid),
        .s_ready(s_ready),
        .s_sof(s_sof),
        .m_data(win_data),
        .m_valid(win_valid),
        .m_ready(take),
        .m_sof(win_sof),
        .m_eol(win_eol),
        .m_eof(win_eof)
    );

    // Pacing and credits: a window every {{ period }} clocks at most, and only while fewer than
    // {{ depth }} pixels are between the window and the consumer. Whether the next clock may take
    // is decided a clock ahead (`can_take_q`, from the next pace and credit count), so `take`,
    // which enables the layers and the side FIFO, is one gate after registers.
    reg [{{ period_w - 1 }}:0] pace_q;
    reg [{{ depth_w - 1 }}:0] inflight_q;
    reg can_take_q;
    wire out_pop = m_valid && m_ready;
    assign take = win_valid && can_take_q;
    wire [{{ period_w - 1 }}:0] pace_d = take ? {{ period_w }}'d{{ period - 1 }}
                             : (pace_q != {{ period_w }}'d0) ? pace_q - 1'b1 : pace_q;
    wire [{{ depth_w - 1 }}:0] inflight_d = (take && !out_pop) ? inflight_q + 1'b1
                                 : (out_pop && !take) ? inflight_q - 1'b1 : inflight_q;
    always @(posedge aclk) begin
        if (!aresetn) begin
            pace_q <= {{ period_w }}'d0;
            inflight_q <= {{ depth_w }}'d0;
            can_take_q <= 1'b1;
        end else begin
            pace_q <= pace_d;
            inflight_q <= inflight_d;
            can_take_q <= pace_d == {{ period_w }}'d0 && inflight_d != {{ depth_w }}'d{{ depth }};
        end
    end

    // Markers{% if passthrough_bits > 0 %} and x1 (the window centre's first {{ passthrough_channels }} channels){% endif %} wait beside the layers.
    wire [{{ side_bits - 1 }}:0] side_out;
    wire side_valid, side_ready;
    wire [{{ depth_w - 1 }}:0] side_count, out_count;
    wire out_ready;
    wire done;                                  // the pixel's last layer finishes
    sf_fifo #(.WIDTH({{ side_bits }}), .DEPTH({{ depth }})) u_side (
        .aclk(aclk),
        .aresetn(aresetn),
        .s_data({ {% if passthrough_bits > 0 %}win_data[{{ 4 * in_bits + passthrough_bits - 1 }}:{{ 4 * in_bits }}], {% endif %}win_eol, win_sof}),
        .s_valid(take),
        .s_ready(side_ready),
        .m_data(side_out),
        .m_valid(side_valid),
        .m_ready(done),
        .count(side_count)
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
        .en(1'b1),
        .in_valid({{ l.in_valid }}),
        .out_valid({{ l.inst }}_graph_valid),
{%- for c in l.inputs %}
        .{{ c.port }}({{ c.expr }}),
{%- endfor %}
{%- for a in l.accs %}
        .{{ a.port }}({{ a.wire }}){% if !loop.last %},{% endif %}
{%- endfor %}
    );
    wire [{{ l.out_bits - 1 }}:0] {{ l.inst }}_y;
    wire {{ l.inst }}_valid;
{%- if l.programmable %}
    wire {{ l.inst }}_cfg_ack;
    wire [31:0] {{ l.inst }}_cfg_rdata;
    wire [{{ cfg_aw - 1 }}:0] {{ l.inst }}_cfg_off = cfg_addr - {{ cfg_aw }}'d{{ l.cfg_base }};
    wire unused_{{ l.inst }}_cfg = &{1'b0, {{ l.inst }}_cfg_off, 1'b0};
    sf_requant_seq #(
        .CH({{ l.channels }}),
        .ACC_W({{ l.acc_width }}),
        .R({{ l.units }}),
        .RELU({{ l.relu }})
    ) u_{{ l.inst }}_rq (
        .aclk(aclk),
        .aresetn(aresetn),
        .in_valid({{ l.inst }}_graph_valid),
        .acc({ {{ l.acc_concat }} }),
        .shift({{ l.shift_bus }}),
        .out_valid({{ l.inst }}_valid),
        .y({{ l.inst }}_y),
        .cfg_req(cfg_req && {{ l.cfg_hit }}),
        .cfg_we(cfg_we),
        .cfg_addr({{ l.inst }}_cfg_off[{{ l.cfg_sub_aw - 1 }}:0]),
        .cfg_wdata(cfg_wdata),
        .cfg_ack({{ l.inst }}_cfg_ack),
        .cfg_rdata({{ l.inst }}_cfg_rdata)
    );
{%- else %}
    {{ l.rq_module }} u_{{ l.inst }}_rq (
        .clk(aclk),
        .aresetn(aresetn),
        .en(1'b1),
{%- for a in l.accs %}
        .acc{{ loop.index0 }}({{ a.wire }}),
{%- endfor %}
        .y({{ l.inst }}_y)
    );
    sf_delay #(.WIDTH(1), .DEPTH({{ l.rq_latency }}), .RESET(1)) u_{{ l.inst }}_v (
        .aclk(aclk), .aresetn(aresetn), .en(1'b1), .d({{ l.inst }}_graph_valid), .q({{ l.inst }}_valid));
{%- endif %}
{% endfor %}
{%- for h in holds %}
    // Branch {{ h.index }} finishes {{ h.lead }} clock(s) before the other: its result is held.
    reg [{{ h.bits - 1 }}:0] {{ h.wire }};
    always @(posedge aclk) begin
        if ({{ h.valid }}) {{ h.wire }} <= {{ h.source }};
    end
{%- endfor %}
    assign done = {{ done }};
    // the credits keep both FIFOs from filling: their ready and count are not needed
    wire unused_side = &{1'b0, side_valid, side_ready, side_count, out_ready, out_count{% for u in unused_valids %}, {{ u }}{% endfor %}, 1'b0};

    // {{ output_comment }}
    wire [{{ out_bits - 1 }}:0] y_out = {
{%- for e in outputs %}
        {{ e }}{% if !loop.last %},{% endif %}
{%- endfor %}
    };
    wire [{{ out_bits + 1 }}:0] out_data;
    sf_fifo #(.WIDTH({{ out_bits + 2 }}), .DEPTH({{ depth }})) u_out (
        .aclk(aclk),
        .aresetn(aresetn),
        .s_data({side_out[1:0], y_out}),
        .s_valid(done),
        .s_ready(out_ready),
        .m_data(out_data),
        .m_valid(m_valid),
        .m_ready(m_ready),
        .count(out_count)
    );
    assign m_data = out_data[{{ out_bits - 1 }}:0];
    assign m_sof = out_data[{{ out_bits }}];
    assign m_eol = out_data[{{ out_bits + 1 }}];
{%- if seq %}

    // Configuration: each layer's window is a range of the stage's words; one access at a time.
    assign cfg_ack = {% for l in layers %}{% if l.programmable %}{{ l.inst }}_cfg_ack || {% endif %}{% endfor %}1'b0;
    assign cfg_rdata = {% for l in layers %}{% if l.programmable %}({32{ {{ l.inst }}_cfg_ack }} & {{ l.inst }}_cfg_rdata) | {% endif %}{% endfor %}32'd0;
{%- endif %}

    wire unused_ok = &{1'b0, win_eof{% for u in unused %}, {{ u }}{% endfor %}, 1'b0};

endmodule

`resetall
`default_nettype wire
