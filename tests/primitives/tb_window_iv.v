// Self-checking Verilog testbench for sf_window3x3, for a second simulator (Icarus Verilog):
// NF frames whose pixel values are a function of (frame, row, column), random s_valid gaps and
// m_ready backpressure ($random with a fixed seed), every window element and marker checked.
// Prints "PASS" or "FAIL ..." and finishes.
`timescale 1ns / 1ps
`default_nettype none

module tb_window_iv;
  parameter integer W = 5;       // frame width
  parameter integer H = 3;       // frame height
  parameter integer S = 1;       // stride
  parameter integer NF = 3;      // frames
  parameter integer SEED = 1;    // $random seed
  parameter integer WR_REG = 0;  // sf_window3x3 WR_REG
  localparam integer CB = 10;    // bits per pixel
  localparam integer WO = (W + S - 1) / S;
  localparam integer HO = (H + S - 1) / S;

  reg aclk = 1'b0;
  reg aresetn = 1'b0;
  reg [CB-1:0] s_data = 0;
  reg s_valid = 1'b0;
  reg s_sof = 1'b0;
  wire s_ready;
  wire [9*CB-1:0] m_data;
  wire m_valid;
  reg m_ready = 1'b0;
  wire m_sof, m_eol, m_eof;

  sf_window3x3 #(.CH_BITS(CB), .WIDTH(W), .HEIGHT(H), .STRIDE(S), .WR_REG(WR_REG)) dut (
      .aclk(aclk), .aresetn(aresetn), .s_data(s_data), .s_valid(s_valid), .s_ready(s_ready),
      .s_sof(s_sof), .m_data(m_data), .m_valid(m_valid), .m_ready(m_ready), .m_sof(m_sof),
      .m_eol(m_eol), .m_eof(m_eof));

  function [CB-1:0] pix;  // value of pixel (y, x) of frame f, 0 outside the image
    input integer f, y, x;
    begin
      if (y < 0 || y >= H || x < 0 || x >= W) pix = 0;
      else pix = (f * 97 + y * W + x + 1) % (1 << CB);
    end
  endfunction

  integer seed = SEED;
  integer in_n = 0;   // pixels accepted
  integer out_n = 0;  // windows accepted
  integer errors = 0;
  integer cycles = 0;
  integer f, r, c, i, j;
  reg ok;

  always #5 aclk = ~aclk;

  initial begin
    repeat (3) @(posedge aclk);
    aresetn <= 1'b1;
  end

  // input driver: hold a pixel until accepted, random gaps
  always @(posedge aclk) begin
    if (aresetn) begin
      if (s_valid && s_ready) in_n = in_n + 1;
      if (!(s_valid && !s_ready)) begin
        if (in_n < NF * W * H && ($random(seed) & 3) != 0) begin
          s_valid <= 1'b1;
          s_data <= pix(in_n / (W * H), (in_n % (W * H)) / W, in_n % W);
          s_sof <= (in_n % (W * H)) == 0;
        end else begin
          s_valid <= 1'b0;
        end
      end
      m_ready <= ($random(seed) % 3) != 0;
    end
  end

  // output checker
  always @(posedge aclk) begin
    cycles = cycles + 1;
    if (m_valid && m_ready) begin
      f = out_n / (WO * HO);
      r = (out_n % (WO * HO)) / WO;
      c = out_n % WO;
      ok = 1'b1;
      for (i = 0; i < 3; i = i + 1)
        for (j = 0; j < 3; j = j + 1)
          if (m_data[(3*i+j)*CB +: CB] !== pix(f, S * r + i - 1, S * c + j - 1)) ok = 1'b0;
      if (m_sof !== (r == 0 && c == 0) || m_eol !== (c == WO - 1) ||
          m_eof !== (r == HO - 1 && c == WO - 1)) ok = 1'b0;
      if (!ok) begin
        errors = errors + 1;
        if (errors < 5) $display("FAIL frame %0d window (%0d,%0d): got %h", f, r, c, m_data);
      end
      out_n = out_n + 1;
    end
    if (out_n == NF * WO * HO) begin
      if (errors == 0) $display("PASS W=%0d H=%0d S=%0d: %0d windows in %0d cycles", W, H, S,
                                out_n, cycles);
      else $display("FAIL: %0d errors", errors);
      $finish;
    end
    if (cycles > 100 * NF * W * H + 1000) begin
      $display("FAIL: timeout, %0d of %0d windows", out_n, NF * WO * HO);
      $finish;
    end
  end
endmodule

`default_nettype wire
