// Verilator testbench for sf_window3x3 (through tb_window_top: K instances, one build).
// Pre-phase: unchecked random traffic, then reset mid-frame.
// Phase A: random frames with random s_valid gaps and random m_ready backpressure, some frames
//   truncated and followed by a frame with s_sof (resynchronisation: the truncated frame must
//   come out completed with zero pixels). Every window is compared bit for bit with a
//   reference computed here, and AXI4-Stream output stability is checked.
// Phase B: NB back-to-back frames, no gaps, no backpressure: s_ready must never drop and the
//   cycles from first pixel in to last window out must be <= NB*W*H + 2*W + 4 (the
//   requirement is NB*W*H*1.02 + a small constant).
#include <deque>
#include <memory>
#include "Vtb_window_top.h"
#include "verilated.h"
#include "tb_common.h"

static const int K = 18;
static const int CB = 12;

struct Exp {
  uint32_t e[9];
  bool sof, eol, eof;
};

struct Inst {
  int W = 0, H = 0, S = 1, WO = 0, HO = 0;
  std::deque<std::pair<uint32_t, bool>> inq;
  bool presenting = false;
  uint32_t cur_pix = 0;
  bool cur_sof = false;
  std::deque<Exp> expq;
  double pv = 1, pr = 1;
  bool bursty = false, v_on = true, r_on = true;  // bursty: long on/off runs
  bool prev_stalled = false;
  uint32_t prev_e[9] = {0};
  bool prev_m[3] = {false, false, false};
  long stalls_a = 0, first_in = -1, first_out = -1, last_out = -1, stalls = 0, windows = 0;
  bool last_truncated = false;

  void add_frame(Rng& rng, bool truncate, bool sof) {
    std::vector<uint32_t> f(W * H, 0);
    int n = W * H;
    if (truncate && W * H >= 2) n = 1 + (int)rng.below(W * H - 1);
    for (int p = 0; p < n; p++) {
      f[p] = rng.below(1u << CB);
      inq.push_back({f[p], p == 0 ? sof : false});
    }
    for (int r = 0; r < HO; r++)
      for (int c = 0; c < WO; c++) {
        Exp x;
        for (int i = 0; i < 3; i++)
          for (int j = 0; j < 3; j++) {
            int y = S * r + i - 1, xx = S * c + j - 1;
            x.e[3 * i + j] = (y >= 0 && y < H && xx >= 0 && xx < W) ? f[y * W + xx] : 0;
          }
        x.sof = (r == 0 && c == 0);
        x.eol = (c == WO - 1);
        x.eof = x.eol && (r == HO - 1);
        expq.push_back(x);
      }
    last_truncated = n < W * H;
  }
};

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  uint64_t seed = 1;
  for (int i = 1; i < argc; i++)
    if (sscanf(argv[i], "+seed=%lu", &seed) == 1) {}
  Rng rng(seed);
  auto top = std::make_unique<Vtb_window_top>();
  // reset
  top->aresetn = 0;
  top->s_valid = 0;
  top->m_ready = 0;
  for (int c = 0; c < 4; c++) {
    top->aclk = 0; top->eval();
    top->aclk = 1; top->eval();
  }
  top->aresetn = 1;
  Inst in[K];
  for (int g = 0; g < K; g++) {
    uint32_t c = get_bits(top->cfg, 24 * g, 24);
    in[g].W = (c >> 16) & 255;
    in[g].H = (c >> 8) & 255;
    in[g].S = c & 255;
    in[g].WO = (in[g].W + in[g].S - 1) / in[g].S;
    in[g].HO = (in[g].H + in[g].S - 1) / in[g].S;
  }

  // Pre-phase: random traffic for a while (unchecked), then a reset in the middle of frames:
  // everything after must behave as from a clean start.
  for (int c = 0; c < 700; c++) {
    uint32_t sv = 0, mr = 0;
    for (int g = 0; g < K; g++) {
      if (rng.chance(0.7)) sv |= 1u << g;
      if (rng.chance(0.5)) mr |= 1u << g;
      set_bits(top->s_data, g * CB, CB, rng.below(1u << CB));
    }
    top->s_valid = sv;
    top->s_sof = 0;
    top->m_ready = mr;
    top->aresetn = c < 697;
    top->aclk = 0; top->eval();
    top->aclk = 1; top->eval();
  }
  top->aresetn = 1;
  top->s_valid = 0;
  top->aclk = 0; top->eval();
  CHECK(top->m_valid == 0, "m_valid set after reset");

