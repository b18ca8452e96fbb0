// Test wrapper for tb_sram.cpp: one sf_sram_sp (16 bits x 10 words, byte enables) and one
// sf_sram_1r1w (12 bits x 7 words); both depths are not powers of two.
`resetall
`timescale 1ns / 1ps
`default_nettype none

module tb_sram_top (
    input  wire        aclk,
    input  wire        sp_req,
    input  wire        sp_we,
    input  wire [3:0]  sp_addr,
    input  wire [15:0] sp_wdata,
    input  wire [1:0]  sp_be,
    output wire [15:0] sp_rdata,
    input  wire        dp_we,
    input  wire [2:0]  dp_waddr,
    input  wire [11:0] dp_wdata,
    input  wire        dp_re,
    input  wire [2:0]  dp_raddr,
    output wire [11:0] dp_rdata
);
  sf_sram_sp #(
      .WIDTH(16),
      .DEPTH(10),
      .BE_W (8)
  ) u_sp (
      .aclk (aclk),
      .req  (sp_req),
      .we   (sp_we),
      .addr (sp_addr),
      .wdata(sp_wdata),
      .be   (sp_be),
      .rdata(sp_rdata)
  );
  sf_sram_1r1w #(
      .WIDTH(12),
      .DEPTH(7)
  ) u_dp (
      .aclk (aclk),
      .we   (dp_we),
      .waddr(dp_waddr),
      .wdata(dp_wdata),
      .re   (dp_re),
      .raddr(dp_raddr),
      .rdata(dp_rdata)
  );
endmodule

`resetall
`default_nettype wire
