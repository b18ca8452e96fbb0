// sf_sram_1r1w: simple dual-port synchronous SRAM (one write port, one read port, one clock),
// behavioural model (semifreddo primitive). sf_window3x3 uses it for its line memories.
//
// CONTRACT
//   Parameters
//     WIDTH  word width in bits, >= 1.
//     DEPTH  number of words, >= 1.
//     AW     address width; derived, do not override.
//   Ports (all synchronous to the rising edge of aclk; no reset)
//     we, waddr, wdata   write port: writes wdata to waddr at the edge when we = 1.
//     re, raddr, rdata   read port: when re = 1 at an edge, rdata shows mem[raddr] after that
//                        edge (read latency 1 clock) and HOLDS it until the next read (clocks
//                        with re = 0, and writes, leave rdata unchanged). sf_window3x3 relies
//                        on the hold: a column read waits there while its output is stalled.
//   Collision  a read and a write of the SAME address in the same clock return an UNSPECIFIED
//              value (this model returns the old word). sf_window3x3 never does this.
//   Throughput one read and one write per clock.
//
// SWAPPING FOR A REAL MEMORY
//   Keep the module name and ports; replace the body with a two-port register-file / SRAM
//   macro (1R1W, same clock) or an FPGA simple dual-port block RAM (Xilinx xpm_memory_sdpram
//   with READ_LATENCY_B = 1, Intel altsyncram DUAL_PORT, Lattice PDPW16KD). As written the
//   model infers simple dual-port block RAM in FPGA flows. For ASIC synthesis without a macro,
//   `blackbox sf_sram_1r1w` in Yosys. The replacement must hold its read data while the read
//   port is disabled, as compiled SRAMs (output latched while the chip enable is off) and
//   FPGA block RAMs (output register with the read enable as clock enable) do.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module sf_sram_1r1w #(
    parameter integer WIDTH = 32,                              // word width in bits
    parameter integer DEPTH = 256,                             // number of words
    parameter integer AW    = (DEPTH > 1) ? $clog2(DEPTH) : 1  // address width (derived)
) (
    input  wire             aclk,
    // write port
    input  wire             we,
    input  wire [AW-1:0]    waddr,
    input  wire [WIDTH-1:0] wdata,
    // read port
    input  wire             re,
    input  wire [AW-1:0]    raddr,
    output wire [WIDTH-1:0] rdata
);

  // Parameter check (CONTRACT): an illegal instance stops at time 0 in simulation;
  // synthesis tools define SYNTHESIS and skip it.
`ifndef SYNTHESIS
  initial begin
    if (!(WIDTH >= 1 && DEPTH >= 1)) begin
      $display("%m: sf_sram_1r1w parameters outside its CONTRACT:");
      $display("  WIDTH=%0d DEPTH=%0d", WIDTH, DEPTH);
      $finish;
    end
  end
`endif

  reg [WIDTH-1:0] mem[0:DEPTH-1];
  reg [WIDTH-1:0] rdata_q;

  always @(posedge aclk) begin
    if (we) begin
      mem[waddr] <= wdata;
    end
  end

  always @(posedge aclk) begin
    if (re) begin
      rdata_q <= mem[raddr];
    end
  end

  assign rdata = rdata_q;

endmodule

`resetall
`default_nettype wire
