// Verilator testbench for sf_window_reader (through tb_reader_top: K instances, one build).
// Pre-phase: unchecked random traffic, then reset mid-frame.
// Phase A: random frames with random s_valid gaps and a slow, random consumer (random delays,
//   reads of every group and column in random order, some repeated, w_done with or after the
//   last read); some frames truncated and followed by a frame with s_sof (resynchronisation:
//   the truncated frame comes out completed with zero pixels). Every read is compared bit for
//   bit with a reference window computed here, as are the window markers.
// Phase B: NB back-to-back frames, one input pixel every D clocks, a consumer that needs 3
//   clocks per window: s_ready must never fall once the first pixel is in (W >= 4).
#include <algorithm>
#include <deque>
#include <memory>
#include "Vtb_reader_top.h"
#include "verilated.h"
#include "tb_common.h"

static inline void set_bits64(uint64_t& w, int lo, int n, uint32_t v) {
  uint64_t m = ((1ull << n) - 1) << lo;
  w = (w & ~m) | (((uint64_t)v << lo) & m);
}

static const int K = 18, CB = 12, GB = 4, NG = 3, MB = 6, D = 4;

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
  double pv = 1, pc = 1;
  bool last_truncated = false;
  // consumer
  bool busy = false, done_pending = false;
  std::vector<std::pair<int, int>> reads;  // (group, column) still to issue
  bool rd_prev = false;
  int rd_prev_g = 0, rd_prev_j = 0;
  long windows = 0, stalls_b = 0, first_in = -1;
  int since_pix = 0;

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
  auto top = std::make_unique<Vtb_reader_top>();
  auto tick = [&]() {
    top->aclk = 0; top->eval();
    top->aclk = 1; top->eval();
  };
  top->aresetn = 0;
  top->s_valid = 0;
  top->w_done = 0;
  top->rd_en = 0;
  for (int c = 0; c < 4; c++) tick();
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
  // Pre-phase: random unchecked traffic, then a reset in the middle of frames.
  for (int c = 0; c < 700; c++) {
    uint32_t sv = 0, wd = 0, re = 0;
    for (int g = 0; g < K; g++) {
      if (rng.chance(0.7)) sv |= 1u << g;
      if (rng.chance(0.3)) wd |= 1u << g;
      if (rng.chance(0.5)) re |= 1u << g;
      set_bits(top->s_data, g * CB, CB, rng.below(1u << CB));
    }
    top->s_valid = sv;
    top->s_sof = 0;
    top->w_done = wd;
    top->rd_en = re;
    top->rd_col = rng.next() & 0x5555555555ull;  // columns 0 or 1
    top->rd_grp = 0;
    top->aresetn = c < 697;
    tick();
  }
  top->aresetn = 1;
  top->s_valid = 0;
  top->w_done = 0;
  top->rd_en = 0;
  top->aclk = 0; top->eval();
  CHECK(top->w_valid == 0, "w_valid set after reset");

  const int NA = 16, NB = 4;
  for (int g = 0; g < K; g++) {
    static const double probs[] = {0.3, 0.6, 0.9, 1.0};
    in[g].pv = probs[rng.below(4)];
    in[g].pc = probs[rng.below(4)];
    for (int f = 0; f < NA; f++) {
      bool trunc = (f < NA - 1) && rng.chance(0.2);
      bool sof = in[g].last_truncated || rng.chance(0.7);
      in[g].add_frame(rng, trunc, sof);
    }
  }
  long cycle = 0;
  for (int phase = 0; phase < 2; phase++) {
    if (phase == 1)
      for (int g = 0; g < K; g++)
        for (int f = 0; f < NB; f++) in[g].add_frame(rng, false, true);
    long limit = cycle + 400000;
    while (true) {
      bool any = false;
      for (int g = 0; g < K; g++)
        any |= !in[g].inq.empty() || in[g].presenting || !in[g].expq.empty();
      if (!any) break;
      if (cycle > limit) {
        for (int g = 0; g < K; g++)
          if (!in[g].expq.empty() || !in[g].inq.empty())
            fprintf(stderr, "inst %d (W=%d H=%d S=%d): %zu inputs, %zu windows outstanding\n", g,
                    in[g].W, in[g].H, in[g].S, in[g].inq.size(), in[g].expq.size());
        CHECK(false, "phase %d timed out (deadlock?)", phase);
        break;
      }
      uint32_t sv = 0, ss = 0, wd = 0, re = 0;
      top->aclk = 0;
      top->eval();
      // check last clock's reads, then decide this clock's inputs
      for (int g = 0; g < K; g++) {
        Inst& I = in[g];
        if (I.rd_prev) {
          const Exp& x = I.expq.front();
          for (int i = 0; i < 3; i++) {
            uint32_t got = get_bits(top->rd_data, (g * 3 + i) * GB, GB);
            uint32_t want = (x.e[3 * i + I.rd_prev_j] >> (GB * I.rd_prev_g)) & ((1u << GB) - 1);
            CHECK(got == want,
                  "inst %d (W=%d H=%d S=%d) window %ld row %d col %d grp %d: got %x want %x", g,
                  I.W, I.H, I.S, I.windows, i, I.rd_prev_j, I.rd_prev_g, got, want);
          }
          uint32_t gm = get_bits(top->rd_mid, g * MB, MB);
          uint32_t wm = x.e[3 + I.rd_prev_j] & ((1u << MB) - 1);
          CHECK(gm == wm, "inst %d window %ld mid col %d: got %x want %x", g, I.windows,
                I.rd_prev_j, gm, wm);
          I.rd_prev = false;
        }
        if (I.done_pending) {  // w_done was pulsed last clock: the window is gone
          I.done_pending = false;
          I.busy = false;
          I.expq.pop_front();
          I.windows++;
        }
      }
      for (int g = 0; g < K; g++) {
        Inst& I = in[g];
        bool v_ok = phase == 1 ? (I.since_pix >= D - 1) : rng.chance(I.pv);
        if (!I.presenting && !I.inq.empty() && v_ok) {
          I.presenting = true;
          I.cur_pix = I.inq.front().first;
          I.cur_sof = I.inq.front().second;
          I.inq.pop_front();
          I.since_pix = 0;
        } else {
          I.since_pix++;
        }
        if (I.presenting) {
          sv |= 1u << g;
          if (I.cur_sof) ss |= 1u << g;
          set_bits(top->s_data, g * CB, CB, I.cur_pix);
        }
        bool wv = (top->w_valid >> g) & 1;
        if (I.busy) CHECK(wv, "inst %d: w_valid fell before w_done", g);
        if (!I.busy && wv && (phase == 1 || rng.chance(I.pc))) {
          if (I.expq.empty()) {
            CHECK(false, "inst %d: unexpected window", g);
          } else {
            const Exp& x = I.expq.front();
            bool mk[3] = {(bool)((top->w_sof >> g) & 1), (bool)((top->w_eol >> g) & 1),
                          (bool)((top->w_eof >> g) & 1)};
            CHECK(mk[0] == x.sof && mk[1] == x.eol && mk[2] == x.eof,
                  "inst %d window %ld markers %d%d%d want %d%d%d", g, I.windows, mk[0], mk[1],
                  mk[2], x.sof, x.eol, x.eof);
            I.busy = true;
            I.reads.clear();
            if (phase == 1) {
              for (int j = 0; j < 3; j++) I.reads.push_back({0, j});
            } else {
              for (int gg = 0; gg < NG; gg++)
                for (int j = 0; j < 3; j++) I.reads.push_back({gg, j});
              for (int k = (int)I.reads.size() - 1; k > 0; k--)
                std::swap(I.reads[k], I.reads[rng.below(k + 1)]);
              if (rng.chance(0.3)) I.reads.push_back(I.reads[rng.below(I.reads.size())]);
            }
          }
        }
        if (I.busy && !I.done_pending) {
          bool issue = !I.reads.empty() && (phase == 1 || rng.chance(0.7));
          if (issue) {
            auto rdq = I.reads.back();
            I.reads.pop_back();
            re |= 1u << g;
            set_bits64(top->rd_col, 2 * g, 2, rdq.second);
            set_bits64(top->rd_grp, 2 * g, 2, rdq.first);
            I.rd_prev = true;
            I.rd_prev_g = rdq.first;
            I.rd_prev_j = rdq.second;
          }
          if (I.reads.empty() && (phase == 1 || (issue ? rng.chance(0.5) : rng.chance(0.6)))) {
            wd |= 1u << g;
            I.done_pending = true;
          }
        }
      }
      top->s_valid = sv;
      top->s_sof = ss;
      top->w_done = wd;
      top->rd_en = re;
      top->eval();
      for (int g = 0; g < K; g++) {
        Inst& I = in[g];
        bool srdy = (top->s_ready >> g) & 1;
        if (I.presenting) {
          if (srdy) {
            if (phase == 1 && I.first_in < 0) I.first_in = cycle;
            I.presenting = false;
          } else if (phase == 1 && I.first_in >= 0) {
            I.stalls_b++;
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
    printf("reader W=%d H=%d S=%d: %ld windows, steady-state input stalls %ld\n", I.W, I.H, I.S,
           I.windows, I.stalls_b);
    if (I.W >= 4) CHECK(I.stalls_b == 0, "inst %d: s_ready fell %ld times in steady state", g,
                        I.stalls_b);
  }
  top->final();
  if (g_errors) {
    printf("tb_reader: %d errors\n", g_errors);
    return 1;
  }
  printf("tb_reader: PASS (%ld cycles)\n", cycle);
  return 0;
}
