// Test wrapper: K independent sf_window3x3 instances with different (WIDTH, HEIGHT, STRIDE),
// so that one Verilator build covers every configuration. cfg exposes each instance's
// parameters to the C++ testbench (tb_window.cpp): instance g has
// cfg[24*g +: 24] = {WIDTH[7:0], HEIGHT[7:0], STRIDE[7:0]}.
`resetall
`timescale 1ns / 1ps
`default_nettype none

module tb_window_top #(
    parameter integer K  = 18,  // number of instances (must match CFG)
    parameter integer CB = 12,  // CH_BITS of every instance
    parameter integer WR_REG = 0  // sf_window3x3 WR_REG of every instance
) (
    input  wire              aclk,
    input  wire              aresetn,
    input  wire [K*CB-1:0]   s_data,
    input  wire [K-1:0]      s_valid,
    output wire [K-1:0]      s_ready,
    input  wire [K-1:0]      s_sof,
    output wire [K*9*CB-1:0] m_data,
    output wire [K-1:0]      m_valid,
    input  wire [K-1:0]      m_ready,
    output wire [K-1:0]      m_sof,
    output wire [K-1:0]      m_eol,
    output wire [K-1:0]      m_eof,
    output wire [K*24-1:0]   cfg
);
  // instance 0 is the rightmost entry
  localparam [K*24-1:0] CFG = {
    8'd33, 8'd4, 8'd2,
    8'd32, 8'd5, 8'd1,
    8'd3, 8'd9, 8'd2,
    8'd2, 8'd8, 8'd1,
    8'd9, 8'd2, 8'd1,
    8'd1, 8'd4, 8'd2,
    8'd16, 8'd4, 8'd2,
    8'd3, 8'd2, 8'd1,
    8'd2, 8'd3, 8'd2,
    8'd1, 8'd1, 8'd1,
    8'd6, 8'd1, 8'd2,
    8'd4, 8'd5, 8'd1,
    8'd7, 8'd7, 8'd2,
    8'd7, 8'd7, 8'd1,
    8'd8, 8'd6, 8'd2,
    8'd8, 8'd6, 8'd1,
    8'd5, 8'd3, 8'd2,
    8'd5, 8'd3, 8'd1
  };
  assign cfg = CFG;

  genvar g;
  generate
    for (g = 0; g < K; g = g + 1) begin : g_inst
      localparam [23:0] C = CFG[24*g +: 24];
      sf_window3x3 #(
          .CH_BITS(CB),
          .WIDTH  ({24'd0, C[23:16]}),
          .HEIGHT ({24'd0, C[15:8]}),
          .STRIDE ({24'd0, C[7:0]}),
          .FO     (5),  // several copies of the controls, the last partial
          .WR_REG (WR_REG)
      ) u_win (
          .aclk   (aclk),
          .aresetn(aresetn),
          .s_data (s_data[g*CB +: CB]),
          .s_valid(s_valid[g]),
          .s_ready(s_ready[g]),
          .s_sof  (s_sof[g]),
          .m_data (m_data[g*9*CB +: 9*CB]),
          .m_valid(m_valid[g]),
          .m_ready(m_ready[g]),
          .m_sof  (m_sof[g]),
          .m_eol  (m_eol[g]),
          .m_eof  (m_eof[g])
      );
    end
  endgenerate
endmodule

`resetall
`default_nettype wire
