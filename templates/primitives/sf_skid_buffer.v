// sf_skid_buffer: 2-entry register slice / skid buffer (semifreddo primitive).
//
// CONTRACT
//   Parameters
//     WIDTH  data width in bits, >= 1.
//   Ports (all synchronous to the rising edge of aclk)
//     aresetn          synchronous active-low reset: clears both valid bits and sets
//                      s_ready low for one clock, then high (data registers not reset).
//     s_data/s_valid/s_ready   input stream. s_ready is a REGISTER output: it does not
//                      depend combinationally on m_ready (this is what the slice is for).
//     m_data/m_valid/m_ready   output stream. m_valid and m_data are register outputs.
//   Latency    1 clock (a word accepted at edge t is on m_data after edge t).
//   Throughput one word per clock, sustained, with any pattern of m_ready: the second
//              ("skid") register catches the word accepted in the clock where m_ready fell.
//   Storage    2 words; s_ready is low exactly when both registers are full.
// Both sides obey AXI4-Stream: valid never depends on ready, data held while valid && !ready.
// Modelled on alexforencich verilog-axis axis_register (REG_TYPE = 2).

`resetall
`timescale 1ns / 1ps
`default_nettype none

module sf_skid_buffer #(
    parameter integer WIDTH = 8   // data width in bits
) (
    input  wire             aclk,
    input  wire             aresetn,
    // input stream
    input  wire [WIDTH-1:0] s_data,
    input  wire             s_valid,
    output wire             s_ready,
    // output stream
    output wire [WIDTH-1:0] m_data,
    output wire             m_valid,
    input  wire             m_ready
);

  // Parameter check (CONTRACT): an illegal instance stops at time 0 in simulation;
  // synthesis tools define SYNTHESIS and skip it.
`ifndef SYNTHESIS
  initial begin
    if (!(WIDTH >= 1)) begin
      $display("%m: sf_skid_buffer parameters outside its CONTRACT:");
      $display("  WIDTH=%0d", WIDTH);
      $finish;
    end
  end
`endif

  reg [WIDTH-1:0] m_data_q;
  reg [WIDTH-1:0] skid_data_q;
  reg m_valid_q;
  reg skid_valid_q;
  reg s_ready_q;

  // s_ready for the next clock: the output drains, or the skid register stays empty even if
  // a word arrives now.
  wire s_ready_d = m_ready || (!skid_valid_q && (!m_valid_q || !s_valid));

  reg m_valid_d;
  reg skid_valid_d;
  reg in_to_out;
  reg in_to_skid;
  reg skid_to_out;

  always @* begin
    m_valid_d    = m_valid_q;
    skid_valid_d = skid_valid_q;
    in_to_out    = 1'b0;
    in_to_skid   = 1'b0;
    skid_to_out  = 1'b0;
    if (s_ready_q) begin
      if (m_ready || !m_valid_q) begin
        m_valid_d = s_valid;
        in_to_out = 1'b1;
      end else begin
        skid_valid_d = s_valid;
        in_to_skid   = 1'b1;
      end
    end else if (m_ready) begin
      m_valid_d    = skid_valid_q;
      skid_valid_d = 1'b0;
      skid_to_out  = 1'b1;
    end
  end

  always @(posedge aclk) begin
    if (!aresetn) begin
      m_valid_q    <= 1'b0;
      skid_valid_q <= 1'b0;
      s_ready_q    <= 1'b0;
    end else begin
      m_valid_q    <= m_valid_d;
      skid_valid_q <= skid_valid_d;
      s_ready_q    <= s_ready_d;
    end
  end

  // datapath, not reset
  always @(posedge aclk) begin
    if (in_to_out) begin
      m_data_q <= s_data;
    end else if (skid_to_out) begin
      m_data_q <= skid_data_q;
    end
    if (in_to_skid) begin
      skid_data_q <= s_data;
    end
  end

  assign s_ready = s_ready_q;
  assign m_valid = m_valid_q;
  assign m_data  = m_data_q;

endmodule

`resetall
`default_nettype wire
