{{ header }}//
// Head {{ name }} (source {{ source }}): grouped 1x1 conv {{ in_channels }} -> {{ outputs }} in {{ groups }} group(s), requant16 and a
// {{ k_max }}-segment PWL activation (SPEC §2), {{ what }}.
// Input {{ in_w }}x{{ in_h }}x{{ in_channels }} int8, one pixel per beat; output AXI4-Stream of int16 values,
// tuser on the first beat of a frame, tlast on its last. Weights live in SRAM (configuration
// port below).

`resetall
`timescale 1ns / 1ps
`default_nettype none

module {{ module }} (
    input  wire aclk,
    input  wire aresetn,
    // input pixels: {{ in_channels }} int8 channels, channel c in bits 8c+7:8c
    input  wire [{{ 8 * in_channels - 1 }}:0] s_data,
    input  wire s_valid,
    output wire s_ready,
    input  wire s_sof,
    // output values
    output wire [15:0] m_axis_tdata,
    output wire m_axis_tvalid,
    input  wire m_axis_tready,
    output wire m_axis_tuser,
    output wire m_axis_tlast{% for p in ports %},
    {{ p.dir }} wire {{ p.range }}{{ p.name }}{% endfor %}
);

    // requant16 results z, one per beat, with frame markers
    wire [15:0] z_data;
    wire z_first, z_last, z_valid, z_ready;
{% if pool %}
    // Frame sums of the inputs, then the dot products once per frame (exactly
    // sum_p acc_o(p), by linearity).
    sf_head_pool #(
        .IN_N({{ in_channels }}), .OUT_N({{ outputs }}), .L({{ l }}), .GO({{ go }}), .Q({{ q }}),
        .PIXELS({{ pixels }}), .ACC_W({{ acc_w }}), .RQ_STAGES({{ rq_stages }}){% if rq_dsp_w > 0 %},
        .RQ_DSP_W({{ rq_dsp_w }}){% endif %}{% if mul_reg > 0 %}, .MUL_REG({{ mul_reg }}){% endif %}
    ) u_pool (
        .aclk(aclk), .aresetn(aresetn),
        .s_data(s_data), .s_sof(s_sof), .s_valid(s_valid), .s_ready(s_ready),
        .m_data(z_data), .m_first(z_first), .m_last(z_last), .m_valid(z_valid), .m_ready(z_ready),
        .scale({{ bus }}_scale), .bias({{ bus }}_bias), .shift({{ bus }}_shift),
        .cfg_req({{ bus }}_cfg_req), .cfg_we({{ bus }}_cfg_we), .cfg_addr({{ bus }}_cfg_addr),
        .cfg_wdata({{ bus }}_cfg_wdata), .cfg_ack({{ bus }}_cfg_ack), .cfg_rdata({{ bus }}_cfg_rdata)
    );
{% else %}
    // Frame position: pixel {{ pixels - 1 }} (the last) closes the frame.
    reg  [{{ pw - 1 }}:0] count_q;
    wire [{{ pw - 1 }}:0] pos = s_sof ? {{ pw }}'d0 : count_q;
    wire closes = pos == {{ pw }}'d{{ pixels - 1 }};
    wire take = s_valid && s_ready;
    always @(posedge aclk) begin
        if (!aresetn) count_q <= {{ pw }}'d0;
        else if (take) count_q <= closes ? {{ pw }}'d0 : pos + 1'b1;
    end

    // The conv: {{ p }} lane(s) x {{ q }} product(s), {{ clocks_used }} of {{ clocks_available }} clocks per pixel.
    wire [{{ 16 * outputs - 1 }}:0] conv_data;
    wire [1:0] conv_side;
    wire conv_valid, conv_ready;
    sf_mac_engine #(
        .IN_N({{ in_channels }}), .OUT_N({{ outputs }}), .L({{ l }}), .P({{ p }}), .Q({{ q }}),
        .OFFSET(0), .SI(1), .SO(0), .GO({{ go }}), .SG({{ l }}),
        .ACC_W({{ acc_w }}), .RELU(0), .OUT_W(16), .SIDE_W(2),
        {% if op_reg %}.OP_REG(1), {% endif %}.MUL_REG({{ mul_reg }}), {% if mul_lut %}.MUL_LUT(1), {% endif %}.LPR({{ lpr }}),
        .RQ_STAGES({{ rq_stages }}), .RQ_SPLIT({{ rq_split }}), .RQ_SEL({{ rq_sel }}){% if rq_dsp_w > 0 %},
        .RQ_DSP_W({{ rq_dsp_w }}){% endif %}
    ) u_conv (
        .aclk(aclk), .aresetn(aresetn),
        .s_data(s_data), .s_side({closes, s_sof}), .s_valid(s_valid), .s_ready(s_ready),
        .m_data(conv_data), .m_side(conv_side), .m_valid(conv_valid), .m_ready(conv_ready),
        .scale({{ bus }}_scale), .bias({{ bus }}_bias), .shift({{ bus }}_shift),
        .cfg_req({{ bus }}_cfg_req), .cfg_we({{ bus }}_cfg_we), .cfg_addr({{ bus }}_cfg_addr),
        .cfg_wdata({{ bus }}_cfg_wdata), .cfg_ack({{ bus }}_cfg_ack), .cfg_rdata({{ bus }}_cfg_rdata)
    );

    // The {{ outputs }} outputs of a pixel, one per beat.
    sf_serialize #(.N({{ outputs }}), .W(16)) u_serial (
        .aclk(aclk), .aresetn(aresetn),
        .s_data(conv_data), .s_first(conv_side[0]), .s_last(conv_side[1]),
        .s_valid(conv_valid), .s_ready(conv_ready),
        .m_data(z_data), .m_first(z_first), .m_last(z_last), .m_valid(z_valid), .m_ready(z_ready)
    );
{% endif %}
    sf_pwl #(.K_MAX({{ k_max }}), .SIDE_W(2)) u_pwl (
        .aclk(aclk), .aresetn(aresetn),
        .s_data(z_data), .s_side({z_last, z_first}), .s_valid(z_valid), .s_ready(z_ready),
        .m_data(m_axis_tdata), .m_side({m_axis_tlast, m_axis_tuser}),
        .m_valid(m_axis_tvalid), .m_ready(m_axis_tready),
        .seg_x({{ bus }}_pwl_x), .seg_y({{ bus }}_pwl_y), .seg_g({{ bus }}_pwl_g), .segments({{ bus }}_pwl_k)
    );

endmodule

`resetall
`default_nettype wire
