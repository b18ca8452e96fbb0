// Verilator testbench for sf_sram_sp and sf_sram_1r1w (through tb_sram_top).
// Random reads, writes (with random byte enables for sf_sram_sp) and idle clocks against a
// model; rdata is checked in the clock after each read (read latency 1), only for words whose
// bytes have all been written. sf_sram_1r1w: simultaneous read and write each clock; a read of
// the address written in the same clock is unspecified by the contract and not checked.
#include <memory>
#include "Vtb_sram_top.h"
#include "verilated.h"
#include "tb_common.h"

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  uint64_t seed = 1;
  for (int i = 1; i < argc; i++)
    if (sscanf(argv[i], "+seed=%lu", &seed) == 1) {}
  Rng rng(seed);
  auto top = std::make_unique<Vtb_sram_top>();
  uint32_t sp[10] = {0};
  unsigned sp_known[10] = {0};  // byte-written mask
  uint32_t dp[7] = {0};
  bool dp_known[7] = {false};
  int sp_pending = -1;           // expected word index after a read, -1 none
  uint32_t sp_expect = 0;
  bool dp_pending = false;
  uint32_t dp_expect = 0;
  long sp_reads = 0, dp_reads = 0;
  for (long cycle = 0; cycle < 20000; cycle++) {
    // sf_sram_sp: one access per clock
    int op = rng.below(3);  // 0 idle, 1 read, 2 write
    top->sp_req = op != 0;
    top->sp_we = op == 2;
    top->sp_addr = rng.below(10);
    top->sp_wdata = rng.below(1 << 16);
    top->sp_be = rng.below(4);
    // sf_sram_1r1w
    top->dp_we = rng.chance(0.5);
    top->dp_waddr = rng.below(7);
    top->dp_wdata = rng.below(1 << 12);
    top->dp_re = rng.chance(0.5);
    top->dp_raddr = rng.below(7);
    top->aclk = 0;
    top->eval();
    if (sp_pending >= 0) {
      CHECK(top->sp_rdata == sp_expect, "sram_sp word %d: got %04x want %04x (cycle %ld)", sp_pending,
            top->sp_rdata, sp_expect, cycle);
      sp_reads++;
    }
    if (dp_pending) {
      CHECK(top->dp_rdata == dp_expect, "sram_1r1w: got %03x want %03x (cycle %ld)", top->dp_rdata,
            dp_expect, cycle);
      dp_reads++;
    }
    // model the edge
    sp_pending = -1;
    if (op == 1 && sp_known[top->sp_addr] == 3) {
      sp_pending = top->sp_addr;
      sp_expect = sp[top->sp_addr];
    }
    if (op == 2) {
      for (int b = 0; b < 2; b++)
        if ((top->sp_be >> b) & 1) {
          sp[top->sp_addr] = (sp[top->sp_addr] & ~(0xFFu << (8 * b))) | (top->sp_wdata & (0xFFu << (8 * b)));
          sp_known[top->sp_addr] |= 1u << b;
        }
    }
    dp_pending = false;
    if (top->dp_re && dp_known[top->dp_raddr] && !(top->dp_we && top->dp_waddr == top->dp_raddr)) {
      dp_pending = true;
      dp_expect = dp[top->dp_raddr];
    }
    if (top->dp_we) {
      dp[top->dp_waddr] = top->dp_wdata;
      dp_known[top->dp_waddr] = true;
    }
    top->aclk = 1;
    top->eval();
  }
  top->final();
  printf("sram_sp: %ld reads checked; sram_1r1w: %ld reads checked\n", sp_reads, dp_reads);
  CHECK(sp_reads > 1000 && dp_reads > 1000, "too few checked reads");
  if (g_errors) {
    printf("tb_sram: %d errors\n", g_errors);
    return 1;
  }
  printf("tb_sram: PASS\n");
  return 0;
}
