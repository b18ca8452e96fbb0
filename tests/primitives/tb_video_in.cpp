// Verilator testbench for sf_axis_video_in (the frame sanitizer).
// Drives a random sequence of test cases, each a (possibly malformed) frame followed by a good
// frame, with random tvalid gaps and m_ready backpressure. A reference model of the documented
// policy turns the input beats into the expected pixel stream; every output pixel and marker is
// compared, and after each case (output drained) the sticky error flags must equal exactly
// the bit of that case, then err_clear clears them; frame_count is checked too, and that every
// output (s_axis_tready included) is a register.
#include <deque>
#include <memory>
#include "Vsf_axis_video_in.h"
#include "verilated.h"
#include "tb_common.h"

#if !defined(TB_W) || !defined(TB_H)
#error "compile with -DTB_W=<WIDTH> -DTB_H=<HEIGHT> (the module parameters)"
#endif
static const int W = TB_W;
static const int H = TB_H;

struct Beat {
  uint32_t d;
  bool user, last;
};
struct Px {
  uint32_t d;
  bool sof, eol, eof;
};

// Reference model of the sanitizer policy (see the module header).
struct Model {
  enum { WAIT, RUN, PAD } st = WAIT;
  bool pad_to_run = false;
  int col = 0, row = 0;
  unsigned err = 0;
  unsigned frames = 0;
  std::deque<Px> out;
  void emit(uint32_t d) {
    bool eol = col == W - 1, eof = eol && row == H - 1;
    out.push_back({d, col == 0 && row == 0, eol, eof});
    if (eol) { col = 0; row = (row == H - 1) ? 0 : row + 1; } else col++;
    if (eof) frames++;
  }
  void pad() {
    do emit(0); while (!(col == 0 && row == 0));
    st = pad_to_run ? RUN : WAIT;
  }
  void beat(const Beat& b) {
    bool origin = col == 0 && row == 0;
    if (st == RUN && b.user && !origin) {
      err |= 8; st = PAD; pad_to_run = true; pad();
      origin = true;
    }
    if (st == RUN && origin && !b.user) { err |= 4; st = WAIT; return; }
    if (st == WAIT && !b.user) return;
    bool last_col = col == W - 1;
    bool last_px = last_col && row == H - 1;
    bool sh = b.last && !last_col, lo = last_col && !b.last;
    emit(b.d);
    if (sh || lo) {
      err |= sh ? 1 : 2;
      st = last_px ? WAIT : PAD;
      pad_to_run = false;
      if (st == PAD) pad();
    } else {
      st = RUN;
    }
  }
};

static Rng rng(1);
static uint32_t rnd_px() { return rng.below(1u << 24); }

