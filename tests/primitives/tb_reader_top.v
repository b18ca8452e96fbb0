// Test wrapper: K independent sf_window_reader instances with different (WIDTH, HEIGHT,
// STRIDE), CH_BITS = 12 in 3 groups of 4 bits, MID_BITS = 6. cfg[24*g +: 24] =
// {WIDTH, HEIGHT, STRIDE} of instance g.
`resetall
`timescale 1ns / 1ps
`default_nettype none

module tb_reader_top #(
    parameter integer K  = 18,
    parameter integer CB = 12,
    parameter integer GB = 4,
    parameter integer MB = 6
) (
    input  wire              aclk,
    input  wire              aresetn,
    input  wire [K*CB-1:0]   s_data,
    input  wire [K-1:0]      s_valid,
    output wire [K-1:0]      s_ready,
    input  wire [K-1:0]      s_sof,
    output wire [K-1:0]      w_valid,
    input  wire [K-1:0]      w_done,
    output wire [K-1:0]      w_sof,
    output wire [K-1:0]      w_eol,
    output wire [K-1:0]      w_eof,
    input  wire [K-1:0]      rd_en,
    input  wire [2*K-1:0]    rd_col,
    input  wire [2*K-1:0]    rd_grp,
    output wire [K*3*GB-1:0] rd_data,
    output wire [K*MB-1:0]   rd_mid,
    output wire [K*24-1:0]   cfg
);
  localparam [K*24-1:0] CFG = {
    8'd5, 8'd3, 8'd1,
    8'd5, 8'd3, 8'd2,
    8'd8, 8'd6, 8'd1,
    8'd8, 8'd6, 8'd2,
    8'd7, 8'd7, 8'd1,
    8'd7, 8'd7, 8'd2,
    8'd4, 8'd5, 8'd1,
    8'd6, 8'd1, 8'd2,
    8'd1, 8'd1, 8'd1,
    8'd2, 8'd3, 8'd2,
    8'd3, 8'd2, 8'd1,
    8'd16, 8'd4, 8'd2,
    8'd1, 8'd4, 8'd2,
    8'd9, 8'd2, 8'd1,
    8'd2, 8'd8, 8'd1,
    8'd3, 8'd9, 8'd2,
    8'd32, 8'd5, 8'd1,
    8'd33, 8'd4, 8'd2
  };
  assign cfg = CFG;
  genvar g;
  generate
    for (g = 0; g < K; g = g + 1) begin : g_inst
      localparam [23:0] C = CFG[24*g +: 24];
      sf_window_reader #(
          .CH_BITS(CB), .WIDTH({24'd0, C[23:16]}), .HEIGHT({24'd0, C[15:8]}),
          .STRIDE({24'd0, C[7:0]}), .GROUP_BITS(GB), .MID_BITS(MB)
      ) u_rd (
          .aclk(aclk), .aresetn(aresetn),
          .s_data(s_data[g*CB +: CB]), .s_valid(s_valid[g]), .s_ready(s_ready[g]), .s_sof(s_sof[g]),
          .w_valid(w_valid[g]), .w_done(w_done[g]), .w_sof(w_sof[g]), .w_eol(w_eol[g]),
          .w_eof(w_eof[g]), .rd_en(rd_en[g]), .rd_col(rd_col[2*g +: 2]), .rd_grp(rd_grp[2*g +: 2]),
          .rd_data(rd_data[g*3*GB +: 3*GB]), .rd_mid(rd_mid[g*MB +: MB])
      );
    end
  endgenerate
endmodule

`resetall
`default_nettype wire
