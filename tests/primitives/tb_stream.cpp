// Verilator testbench for sf_fifo (several depths, including non-powers of two) and
// sf_skid_buffer, through tb_stream_top.
// Random s_valid gaps and random m_ready backpressure (phases with different rates, so the
// FIFOs run full and empty); checks: data order, no loss, no duplication, count, m_valid =
// (count != 0), s_ready = (count != DEPTH), s_ready independent of m_ready in the same clock,
// AXI4-Stream output stability; then full-rate phases: with s_valid and m_ready always high
// every instance moves one word per clock.
#include <deque>
#include <memory>
#include "Vtb_stream_top.h"
#include "verilated.h"
#include "tb_common.h"

static const int NF = 7, N = NF + 1, DW = 16;

struct Port {
  int depth = 0;  // 0 = skid buffer
  std::deque<uint32_t> model;
  bool presenting = false;
  uint32_t cur = 0, next_val = 1;
  bool prev_stalled = false;
  uint32_t prev_data = 0;
  long pushed = 0, popped = 0;
};

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  uint64_t seed = 1;
  for (int i = 1; i < argc; i++)
    if (sscanf(argv[i], "+seed=%lu", &seed) == 1) {}
  Rng rng(seed);
  auto top = std::make_unique<Vtb_stream_top>();
  top->aresetn = 0;
  for (int i = 0; i < 4; i++) {
    top->aclk = 0; top->eval();
    top->aclk = 1; top->eval();
  }
  top->aresetn = 1;
  Port p[N];
  for (int g = 0; g < N; g++) p[g].depth = get_bits(top->cfg, 8 * g, 8);
  long cycle = 0;
  // phases: (p_valid, p_ready, cycles)
  struct Phase { double pv, pr; int cycles; } phases[] = {
      {0.5, 0.5, 3000}, {0.9, 0.3, 3000}, {0.3, 0.9, 3000}, {1.0, 0.5, 3000},
      {0.5, 1.0, 3000}, {0.8, 0.8, 3000}, {1.0, 1.0, 500},  {0.0, 1.0, 100},
  };
  long full_rate_moves[N] = {0};
  for (const Phase& ph : phases) {
    bool full_rate = ph.pv == 1.0 && ph.pr == 1.0;
    for (int c = 0; c < ph.cycles; c++) {
      uint32_t sv = 0, mr = 0;
      for (int g = 0; g < N; g++) {
        Port& P = p[g];
        if (!P.presenting && rng.chance(ph.pv)) {
          P.presenting = true;
          P.cur = (P.next_val++ * 2654435761u) & 0xFFFF;
        }
        if (P.presenting) { sv |= 1u << g; set_bits(top->s_data, g * DW, DW, P.cur); }
        if (rng.chance(ph.pr)) mr |= 1u << g;
      }
      top->s_valid = sv;
      // s_ready must not depend on m_ready: evaluate with m_ready inverted first
      top->m_ready = ~mr & ((1u << N) - 1);
      top->aclk = 0;
      top->eval();
      uint32_t srdy_alt = top->s_ready;
      top->m_ready = mr;
      top->eval();
      CHECK(top->s_ready == srdy_alt, "s_ready depends combinationally on m_ready (cycle %ld)", cycle);
      for (int g = 0; g < N; g++) {
        Port& P = p[g];
        bool srdy = (top->s_ready >> g) & 1, mval = (top->m_valid >> g) & 1, mrdy = (mr >> g) & 1;
        uint32_t md = get_bits(top->m_data, g * DW, DW);
        if (P.prev_stalled) CHECK(mval && md == P.prev_data, "inst %d: output changed while stalled", g);
        P.prev_stalled = mval && !mrdy;
        P.prev_data = md;
        if (P.depth) {
          int cnt = get_bits(top->count, 8 * g, 8);
          CHECK(cnt == (int)P.model.size(), "fifo depth %d: count %d, model %zu (cycle %ld)",
                P.depth, cnt, P.model.size(), cycle);
          CHECK(mval == !P.model.empty(), "fifo depth %d: m_valid %d with %zu entries", P.depth, mval,
                P.model.size());
          CHECK(srdy == ((int)P.model.size() != P.depth), "fifo depth %d: s_ready %d with %zu entries",
                P.depth, srdy, P.model.size());
        } else {
          CHECK(P.model.size() <= 2, "skid buffer holds %zu words", P.model.size());
          CHECK(mval == !P.model.empty(), "skid: m_valid %d with %zu words (latency 1)", mval, P.model.size());
        }
        bool moved = false;
        if (mval && mrdy) {
          if (P.model.empty()) {
            CHECK(false, "inst %d: output with nothing stored", g);
          } else {
            CHECK(md == P.model.front(), "inst %d (depth %d): got %04x want %04x", g, P.depth, md,
                  P.model.front());
            P.model.pop_front();
          }
          P.popped++;
          moved = true;
        }
        if (P.presenting && srdy) {
          P.model.push_back(P.cur);
          P.presenting = false;
          P.pushed++;
        }
        if (full_rate && c >= 50 && moved) full_rate_moves[g]++;
      }
      top->aclk = 1;
      top->eval();
      cycle++;
    }
    if (full_rate) {
      for (int g = 0; g < N; g++)
        CHECK(full_rate_moves[g] == ph.cycles - 50, "inst %d (depth %d): %ld words in %d clocks at full rate",
              g, p[g].depth, full_rate_moves[g], ph.cycles - 50);
    }
  }
  for (int g = 0; g < N; g++) {
    CHECK(p[g].model.empty() && p[g].pushed == p[g].popped, "inst %d: not drained", g);
    printf("%s depth %d: %ld words through\n", p[g].depth ? "fifo" : "skid_buffer", p[g].depth, p[g].popped);
  }
  top->final();
  if (g_errors) {
    printf("tb_stream: %d errors\n", g_errors);
    return 1;
  }
  printf("tb_stream: PASS (%ld cycles)\n", cycle);
  return 0;
}
