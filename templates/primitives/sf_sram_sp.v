// sf_sram_sp: single-port synchronous SRAM, behavioural model (semifreddo primitive).
//
// CONTRACT
//   Parameters
//     WIDTH  word width in bits, >= 1.
//     DEPTH  number of words, >= 1.
//     BE_W   write-enable granule in bits (8 for byte enables); WIDTH must be a multiple of
//            BE_W. Default WIDTH: one enable bit for the whole word.
//     AW     address width; derived, do not override.
//     NBE    number of write-enable bits, WIDTH / BE_W; derived, do not override.
//   Ports (all synchronous to the rising edge of aclk; no reset: memories hold no control state)
//     req    access request (chip enable). One access per clock: a read or a write.
//     we     1 = write, 0 = read (only looked at when req = 1).
//     addr   word address, 0..DEPTH-1 (larger addresses: undefined behaviour).
//     wdata  write data.  be: write enables per BE_W-bit granule (granule g is
//            wdata[g*BE_W +: BE_W]); only enabled granules are written.
//     rdata  read data.
//   Read latency  1 clock: rdata is valid in the clock after a read (req && !we) and only in
//                 that clock is it guaranteed. After a write or an idle clock rdata is
//                 UNSPECIFIED (read-during-write is "don't care": a write does not read).
//                 This model keeps the last read value, but callers must register rdata if they
//                 need it longer, so that any macro can replace it.
//   Throughput    one access per clock.
//   Contents      not initialised (X in simulation until written).
//
// SWAPPING FOR A REAL MEMORY
//   Keep this module name and port list and replace the body with an instance of the foundry
//   macro (map req -> CEN (active low on most macros: invert), we -> WEN, be -> bit/byte write
//   mask) or an FPGA block RAM primitive (Xilinx: RAMB18/36 or xpm_memory_spram with
//   READ_LATENCY = 1; Intel: altsyncram; Lattice: DP16KD/PDPW16KD). Any macro whose read latency
//   is 1 clock satisfies the contract, whatever it does on a write or when idle. For synthesis
//   without a macro, tell Yosys to treat the module as a black box (`blackbox sf_sram_sp`)
//   instead of mapping the array to flip-flops. The model below also infers block RAM in
//   Vivado, Quartus and Yosys FPGA flows as written.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module sf_sram_sp #(
    parameter integer WIDTH = 32,                            // word width in bits
    parameter integer DEPTH = 256,                           // number of words
    parameter integer BE_W  = WIDTH,                         // write-enable granule in bits
    parameter integer AW    = (DEPTH > 1) ? $clog2(DEPTH) : 1,  // address width (derived)
    parameter integer NBE   = WIDTH / BE_W                   // write-enable bits (derived)
) (
    input  wire             aclk,
    input  wire             req,
    input  wire             we,
    input  wire [AW-1:0]    addr,
    input  wire [WIDTH-1:0] wdata,
    input  wire [NBE-1:0]   be,
    output wire [WIDTH-1:0] rdata
);

  // Parameter check (CONTRACT): an illegal instance stops at time 0 in simulation;
  // synthesis tools define SYNTHESIS and skip it.
`ifndef SYNTHESIS
  initial begin
    if (!(WIDTH >= 1 && DEPTH >= 1 && BE_W >= 1 && WIDTH % BE_W == 0)) begin
      $display("%m: sf_sram_sp parameters outside its CONTRACT:");
      $display("  WIDTH=%0d DEPTH=%0d BE_W=%0d", WIDTH, DEPTH, BE_W);
      $finish;
    end
  end
`endif

  // One memory per write-enable granule (a generate loop, not a for loop inside the always
  // block, so any number of granules simulates and synthesizes; Verilator does not unroll a
  // procedural loop of more than 64 granules that writes an array).
  wire [WIDTH-1:0] rdata_w;
  genvar g;
  generate
    for (g = 0; g < NBE; g = g + 1) begin : g_lane
      reg [BE_W-1:0] mem[0:DEPTH-1];
      reg [BE_W-1:0] rdata_q;
      always @(posedge aclk) begin
        if (req) begin
          if (we) begin
            if (be[g]) begin
              mem[addr] <= wdata[g*BE_W +: BE_W];
            end
          end else begin
            rdata_q <= mem[addr];
          end
        end
      end
      assign rdata_w[g*BE_W +: BE_W] = rdata_q;
    end
  endgenerate

  assign rdata = rdata_w;

endmodule

`resetall
`default_nettype wire
