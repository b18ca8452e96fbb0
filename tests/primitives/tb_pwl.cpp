// Verilator testbench for sf_pwl (parameters via -G and the same values via -D TB_K_MAX,
// TB_SIDE_W). One phase per segment configuration: `segments` = every value the port can
// hold (0, 1..K_MAX, above K_MAX), starts sorted (x_0 = -32768 ascending, SPEC §2) and
// unsorted (any register contents), random / extreme values and slopes (clamping on both
// sides), the SPEC identity; then a full-rate phase. Random s_valid gaps, random m_ready
// backpressure. Every output value and sideband is compared with a reference model of the
// contract formula; checks that every output is a register (none moves when an input changes
// within a clock), AXI4-Stream output stability, latency 6 and one value per clock.
#include <algorithm>
#include <deque>
#include <memory>
#include "Vsf_pwl.h"
#include "tb_common.h"
#include "tb_ports.h"

static const int K_MAX = TB_K_MAX, SW = TB_SIDE_W;
static int clog2(long v) {
  int b = 0;
  while ((1L << b) < v) b++;
  return b;
}
static const int KW = clog2(K_MAX + 1);

struct Segs {
  int16_t x[K_MAX], y[K_MAX], g[K_MAX];
  int segments;  // register value, 0..2^KW-1
};

