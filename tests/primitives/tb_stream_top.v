// Test wrapper: sf_fifo at several depths (powers of two and not) plus one sf_skid_buffer,
// all WIDTH = 16, in one Verilator build for tb_stream.cpp. Instance g < NF is a FIFO of
// depth DEPTHS[8*g +: 8]; instance NF is the skid buffer. cfg exposes the depths
// (0 = skid buffer), count[8*g +: 8] the FIFO counts.
`resetall
`timescale 1ns / 1ps
`default_nettype none

module tb_stream_top #(
    parameter integer NF = 7,  // number of FIFO instances
    parameter integer DW = 16  // data width
) (
    input  wire                aclk,
    input  wire                aresetn,
    input  wire [(NF+1)*DW-1:0] s_data,
    input  wire [NF:0]          s_valid,
    output wire [NF:0]          s_ready,
    output wire [(NF+1)*DW-1:0] m_data,
    output wire [NF:0]          m_valid,
    input  wire [NF:0]          m_ready,
    output wire [(NF+1)*8-1:0]  count,
    output wire [(NF+1)*8-1:0]  cfg
);
  localparam [NF*8-1:0] DEPTHS = {8'd16, 8'd8, 8'd7, 8'd5, 8'd4, 8'd3, 8'd2};
  assign cfg = {8'd0, DEPTHS};

  genvar g;
  generate
    for (g = 0; g < NF; g = g + 1) begin : g_fifo
      localparam [7:0] D = DEPTHS[8*g +: 8];
      localparam integer CW = $clog2(D + 1);
      wire [CW-1:0] cnt;
      sf_fifo #(
          .WIDTH(DW),
          .DEPTH({24'd0, D})
      ) u_fifo (
          .aclk   (aclk),
          .aresetn(aresetn),
          .s_data (s_data[g*DW +: DW]),
          .s_valid(s_valid[g]),
          .s_ready(s_ready[g]),
          .m_data (m_data[g*DW +: DW]),
          .m_valid(m_valid[g]),
          .m_ready(m_ready[g]),
          .count  (cnt)
      );
      assign count[8*g +: 8] = {{(8 - CW) {1'b0}}, cnt};
    end
  endgenerate

  sf_skid_buffer #(
      .WIDTH(DW)
  ) u_skid (
      .aclk   (aclk),
      .aresetn(aresetn),
      .s_data (s_data[NF*DW +: DW]),
      .s_valid(s_valid[NF]),
      .s_ready(s_ready[NF]),
      .m_data (m_data[NF*DW +: DW]),
      .m_valid(m_valid[NF]),
      .m_ready(m_ready[NF])
  );
  assign count[NF*8 +: 8] = 8'd0;
endmodule

`resetall
`default_nettype wire
