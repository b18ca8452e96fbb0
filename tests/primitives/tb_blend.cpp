// Verilator testbench for sf_blend (CH = 5, SIDE_W = 2).
// F and T streams with independent random valid gaps, random m_ready backpressure; alphas
// all 0, all 256, all 128 and random (extremes included) per phase, int8 extremes in the
// data. Checks every output beat and sideband against the SPEC §1 formula, beat pairing (the
// k-th F beat with the k-th T beat), AXI4-Stream output stability, at most one beat of either
// stream waiting for its partner, every output (readies included) a register; then a
// full-rate phase: one beat per clock.
#include <deque>
#include <memory>
#include "Vsf_blend.h"
#include "verilated.h"
#include "tb_common.h"

static const int CH = 5, SW = 2;

static int8_t blend(int a, int8_t f, int8_t t) {
  int64_t v = (int64_t)a * f + (int64_t)(256 - a) * t + 128;
  return (int8_t)(v >> 8);  // arithmetic shift: floor
}

struct Beat {
  uint64_t data;
  uint32_t side;
};

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  uint64_t seed = 1;
  for (int i = 1; i < argc; i++)
    if (sscanf(argv[i], "+seed=%lu", &seed) == 1) {}
  Rng rng(seed);
  auto top = std::make_unique<Vsf_blend>();
  auto tick = [&]() {
    top->aclk = 1; top->eval();
    top->aclk = 0; top->eval();
  };
  top->aresetn = 0; top->f_valid = 0; top->t_valid = 0; top->m_ready = 0;
  top->aclk = 0; top->eval();
  for (int i = 0; i < 3; i++) tick();
  top->aresetn = 1;
  top->eval();
  CHECK(!top->m_valid, "m_valid after reset");
  tick();

  auto rand_byte = [&]() -> uint8_t {
    uint32_t r = rng.below(8);
    if (r == 0) return 0x80;
    if (r == 1) return 0x7f;
    return (uint8_t)rng.below(256);
  };
  auto rand_beat = [&]() {
    Beat b{0, rng.below(1u << SW)};
    for (int c = 0; c < CH; c++) b.data |= (uint64_t)rand_byte() << (8 * c);
    return b;
  };

  long checked = 0;
  const char* names[] = {"all 0", "all 256", "all 128", "random"};
  for (int phase = 0; phase < 8; phase++) {
    int alpha[CH];
    for (int c = 0; c < CH; c++) {
      int kind = phase % 4;
      alpha[c] = kind == 0 ? 0 : kind == 1 ? 256 : kind == 2 ? 128
               : (rng.chance(0.3) ? (rng.chance(0.5) ? 0 : 256) : (int)rng.below(257));
    }
    uint64_t a = 0;
    for (int c = 0; c < CH; c++) a |= (uint64_t)alpha[c] << (9 * c);
    top->alpha = a;
    double pf = 0.2 + 0.8 * rng.below(5) / 4.0, pt = 0.2 + 0.8 * rng.below(5) / 4.0;
    double pr = phase == 7 ? 1.0 : 0.2 + 0.8 * rng.below(5) / 4.0;
    bool full_rate = phase == 7;
    if (full_rate) pf = pt = 1.0;
    std::deque<Beat> fq, tq, expect;
    bool fv = false, tv = false, prev_stall = false;
    Beat fc{}, tc{}, prev{};
    int n = 400, sent_f = 0, sent_t = 0, got = 0, cycles = 0, first = -1;
    while (got < n && cycles < 100000) {
      if (!fv && sent_f < n && rng.chance(pf)) { fc = rand_beat(); fv = true; }
      if (!tv && sent_t < n && rng.chance(pt)) { tc = rand_beat(); tv = true; }
      top->f_valid = fv; top->f_data = fc.data;
      top->t_valid = tv; top->t_data = tc.data; top->t_side = tc.side;
      top->m_ready = rng.chance(pr);
      top->eval();
      {
        // every output is a register: flipping the inputs within the clock moves none
        const uint32_t fr = top->f_ready, tr = top->t_ready, mv = top->m_valid,
                       ms = top->m_side;
        const uint64_t md = top->m_data;
        top->f_valid = !fv; top->t_valid = !tv; top->m_ready = !top->m_ready;
        top->eval();
        CHECK(top->f_ready == fr && top->t_ready == tr && top->m_valid == mv &&
                  top->m_data == md && top->m_side == ms,
              "an output changed with an input in the same clock");
        top->f_valid = fv; top->t_valid = tv; top->m_ready = !top->m_ready;
        top->eval();
      }
      if (prev_stall) {
        CHECK(top->m_valid && top->m_data == prev.data && top->m_side == prev.side,
              "output changed while stalled");
      }
      if (top->m_valid && top->m_ready) {
        if (expect.empty()) {
          CHECK(false, "output beat without input");
        } else {
          Beat e = expect.front();
          expect.pop_front();
          CHECK(top->m_data == e.data && top->m_side == e.side,
                "%s beat %d: got %010lx/%u want %010lx/%u", names[phase % 4], got,
                (unsigned long)top->m_data, top->m_side, (unsigned long)e.data, e.side);
          got++;
          checked++;
          if (first < 0) first = cycles;
        }
      }
      prev_stall = top->m_valid && !top->m_ready;
      prev = Beat{top->m_data, top->m_side};
      if (fv && top->f_ready) { fq.push_back(fc); fv = false; sent_f++; }
      if (tv && top->t_ready) { tq.push_back(tc); tv = false; sent_t++; }
      while (!fq.empty() && !tq.empty()) {
        Beat f = fq.front(), t = tq.front(), y{0, t.side};
        fq.pop_front(); tq.pop_front();
        for (int c = 0; c < CH; c++) {
          int8_t r = blend(alpha[c], (int8_t)(f.data >> (8 * c)), (int8_t)(t.data >> (8 * c)));
          y.data |= (uint64_t)(uint8_t)r << (8 * c);
        }
        expect.push_back(y);
      }
      CHECK(fq.size() <= 1 && tq.size() <= 1, "more than one beat waiting for its partner");
      tick();
      cycles++;
    }
    CHECK(got == n, "phase %d: %d of %d beats", phase, got, n);
    if (full_rate) {
      CHECK(cycles - first == n, "full rate: %d clocks for %d beats", cycles - first, n);
      printf("full rate: %d beats in %d clocks after the first\n", n, cycles - first);
    }
    // drain so alpha can change between phases
    top->f_valid = 0; top->t_valid = 0; top->m_ready = 1; top->eval(); tick();
  }
  printf("sf_blend: %ld beats checked, %d errors\n", checked, g_errors);
  if (g_errors == 0) printf("PASS\n");
  top->final();
  return g_errors ? 1 : 0;
}