static void good_frame(std::deque<Beat>& q) {
  for (int r = 0; r < H; r++)
    for (int c = 0; c < W; c++) q.push_back({rnd_px(), r == 0 && c == 0, c == W - 1});
}

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  uint64_t seed = 1;
  for (int i = 1; i < argc; i++)
    if (sscanf(argv[i], "+seed=%lu", &seed) == 1) {}
  rng = Rng(seed);
  auto top = std::make_unique<Vsf_axis_video_in>();
  auto tick = [&]() {
    top->aclk = 0; top->eval();
    top->aclk = 1; top->eval();
  };
  top->aresetn = 0;
  top->s_axis_tvalid = 0;
  top->m_ready = 0;
  top->err_clear = 0;
  for (int i = 0; i < 4; i++) tick();
  top->aresetn = 1;

  Model model;
  std::deque<Beat> inq;
  bool presenting = false;
  Beat cur{0, false, false};
  long cycle = 0, pixels = 0, compared = 0;
  std::deque<Px> got;
  std::deque<Px> recent;  // the last W*H output pixels, for the model-free check
  bool prev_stalled = false;
  Px prev{0, false, false, false};
  const char* names[] = {"good", "short line", "long line", "missing SOF", "SOF in frame",
                         "idle gaps", "garbage before SOF"};
  int counts[7] = {0};
  const int NCASES = 300;

  // run the simulation until inq is empty and the output has drained
  auto run = [&](double pv, double pr, int idle_burst) {
    long limit = cycle + 100000;
    int idle_left = 0;
    while (!inq.empty() || presenting || !model.out.empty() || !got.empty()) {
      if (cycle > limit) { CHECK(false, "timeout (deadlock?)"); return; }
      if (idle_left > 0) {
        idle_left--;
      } else if (!presenting && !inq.empty() && rng.chance(pv)) {
        if (idle_burst && rng.chance(0.05)) {
          idle_left = idle_burst;  // an idle gap of idle_burst clocks before this beat
        } else {
          presenting = true;
          cur = inq.front();
          inq.pop_front();
        }
      }
      bool mr = rng.chance(pr);
      top->s_axis_tvalid = presenting;
      top->s_axis_tdata = cur.d;
      top->s_axis_tuser = cur.user;
      top->s_axis_tlast = cur.last;
      top->m_ready = mr;
      top->aclk = 0;
      top->eval();
      Px o{top->m_data, (bool)top->m_sof, (bool)top->m_eol, (bool)top->m_eof};
      {
        // every output is a register: flipping the inputs within the clock moves none
        const uint32_t rdy = top->s_axis_tready, mv = top->m_valid;
        top->m_ready = !mr;
        top->s_axis_tvalid = !presenting;
        top->s_axis_tuser = !cur.user;
        top->s_axis_tlast = !cur.last;
        top->eval();
        CHECK(top->s_axis_tready == rdy && top->m_valid == mv && top->m_data == o.d &&
                  top->m_sof == o.sof && top->m_eol == o.eol && top->m_eof == o.eof,
              "an output changed with an input in the same clock (cycle %ld)", cycle);
        top->m_ready = mr;
        top->s_axis_tvalid = presenting;
        top->s_axis_tuser = cur.user;
        top->s_axis_tlast = cur.last;
        top->eval();
      }
      if (prev_stalled)
        CHECK(top->m_valid && o.d == prev.d && o.sof == prev.sof && o.eol == prev.eol &&
                  o.eof == prev.eof,
              "output changed while valid && !ready");
      prev_stalled = top->m_valid && !mr;
      prev = o;
      if (presenting && top->s_axis_tready) {
        model.beat(cur);
        presenting = false;
      }
      if (top->m_valid && mr) {
        got.push_back(o);
        recent.push_back(o);
        if ((int)recent.size() > W * H) recent.pop_front();
        pixels++;
      }
      // the model produces padding when it consumes the beat that triggers it, which can be
      // after the RTL has started padding: compare the two streams in order, lazily
      while (!got.empty() && !model.out.empty()) {
        Px& x = model.out.front();
        Px& g = got.front();
        CHECK(g.d == x.d && g.sof == x.sof && g.eol == x.eol && g.eof == x.eof,
              "pixel %ld: got %06x %d%d%d want %06x %d%d%d", compared, g.d, g.sof, g.eol, g.eof,
              x.d, x.sof, x.eol, x.eof);
        model.out.pop_front();
        got.pop_front();
        compared++;
      }
      top->aclk = 1;
      top->eval();
      cycle++;
    }
    // nothing more may come out
    top->s_axis_tvalid = 0;
    top->m_ready = 1;
    for (int i = 0; i < 2 * W * H + 4; i++) {
      top->aclk = 0;
      top->eval();
      CHECK(!top->m_valid, "extra output pixel after the expected stream (cycle %ld)", cycle);
      top->aclk = 1;
      top->eval();
      cycle++;
    }
    prev_stalled = false;
  };

  // first: garbage then a good frame (after reset the block silently waits for tuser)
  for (int i = 0; i < 5; i++) inq.push_back({rnd_px(), false, rng.chance(0.3)});
  good_frame(inq);
  run(0.8, 0.8, 0);
  CHECK(top->err == 0, "garbage after reset raised err=%x", top->err);

  for (int n = 0; n < NCASES; n++) {
    int kind = (n < 7) ? n : (int)rng.below(7);
    counts[kind]++;
    unsigned want = 0;
    int bad_r = (int)rng.below(H);
    switch (kind) {
      case 0: good_frame(inq); break;
      case 1:  // short line: line bad_r ends early (needs W >= 2)
        if (W < 2) { good_frame(inq); break; }
        want = 1;
        for (int r = 0; r < H; r++) {
          int len = (r == bad_r) ? 1 + (int)rng.below(W - 1) : W;
          for (int c = 0; c < len; c++) inq.push_back({rnd_px(), r == 0 && c == 0, c == len - 1});
        }
        break;
      case 2:  // long line: line bad_r has 1..3 extra pixels
        want = 2;
        for (int r = 0; r < H; r++) {
          int len = (r == bad_r) ? W + 1 + (int)rng.below(3) : W;
          for (int c = 0; c < len; c++) inq.push_back({rnd_px(), r == 0 && c == 0, c == len - 1});
        }
        break;
      case 3: {  // missing SOF: a whole frame without tuser
        want = 4;
        size_t s = inq.size();
        good_frame(inq);
        inq[s].user = false;
        break;
      }
      case 4: {  // SOF in frame: a frame cut after k pixels (1 <= k < W*H)
        if (W * H < 2) { good_frame(inq); break; }
        want = 8;
        int k = 1 + (int)rng.below(W * H - 1);
        for (int p = 0; p < k; p++) inq.push_back({rnd_px(), p == 0, (p % W) == W - 1});
        break;
      }
      case 5: good_frame(inq); break;  // run with idle bursts below
      case 6:  // garbage without tuser after a complete frame: MISSING_SOF
        want = 4;
        for (int i = 0; i < 3; i++) inq.push_back({rnd_px(), false, rng.chance(0.5)});
        break;
    }
    size_t good_start = inq.size();
    good_frame(inq);
    std::vector<Beat> good(inq.begin() + good_start, inq.end());
    double pv = rng.chance(0.3) ? 1.0 : 0.3 + 0.7 * (rng.below(100) / 100.0);
    double pr = rng.chance(0.3) ? 1.0 : 0.3 + 0.7 * (rng.below(100) / 100.0);
    if (getenv("TB_TRACE")) fprintf(stderr, "case %d kind %d cycle %ld compared %ld pv %.2f pr %.2f\n", n, kind, cycle, compared, pv, pr);
    run(pv, pr, kind == 5 ? 7 : 0);
    CHECK(top->err == want, "case %d (%s): err=%x, want %x", n, names[kind], top->err, want);
    // independent of the model: the last frame out is exactly the good frame that was sent last
    bool same = (int)recent.size() == W * H;
    for (int i = 0; same && i < W * H; i++)
      same = recent[i].d == good[i].d && recent[i].sof == (i == 0) &&
             recent[i].eol == (i % W == W - 1) && recent[i].eof == (i == W * H - 1);
    CHECK(same, "case %d (%s): the good frame after it did not pass exactly", n, names[kind]);
    CHECK(top->err == model.err, "case %d (%s): err=%x, model %x", n, names[kind], top->err, model.err);
    CHECK(top->frame_count == model.frames, "case %d: frame_count %u, model %u", n,
          (unsigned)top->frame_count, model.frames);
    top->err_clear = 1;
    tick();
    cycle++;
    top->err_clear = 0;
    model.err = 0;
    CHECK(top->err == 0, "err_clear did not clear");
  }
  // throughput: good frames back to back, no gaps, no backpressure
  long c0 = cycle;
  long p0 = pixels;
  for (int f = 0; f < 4; f++) good_frame(inq);
  run(1.0, 1.0, 0);
  long cyc = cycle - c0 - (2 * W * H + 4);
  printf("video_in W=%d H=%d: %d cases (", W, H, NCASES);
  for (int k = 0; k < 7; k++) printf("%s%s %d", k ? ", " : "", names[k], counts[k]);
  printf("), %ld pixels; 4 frames at full rate in %ld cycles\n", pixels, cyc);
  CHECK(cyc <= 4 * W * H + 2, "throughput: %ld cycles for %d pixels", cyc, 4 * W * H);
  CHECK(pixels - p0 == 4 * W * H, "pixel count");
  top->final();
  if (g_errors) {
    printf("tb_video_in: %d errors\n", g_errors);
    return 1;
  }
  printf("tb_video_in: PASS (%ld cycles)\n", cycle);
  return 0;
}
