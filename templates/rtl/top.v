{% include "rtl/header.v" %}
//
// Top level of the frozen core of "{{ model }}" (SPEC §4):
//   {{ video_in }}_*       AXI4-Stream video in, {{ in_w }}x{{ in_h }} pixels of {{ in_channels }} bytes
//                  (tuser = start of frame, tlast = end of line).
//   {{ features }}_*  the frozen core's final feature map, {{ out_w }}x{{ out_h }} pixels of {{ out_channels }}
//                  int8 channels, one beat per pixel in raster order, tuser on the first pixel of
//                  a frame, tlast on the last pixel of each line (same convention as the input).
//   {{ axil }}_*       AXI4-Lite configuration: ID, status, control{% if programmable %}, requant parameters{% endif %}.
// Malformed input frames set sticky STATUS bits, are completed with zero pixels, and the
// pipeline resynchronises at the next start of frame.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module {{ module }} (
    input  wire         aclk,
    input  wire         aresetn,
{%- for p in ports %}
    // {{ p.what }}
    {{ p.dir }} wire [{{ p.bits - 1 }}:0] {{ p.prefix }}_tdata,
    {{ p.dir }} wire         {{ p.prefix }}_tvalid,
    {{ p.rdir }} wire         {{ p.prefix }}_tready,
    {{ p.dir }} wire         {{ p.prefix }}_tuser,
    {{ p.dir }} wire         {{ p.prefix }}_tlast,
{%- endfor %}
    // configuration
    input  wire [{{ addr_bits - 1 }}:0] {{ axil }}_awaddr,
    input  wire [2:0]   {{ axil }}_awprot,
    input  wire         {{ axil }}_awvalid,
    output wire         {{ axil }}_awready,
    input  wire [31:0]  {{ axil }}_wdata,
    input  wire [3:0]   {{ axil }}_wstrb,
    input  wire         {{ axil }}_wvalid,
    output wire         {{ axil }}_wready,
    output wire [1:0]   {{ axil }}_bresp,
    output wire         {{ axil }}_bvalid,
    input  wire         {{ axil }}_bready,
    input  wire [{{ addr_bits - 1 }}:0] {{ axil }}_araddr,
    input  wire [2:0]   {{ axil }}_arprot,
    input  wire         {{ axil }}_arvalid,
    output wire         {{ axil }}_arready,
    output wire [31:0]  {{ axil }}_rdata,
    output wire [1:0]   {{ axil }}_rresp,
    output wire         {{ axil }}_rvalid,
    input  wire         {{ axil }}_rready
);

    // ---- configuration
    wire                wr_en, wr_ok, rd_ok, rd_en, err_clear;{% if has_windows %}
    wire                wr_wait, rd_wait, ack;{% endif %}
    wire [{{ addr_bits - 1 }}:0] wr_addr, rd_addr;
    wire [31:0]         wr_data, rd_data;
    wire [3:0]          wr_strb, status_err;
    wire [31:0]         frame_count;
{%- for p in params %}
    wire [{{ p.bits - 1 }}:0] {{ p.port }};
{%- endfor %}

    sf_axil_regbus #(.ADDR_W({{ addr_bits }})) u_axil (
        .aclk(aclk), .aresetn(aresetn),
        .s_axil_awaddr({{ axil }}_awaddr), .s_axil_awprot({{ axil }}_awprot),
        .s_axil_awvalid({{ axil }}_awvalid), .s_axil_awready({{ axil }}_awready),
        .s_axil_wdata({{ axil }}_wdata), .s_axil_wstrb({{ axil }}_wstrb),
        .s_axil_wvalid({{ axil }}_wvalid), .s_axil_wready({{ axil }}_wready),
        .s_axil_bresp({{ axil }}_bresp), .s_axil_bvalid({{ axil }}_bvalid), .s_axil_bready({{ axil }}_bready),
        .s_axil_araddr({{ axil }}_araddr), .s_axil_arprot({{ axil }}_arprot),
        .s_axil_arvalid({{ axil }}_arvalid), .s_axil_arready({{ axil }}_arready),
        .s_axil_rdata({{ axil }}_rdata), .s_axil_rresp({{ axil }}_rresp),
        .s_axil_rvalid({{ axil }}_rvalid), .s_axil_rready({{ axil }}_rready),
        .wr_en(wr_en), .wr_addr(wr_addr), .wr_data(wr_data), .wr_strb(wr_strb), .wr_ok(wr_ok),
        .rd_addr(rd_addr), .rd_data(rd_data), .rd_ok(rd_ok),
        .rd_en(rd_en), .wr_wait({{ wr_wait }}), .rd_wait({{ rd_wait }}), .ack({{ ack }})
    );

    {{ regs_module }} u_regs (
        .aclk(aclk), .aresetn(aresetn),
        .wr_en(wr_en), .wr_addr(wr_addr), .wr_data(wr_data), .wr_strb(wr_strb), .wr_ok(wr_ok),
        .rd_addr(rd_addr), .rd_data(rd_data), .rd_ok(rd_ok),
        .status_err(status_err), .frame_count(frame_count), .err_clear(err_clear){{ regs_extra }}{% for p in params %},
        .{{ p.port }}({{ p.port }}){% endfor %}
    );

    // ---- video in: whole {{ in_w }}x{{ in_h }} frames only, bytes p become int8 x = p - 128
    wire [{{ in_bits - 1 }}:0] video_data;
    wire video_valid, video_ready, video_sof, video_eol, video_eof;
    sf_axis_video_in #(.DATA_W({{ in_bits }}), .WIDTH({{ in_w }}), .HEIGHT({{ in_h }}), .CNT_W(32)) u_video_in (
        .aclk(aclk), .aresetn(aresetn),
        .s_axis_tdata({{ video_in }}_tdata), .s_axis_tvalid({{ video_in }}_tvalid), .s_axis_tready({{ video_in }}_tready),
        .s_axis_tuser({{ video_in }}_tuser), .s_axis_tlast({{ video_in }}_tlast),
        .m_data(video_data), .m_valid(video_valid), .m_ready(video_ready),
        .m_sof(video_sof), .m_eol(video_eol), .m_eof(video_eof),
        .err(status_err), .err_clear(err_clear), .frame_count(frame_count)
    );

    // Inter-stage streams; the *_data/_valid/_ready wires are debug taps for co-simulation.
    wire [{{ in_bits - 1 }}:0] input_data /* verilator public_flat_rd */;
    wire input_valid /* verilator public_flat_rd */;
    wire input_ready /* verilator public_flat_rd */;
    wire input_sof;
    assign input_data  = video_data ^ {{ "{" }}{{ in_channels }}{8'h80}};
    assign input_valid = video_valid;
    assign input_sof   = video_sof;
    assign video_ready = input_ready;
{% for s in stages %}
    // {{ s.name }}
    wire [{{ s.out_bits - 1 }}:0] {{ s.wire }}_data /* verilator public_flat_rd */;
    wire {{ s.wire }}_valid /* verilator public_flat_rd */;
    wire {{ s.wire }}_ready /* verilator public_flat_rd */;
    wire {{ s.wire }}_sof, {{ s.wire }}_eol;
    {{ s.module }} u_{{ s.wire }} (
        .aclk(aclk), .aresetn(aresetn),
        .s_data({{ s.src }}_data), .s_valid({{ s.src_hs }}_valid), .s_ready({{ s.src_hs }}_ready), .s_sof({{ s.src }}_sof),
        .m_data({{ s.wire }}_data), .m_valid({{ s.wire }}_valid), .m_ready({{ s.wire }}_ready),
        .m_sof({{ s.wire }}_sof), .m_eol({{ s.wire }}_eol){% for c in s.conns %},
        .{{ c.0 }}({{ c.1 }}){% endfor %}
    );
{%- endfor %}
{% if let Some(tr) = train %}{% include "rtl/top_train.v" %}{% else %}
{%- for w in cfg_wires %}
    wire [{{ w.bits - 1 }}:0] {{ w.name }};
{%- endfor %}{% endif %}
{% include "rtl/top_outputs.v" %}


    wire unused_ok = &{1'b0{% if !has_windows %}, rd_en{% endif %}, video_eol, video_eof{% for u in unused %}, {{ u }}{% endfor %}, 1'b0};

endmodule

`resetall
`default_nettype wire