#ifndef TB_WR_REG
#define TB_WR_REG 0
#endif
  const int NA = 24, NB = 4;
  for (int g = 0; g < K; g++) {
    static const double probs[] = {0.3, 0.6, 0.9, 1.0};
    in[g].pv = probs[rng.below(4)];
    in[g].pr = probs[rng.below(4)];
    in[g].bursty = rng.chance(0.4);
    for (int f = 0; f < NA; f++) {
      bool trunc = (f < NA - 1) && rng.chance(0.2);
      bool sof = in[g].last_truncated || rng.chance(0.7);
      in[g].add_frame(rng, trunc, sof);
    }
  }
  long cycle = 0;
  for (int phase = 0; phase < 2; phase++) {
    if (phase == 1)
      for (int g = 0; g < K; g++) {
        for (int f = 0; f < NB; f++) in[g].add_frame(rng, false, true);
      }
    long limit = cycle + 200000;
    while (true) {
      bool busy = false;
      for (int g = 0; g < K; g++) busy |= !in[g].inq.empty() || in[g].presenting || !in[g].expq.empty();
      if (!busy) break;
      if (cycle > limit) {
        for (int g = 0; g < K; g++)
          if (!in[g].expq.empty() || !in[g].inq.empty())
            fprintf(stderr, "inst %d (W=%d H=%d S=%d): %zu inputs and %zu windows outstanding\n", g,
                    in[g].W, in[g].H, in[g].S, in[g].inq.size(), in[g].expq.size());
        CHECK(false, "phase %d timed out (deadlock?)", phase);
        break;
      }
      uint32_t sv = 0, ss = 0, mr = 0;
      for (int g = 0; g < K; g++) {
        Inst& I = in[g];
        if (I.bursty) {
          if (rng.chance(0.03)) I.v_on = !I.v_on;
          if (rng.chance(0.03)) I.r_on = !I.r_on;
        }
        bool v_ok = I.bursty ? I.v_on : rng.chance(I.pv);
        bool r_ok = I.bursty ? I.r_on : rng.chance(I.pr);
        if (!I.presenting && !I.inq.empty() && (phase == 1 || v_ok)) {
          I.presenting = true;
          I.cur_pix = I.inq.front().first;
          I.cur_sof = I.inq.front().second;
          I.inq.pop_front();
        }
        if (I.presenting) {
          sv |= 1u << g;
          if (I.cur_sof) ss |= 1u << g;
          set_bits(top->s_data, g * CB, CB, I.cur_pix);
        }
        if (phase == 1 || r_ok) mr |= 1u << g;
      }
      top->s_valid = sv;
      top->s_sof = ss;
      top->m_ready = mr;
      top->aclk = 0;
      top->eval();
      for (int g = 0; g < K; g++) {
        Inst& I = in[g];
        bool srdy = (top->s_ready >> g) & 1;
        bool mval = (top->m_valid >> g) & 1;
        bool mrdy = (mr >> g) & 1;
        uint32_t e[9];
        for (int k = 0; k < 9; k++) e[k] = get_bits(top->m_data, (g * 9 + k) * CB, CB);
        bool mk[3] = {(bool)((top->m_sof >> g) & 1), (bool)((top->m_eol >> g) & 1),
                      (bool)((top->m_eof >> g) & 1)};
        if (I.prev_stalled) {
          bool same = mval;
          for (int k = 0; k < 9; k++) same &= e[k] == I.prev_e[k];
          for (int k = 0; k < 3; k++) same &= mk[k] == I.prev_m[k];
          CHECK(same, "inst %d: output changed while valid && !ready", g);
        }
        I.prev_stalled = mval && !mrdy;
        for (int k = 0; k < 9; k++) I.prev_e[k] = e[k];
        for (int k = 0; k < 3; k++) I.prev_m[k] = mk[k];
        if (I.presenting) {
          if (srdy) {
            if (phase == 1 && I.first_in < 0) I.first_in = cycle;
            I.presenting = false;
          } else if (phase == 1 && I.first_in >= 0) {
            I.stalls++;
          } else if (phase == 0) {
            I.stalls_a++;  // coverage: line memories full under backpressure (or resync)
          }
        }
        if (mval && mrdy) {
          if (I.expq.empty()) {
            CHECK(false, "inst %d: unexpected window", g);
          } else {
            Exp& x = I.expq.front();
            bool ok = mk[0] == x.sof && mk[1] == x.eol && mk[2] == x.eof;
            for (int k = 0; k < 9; k++) ok &= e[k] == x.e[k];
            CHECK(ok,
                  "inst %d (W=%d H=%d S=%d) window %ld: got [%x %x %x|%x %x %x|%x %x %x] "
                  "sof/eol/eof %d%d%d, want [%x %x %x|%x %x %x|%x %x %x] %d%d%d",
                  g, I.W, I.H, I.S, I.windows, e[0], e[1], e[2], e[3], e[4], e[5], e[6], e[7],
                  e[8], mk[0], mk[1], mk[2], x.e[0], x.e[1], x.e[2], x.e[3], x.e[4], x.e[5],
                  x.e[6], x.e[7], x.e[8], x.sof, x.eol, x.eof);
            I.expq.pop_front();
          }
          I.windows++;
          if (phase == 1) {
            I.last_out = cycle;
            if (I.first_out < 0) I.first_out = cycle;
          }
        }
      }
      top->aclk = 1;
      top->eval();
      cycle++;
    }
  }
  for (int g = 0; g < K; g++) {
    Inst& I = in[g];
    long cyc = I.last_out - I.first_in + 1;
    // required: <= NB*W*H*1.02 + small constant; the design achieves NB*W*H plus its latency
    // (2*W + 3: the first window needs input row 1), so check that exact figure
    // (WR_REG = 1: one clock more, within the bound's spare clock; at W = 1 a row is one
    // clock and that clock of latency per row may stall the input, up to one per two rows)
    double bound = NB * I.W * I.H + 2 * I.W + 4 + (TB_WR_REG && I.W == 1 ? NB * I.H / 2 : 0);
    printf("window W=%d H=%d S=%d: %ld windows, throughput phase %d frames in %ld cycles "
           "(%.3f x W*H per frame, bound %.0f), input stalls %ld, latency %ld; random phase: %ld input-stall clocks\n",
           I.W, I.H, I.S, I.windows, NB, cyc, (double)cyc / (NB * I.W * I.H), bound, I.stalls,
           I.first_out - I.first_in, I.stalls_a);
    CHECK(cyc <= bound, "inst %d: throughput %ld cycles > bound %.0f", g, cyc, bound);
    if (I.W >= 4) CHECK(I.stalls == 0, "inst %d: s_ready dropped %ld times in steady state", g, I.stalls);
  }
  top->final();
  if (g_errors) {
    printf("tb_window: %d errors\n", g_errors);
    return 1;
  }
  printf("tb_window: PASS (%ld cycles)\n", cycle);
  return 0;
}
