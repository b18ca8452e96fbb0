// Verilator testbench for sf_requant_seq (parameters from -DTB_CH, TB_ACCW, TB_R, TB_RELU).
// Programs every parameter word (random scales and biases, extremes included), reads every
// word back, then sends vectors of random accumulators (extremes included) at random spacing
// >= NR + 1, with random configuration reads in between, for several shifts (0, 1, 40 and
// random): every output vector must arrive exactly NR + 5 clocks after its input and match
// SPEC §2 requant computed here in 128 bits.
#include <deque>
#include <memory>
#include <type_traits>
#include <vector>
#include "Vsf_requant_seq.h"
#include "verilated.h"
#include "tb_common.h"

static const int CH = TB_CH, AW = TB_ACCW, R = TB_R, RELU = TB_RELU;
static const int NR = (CH + R - 1) / R, LAT = NR + 5;

template <typename W>
static void setb(W& w, int lo, int n, uint64_t v) {
  if constexpr (std::is_integral<W>::value) {
    uint64_t m = (n == 64 ? ~0ull : ((1ull << n) - 1)) << lo;
    w = (W)((w & ~m) | ((v << lo) & m));
  } else {
    for (int b = 0; b < n; b++) {
      int bit = lo + b;
      uint32_t mk = 1u << (bit % 32);
      if ((v >> b) & 1) w[bit / 32] |= mk; else w[bit / 32] &= ~mk;
    }
  }
}
template <typename W>
static uint32_t getb(const W& w, int lo, int n) {
  if constexpr (std::is_integral<W>::value) {
    return (uint32_t)(((uint64_t)w >> lo) & ((1ull << n) - 1));
  } else {
    return get_bits(w, lo, n);
  }
}