// The contract: K = segments (0 -> 1, > K_MAX -> K_MAX); k = max{k < K : z >= x_k}, else 0;
// out = clamp16(y_k + floor(((z - x_k) * g_k + 128) / 256)).
static int16_t ref(const Segs& s, int16_t z) {
  int K = s.segments == 0 ? 1 : std::min(s.segments, K_MAX);
  int k = 0;
  for (int j = 0; j < K; j++)
    if (z >= s.x[j]) k = j;
  int64_t v = (int64_t)s.y[k] + (((int64_t)(z - s.x[k]) * s.g[k] + 128) >> 8);
  return (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
}

struct Beat {
  int16_t z;
  uint32_t side;
};

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  Rng rng(tb_seed(argc, argv));
  auto top = std::make_unique<Vsf_pwl>();
  long cycle = 0;
  auto tick = [&]() {
    top->aclk = 1; top->eval();
    top->aclk = 0; top->eval();
    cycle++;
  };
  top->aresetn = 0; top->s_valid = 0; top->m_ready = 0; top->aclk = 0; top->eval();
  for (int i = 0; i < 3; i++) tick();
  top->aresetn = 1; top->eval();
  CHECK(!top->m_valid, "m_valid after reset");

  auto r16 = [&]() -> int16_t {
    switch (rng.below(8)) {
      case 0: return -32768;
      case 1: return 32767;
      case 2: return (int16_t)(rng.below(64) - 32);
      default: return (int16_t)rng.below(65536);
    }
  };
  auto slope = [&]() -> int16_t {
    switch (rng.below(8)) {
      case 0: return -32768;
      case 1: return 32767;
      case 2: return 256;
      case 3: return 0;
      case 4: return (int16_t)(rng.below(1024) - 512);
      default: return (int16_t)rng.below(65536);
    }
  };
  auto apply = [&](const Segs& s) {
    for (int k = 0; k < K_MAX; k++) {
      port_put(top->seg_x, 16 * k, 16, (uint16_t)s.x[k]);
      port_put(top->seg_y, 16 * k, 16, (uint16_t)s.y[k]);
      port_put(top->seg_g, 16 * k, 16, (uint16_t)s.g[k]);
    }
    top->segments = s.segments;
  };

  // phases: (segments value, kind); kind 0 sorted random, 1 unsorted random, 2 sorted
  // extreme (large slopes, saturating values), 3 identity (K = 1 regardless of the rest)
  struct Ph { int segs, kind; };
  std::vector<Ph> phases;
  for (int s = 0; s < (1 << KW); s++)
    for (int kind = 0; kind < 3; kind++) phases.push_back({s, kind});
  phases.push_back({1, 3});
  phases.push_back({0, 3});
  phases.push_back({K_MAX, 0});  // full-rate phase (last)

  long checked = 0, clamped_hi = 0, clamped_lo = 0;
  std::vector<int> used_k(K_MAX, 0);
  for (size_t ph = 0; ph < phases.size(); ph++) {
    Segs s;
    s.segments = phases[ph].segs;
    int kind = phases[ph].kind;
    for (int k = 0; k < K_MAX; k++) {
      s.x[k] = r16();
      s.y[k] = kind == 2 ? (rng.chance(0.5) ? (int16_t)(rng.chance(0.5) ? 32767 : -32768) : r16())
                         : r16();
      s.g[k] = kind == 2 ? (int16_t)(rng.chance(0.5) ? -32768 : 32767) : slope();
    }
    if (kind == 0 || kind == 2) {
      // x_0 = -32768 < x_1 < ... < x_{K_MAX-1}: distinct sorted starts
      std::vector<int> xs;
      xs.push_back(-32768);
      while ((int)xs.size() < K_MAX) {
        int v = (int)(int16_t)rng.below(65536);
        if (std::find(xs.begin(), xs.end(), v) == xs.end()) xs.push_back(v);
      }
      std::sort(xs.begin(), xs.end());
      for (int k = 0; k < K_MAX; k++) s.x[k] = (int16_t)xs[k];
    }
    if (kind == 3) {  // SPEC identity: K = 1, y_0 = -32768, g_0 = 256 (x_0 = -32768)
      s.x[0] = -32768; s.y[0] = -32768; s.g[0] = 256;
    }
    apply(s);
    bool full_rate = ph + 1 == phases.size();
    double pv = full_rate ? 1.0 : 0.2 + 0.8 * rng.below(5) / 4.0;
    double pr = full_rate ? 1.0 : 0.2 + 0.8 * rng.below(5) / 4.0;
    const int n = full_rate ? 500 : 300;
    std::deque<Beat> expect;
    std::deque<int16_t> expect_z;
    bool have = false, prev_stall = false;
    Beat cur{}, prev{};
    int sent = 0, got = 0, first = -1, cyc = 0, in_first = -1;
    while (got < n && cyc < 100000) {
      if (!have && sent < n && rng.chance(pv)) {
        // z: random, extremes, or next to a segment start
        uint32_t r = rng.below(8);
        int k = (int)rng.below(K_MAX);
        int16_t z = r == 0 ? (int16_t)-32768 : r == 1 ? (int16_t)32767
                  : r == 2 ? s.x[k] : r == 3 ? (int16_t)(s.x[k] - 1)
                  : r == 4 ? (int16_t)(s.x[k] + 1) : (int16_t)rng.below(65536);
        cur = Beat{z, rng.below(1u << SW)};
        have = true;
      }
      top->s_valid = have;
      top->s_data = (uint16_t)cur.z;
      top->s_side = cur.side;
      top->m_ready = rng.chance(pr);
      top->eval();
      {
        // outputs are registers: flipping the inputs within the clock changes none of them
        const uint32_t rdy = top->s_ready, mv = top->m_valid, md = top->m_data,
                       ms = top->m_side;
        top->m_ready = !top->m_ready;
        top->s_valid = !top->s_valid;
        top->s_data = ~top->s_data;
        top->eval();
        CHECK(top->s_ready == rdy && top->m_valid == mv && top->m_data == md &&
                  top->m_side == ms,
              "an output changed with an input in the same clock");
        top->m_ready = !top->m_ready;
        top->s_valid = !top->s_valid;
        top->s_data = ~top->s_data;
        top->eval();
      }
      if (prev_stall)
        CHECK(top->m_valid && top->m_data == (uint16_t)prev.z && top->m_side == prev.side,
              "output changed while stalled");
      if (top->m_valid && top->m_ready) {
        if (expect.empty()) {
          CHECK(false, "output without input");
        } else {
          Beat e = expect.front();
          expect.pop_front();
          int16_t z = expect_z.front();
          expect_z.pop_front();
          CHECK(top->m_data == (uint16_t)e.z && top->m_side == e.side,
                "phase %zu (segments %d kind %d) beat %d: z=%d got %d/%u want %d/%u", ph,
                s.segments, kind, got, z, (int16_t)top->m_data, top->m_side, e.z, e.side);
          if (e.z == 32767) clamped_hi++;
          if (e.z == -32768) clamped_lo++;
          if (first < 0) first = cyc;
          got++;
          checked++;
        }
      }
      prev_stall = top->m_valid && !top->m_ready;
      prev = Beat{(int16_t)top->m_data, top->m_side};
      if (have && top->s_ready) {
        expect.push_back(Beat{ref(s, cur.z), cur.side});
        expect_z.push_back(cur.z);
        if (kind == 3) CHECK(ref(s, cur.z) == cur.z, "identity reference");
        int K = s.segments == 0 ? 1 : std::min(s.segments, K_MAX), kk = 0;
        for (int j = 0; j < K; j++)
          if (cur.z >= s.x[j]) kk = j;
        used_k[kk]++;
        if (in_first < 0) in_first = cyc;
        have = false;
        sent++;
      }
      tick();
      cyc++;
    }
    CHECK(got == n, "phase %zu: %d of %d values", ph, got, n);
    if (full_rate) {
      CHECK(first - in_first == 6, "latency %d, want 6", first - in_first);
      CHECK(cyc - first == n, "full rate: %d clocks for %d values", cyc - first, n);
      printf("full rate: %d values in %d clocks, latency %d\n", n, cyc - first, first - in_first);
    }
    // drain before the registers change
    top->s_valid = 0; top->m_ready = 1; top->eval();
    for (int i = 0; i < 5; i++) tick();
    top->eval();
    CHECK(!top->m_valid, "not drained");
  }
  for (int k = 0; k < K_MAX; k++) CHECK(used_k[k] > 0, "segment %d never selected", k);
  CHECK(clamped_hi > 0 && clamped_lo > 0, "clamping not exercised");
  printf("sf_pwl K_MAX=%d: %zu phases, %ld values checked (%ld clamped high, %ld low), "
         "%d errors\n", K_MAX, phases.size(), checked, clamped_hi, clamped_lo, g_errors);
  if (g_errors == 0) printf("PASS\n");
  top->final();
  return g_errors ? 1 : 0;
}
