`default_nettype none
module {{ module }} (
  input wire aclk, input wire aresetn,
  input wire [{{ in_bits - 1 }}:0] s_data, input wire s_side, input wire s_valid, output wire s_ready,
  output wire [{{ out_bits - 1 }}:0] m_data, output wire m_side, output wire m_valid, input wire m_ready,
  input wire [{{ 2 * out_bits - 1 }}:0] scale, input wire [{{ 4 * out_bits - 1 }}:0] bias, input wire [5:0] shift,
  input wire cfg_req, input wire cfg_we, input wire [{{ addr_bits - 1 }}:0] cfg_addr, input wire [31:0] cfg_wdata,
  output wire cfg_ack, output wire [31:0] cfg_rdata);
  sf_mac_engine #(.IN_N({{ e.in_n }}), .OUT_N({{ e.out_n }}), .L({{ e.l }}), .P({{ e.p }}), .Q({{ e.q }}), .OFFSET({{ offset }}), .SI({{ si }}), .SO({{ so }}), .GO({{ go }}), .SG({{ sg }}), .ACC_W({{ acc }}), .RELU({{ relu }}), .OUT_W(8), .SIDE_W(1), {% if e.pipe.op_reg %}.OP_REG(1), {% endif %}.MUL_REG({{ mul_reg }}), {% if e.pipe.mul_lut %}.MUL_LUT(1), {% endif %}.LPR({{ e.pipe.lpr }}), .RQ_STAGES({{ e.pipe.rq_stages }}), .RQ_SPLIT({{ e.pipe.rq_split }}), .RQ_SEL({{ rq_sel }}){% if e.pipe.rq_dsp_w > 0 %}, .RQ_DSP_W({{ e.pipe.rq_dsp_w }}){% endif %}) u (
    .aclk(aclk), .aresetn(aresetn), .s_data(s_data), .s_side(s_side), .s_valid(s_valid), .s_ready(s_ready),
    .m_data(m_data), .m_side(m_side), .m_valid(m_valid), .m_ready(m_ready),
    .scale(scale), .bias(bias), .shift(shift), .cfg_req(cfg_req), .cfg_we(cfg_we), .cfg_addr(cfg_addr),
    .cfg_wdata(cfg_wdata), .cfg_ack(cfg_ack), .cfg_rdata(cfg_rdata));
endmodule
`default_nettype wire