static int8_t rq(int64_t acc, int16_t m, int32_t b, int s) {
  __int128 v = (__int128)acc * m + b + (s ? ((__int128)1 << (s - 1)) : 0);
  v >>= s;
  __int128 lo = RELU ? 0 : -128;
  if (v > 127) v = 127;
  if (v < lo) v = lo;
  return (int8_t)v;
}

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  uint64_t seed = 1;
  for (int i = 1; i < argc; i++)
    if (sscanf(argv[i], "+seed=%lu", &seed) == 1) {}
  Rng rng(seed);
  auto top = std::make_unique<Vsf_requant_seq>();
  long cycle = 0;
  auto edge = [&]() {
    top->aclk = 0; top->eval();
    top->aclk = 1; top->eval();
    cycle++;
  };
  top->aresetn = 0;
  top->in_valid = 0;
  top->cfg_req = 0;
  for (int i = 0; i < 3; i++) edge();
  top->aresetn = 1;

  std::vector<int16_t> sc(CH);
  std::vector<int32_t> bi(CH);
  for (int c = 0; c < CH; c++) {
    int k = rng.below(8);
    sc[c] = k == 0 ? -32768 : k == 1 ? 32767 : (int16_t)rng.below(65536);
    int j = rng.below(8);
    bi[c] = j == 0 ? INT32_MIN : j == 1 ? INT32_MAX : (int32_t)(rng.next());
  }
  auto word = [&](int c, bool hi) { return 2 * ((c % R) * NR + c / R) + (hi ? 1 : 0); };
  auto access = [&](bool we, int addr, uint32_t data) -> uint32_t {
    top->cfg_req = 1;
    top->cfg_we = we;
    top->cfg_addr = addr;
    top->cfg_wdata = data;
    edge();
    top->cfg_req = 0;
    for (int w = 0; w < 100; w++) {
      top->aclk = 0;
      top->eval();
      if (top->cfg_ack) {
        uint32_t r = top->cfg_rdata;
        edge();
        return r;
      }
      edge();
    }
    CHECK(false, "no cfg_ack");
    return 0;
  };
  for (int c = 0; c < CH; c++) {
    access(true, word(c, false), (uint32_t)bi[c]);
    access(true, word(c, true), (uint32_t)(int32_t)sc[c]);
  }
  for (int c = 0; c < CH; c++) {
    CHECK(access(false, word(c, false), 0) == (uint32_t)bi[c], "bias readback of channel %d", c);
    CHECK(access(false, word(c, true), 0) == (uint32_t)(int32_t)sc[c],
          "scale readback of channel %d", c);
  }

  int64_t amax = (1ll << (AW - 1)) - 1, amin = -(1ll << (AW - 1));
  int shifts[] = {0, 1, 40, (int)rng.below(41), (int)rng.below(41)};
  long vectors = 0, reads = 0;
  int cfg_wait = -1;  // clocks a configuration read has waited (-1: none pending)
  uint32_t cfg_want = 0;
  for (int sh : shifts) {
    top->shift = sh;
    std::deque<std::pair<long, std::vector<int8_t>>> expq;
    int sent = 0, gap = 0;
    while (sent < 60 || !expq.empty() || cfg_wait >= 0) {
      top->in_valid = 0;
      if (sent < 60 && gap <= 0) {
        std::vector<int64_t> a(CH);
        std::vector<int8_t> e(CH);
        for (int c = 0; c < CH; c++) {
          int k = rng.below(6);
          a[c] = k == 0 ? amax : k == 1 ? amin : amin + (int64_t)(rng.next() % (uint64_t)(amax - amin + 1));
          setb(top->acc, c * AW, AW, (uint64_t)a[c]);
          e[c] = rq(a[c], sc[c], bi[c], sh);
        }
        top->in_valid = 1;
        expq.push_back({cycle + LAT, e});
        sent++;
        gap = NR + 1 + (rng.chance(0.5) ? rng.below(4) : 0);
      }
      gap--;
      top->cfg_req = 0;
      bool issue = cfg_wait < 0 && sent < 60 && rng.chance(0.05);
      if (issue) {
        int c = rng.below(CH);
        bool hi = rng.chance(0.5);
        top->cfg_req = 1;
        top->cfg_we = 0;
        top->cfg_addr = word(c, hi);
        cfg_want = hi ? (uint32_t)(int32_t)sc[c] : (uint32_t)bi[c];
      }
      top->aclk = 0;
      top->eval();
      if (cfg_wait >= 1 && top->cfg_ack) {
        CHECK(top->cfg_rdata == cfg_want, "read during sweeps: %08x want %08x",
              (unsigned)top->cfg_rdata, cfg_want);
        cfg_wait = -1;
        reads++;
      } else if (cfg_wait >= 1) {
        CHECK(++cfg_wait < NR + 4, "configuration read waited %d clocks", cfg_wait);
      }
      if (issue) cfg_wait = 1;
      if (top->out_valid) {
        if (expq.empty() || expq.front().first != cycle) {
          CHECK(false, "out_valid at cycle %ld unexpected", cycle);
        } else {
          for (int c = 0; c < CH; c++) {
            int8_t got = (int8_t)getb(top->y, 8 * c, 8);
            CHECK(got == expq.front().second[c], "shift %d vector %ld channel %d: %d want %d",
                  sh, vectors, c, got, expq.front().second[c]);
          }
          expq.pop_front();
          vectors++;
        }
      } else {
        CHECK(expq.empty() || expq.front().first > cycle, "missing out_valid at cycle %ld",
              cycle);
        if (!expq.empty() && expq.front().first <= cycle) expq.pop_front();
      }
      top->aclk = 1;
      top->eval();
      cycle++;
    }
  }
  printf("requant_seq CH=%d ACC_W=%d R=%d RELU=%d: %ld vectors, %ld reads while sweeping\n", CH, AW,
         R, RELU, vectors, reads);
  top->final();
  if (g_errors) {
    printf("tb_requant_seq: %d errors\n", g_errors);
    return 1;
  }
  printf("tb_requant_seq: PASS\n");
  return 0;
}
