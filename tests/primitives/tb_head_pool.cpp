// Verilator testbench for sf_head_pool (top = the head itself, parameters via -G and the same
// values via -D TB_*). Tested against the CONTRACT header and SPEC §2 (requant16):
//  - configuration port: the weight image (layout word o*S+s, byte q = w[o][s*Q+q], config
//    word k = bytes 4k..4k+3; bytes with s*Q+q >= L filled with garbage that must be ignored)
//    written and read back with ack three clocks after the request when idle (cfg_wdata held
//    until the ack); words beyond the window read 0 and ignore writes; accesses while frames
//    are processed (reads and same-value writes, some aimed at the first clock of the dot
//    products) are acked within S+3 clocks, read the right word, and do not disturb the
//    results;
//  - frames of PIXELS vectors from s_sof (occasional truncated frames restarted by s_sof),
//    random s_valid gaps, m_ready random / stalled for hundreds of clocks while the next
//    frames stream in / always high; every output z[o] compared with a reference model of
//    the contract (frame sums, grouped dot products, requant16 in 128-bit arithmetic), with
//    m_first on o = 0 and m_last on o = OUT_N-1, AXI4-Stream output stability;
//  - s_ready a register, low only for the vector that is a frame's last by the count while
//    the previous frame's outputs are not all in the output register; at full rate a frame
//    every max(PIXELS, OUT_N*(S+5) + RQ_STAGES + MUL_REG + 8) clocks or better, and no input
//    stall at all when that dot-product bound is <= PIXELS;
//  - every output is a register (no output moves when an input changes within a clock);
//  - extremes: x = w = -128 everywhere (accumulator width), scale -32768/32767, bias
//    extremes, shift 0 and up to 40.
#include <algorithm>
#include <deque>
#include <memory>
#include <vector>

#include "Vsf_head_pool.h"
#include "tb_common.h"
#include "tb_ports.h"

static const int IN_N = TB_IN_N, OUT_N = TB_OUT_N, L = TB_L, GO = TB_GO, Q = TB_Q;
static const int PIXELS = TB_PIXELS, ACC_W = TB_ACC_W, RQ_STAGES = TB_RQ_STAGES;
static const int S = (L + Q - 1) / Q, WB = ((Q + 3) / 4) * 4, WPW = WB / 4, DEPTH = OUT_N * S;
static const int NWORDS = DEPTH * WPW;
static int clog2(long v) {
  int b = 0;
  while ((1L << b) < v) b++;
  return b;
}
static const int CFG_AW = (NWORDS > 1) ? clog2(4L * NWORDS) : 2;
static const int CFG_WORD_AW = CFG_AW - 2 > 0 ? CFG_AW - 2 : 1;
static const int NADDR = 1 << CFG_WORD_AW;
static const long MAX_ACC = (long)L * 128 * 128 * PIXELS;
// contract: the dot products of one frame end within this many clocks of its closing vector
static const int DOT_CLOCKS = OUT_N * (S + 5) + RQ_STAGES + TB_MUL_REG + 8;

static Vsf_head_pool* top;
static long cycle = 0;
static Rng* rng;
static void tick() {
  top->aclk = 1;
  top->eval();
  top->aclk = 0;
  top->eval();
  cycle++;
}

// ---- model state ----
static std::vector<int8_t> w(OUT_N * L);      // w[o][i] at o*L + i
static std::vector<uint32_t> img(NWORDS);      // the configuration image as written
static std::vector<int> scale(OUT_N), bias(OUT_N);
static int shift = 0;

static int bitlen(unsigned long v) {
  int b = 0;
  while (v >> b) b++;
  return b;
}

static void build_image() {
  std::vector<uint8_t> bytes((size_t)DEPTH * WB);
  for (auto& b : bytes) b = (uint8_t)rng->below(256);  // ignored bytes: garbage
  for (int o = 0; o < OUT_N; o++)
    for (int s = 0; s < S; s++)
      for (int q = 0; q < Q; q++)
        if (s * Q + q < L) bytes[(size_t)(o * S + s) * WB + q] = (uint8_t)w[o * L + s * Q + q];
  for (int k = 0; k < NWORDS; k++)
    img[k] = bytes[4 * k] | (bytes[4 * k + 1] << 8) | (bytes[4 * k + 2] << 16) |
             ((uint32_t)bytes[4 * k + 3] << 24);
}

static std::vector<int16_t> reference(const std::vector<long>& X) {
  std::vector<int16_t> z(OUT_N);
  for (int o = 0; o < OUT_N; o++) {
    __int128 acc = 0;
    for (int i = 0; i < L; i++) acc += (__int128)w[o * L + i] * X[(o / GO) * L + i];
    if (acc >= ((__int128)1 << (ACC_W - 1)) || acc < -((__int128)1 << (ACC_W - 1))) {
      fprintf(stderr, "bad test parameters: ACC_W too small\n");
      exit(2);
    }
    __int128 rnd = shift ? ((__int128)1 << (shift - 1)) : 0;
    __int128 v = (acc * scale[o] + bias[o] + rnd) >> shift;
    z[o] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : (long)v);
  }
  return z;
}

static void apply_params() {
  for (int o = 0; o < OUT_N; o++) {
    port_put(top->scale, 16 * o, 16, (uint16_t)scale[o]);
    port_put(top->bias, 32 * o, 32, (uint32_t)bias[o]);
  }
  top->shift = shift;
}

// One configuration access with the head idle: ack exactly three clocks after the request,
// cfg_wdata held until then (cfg_we and cfg_addr only with the request).
static uint32_t cfg_idle(bool we, uint32_t addr, uint32_t wdata) {
  top->cfg_req = 1;
  top->cfg_we = we;
  top->cfg_addr = addr;
  top->cfg_wdata = wdata;
  top->eval();
  CHECK(!top->cfg_ack, "cfg_ack in the request clock");
  tick();
  top->cfg_req = 0;
  top->cfg_we = !we;
  top->cfg_addr = ~addr;
  for (int i = 1; i < 3; i++) {
    top->eval();
    CHECK(!top->cfg_ack, "idle cfg_ack %d clocks after the request, want 3", i);
    tick();
  }
  top->eval();
  CHECK(top->cfg_ack == 1, "idle cfg_ack missing three clocks after request (addr %u)", addr);
  uint32_t r = top->cfg_rdata;
  tick();
  top->eval();
  CHECK(top->cfg_ack == 0, "cfg_ack longer than one clock");
  return r;
}

static void program_weights() {
  build_image();
  for (int k = 0; k < NWORDS; k++) cfg_idle(true, k, img[k]);
  for (int k = 0; k < NWORDS; k++) {
    uint32_t r = cfg_idle(false, k, 0);
    CHECK(r == img[k], "readback word %d: got %08x want %08x", k, r, img[k]);
  }
}

static int8_t rand_i8(int mode) {
  if (mode == 1) return -128;
  if (mode == 2) return rng->chance(0.5) ? -128 : 127;
  switch (rng->below(6)) {
    case 0: return -128;
    case 1: return 127;
    default: return (int8_t)rng->below(256);
  }
}

struct Exp {
  int16_t z;
  bool first, last;
  int frame, o;
};

struct Epoch {
  const char* name;
  int w_mode;       // -1 keep weights, else rand_i8 mode
  int x_mode;       // rand_i8 mode of the inputs
  int p_mode;       // 0 useful range, 1 x=w=-128 exact range, 2 saturate, 3 shift 0, 4 shift 40
  int ready_mode;   // 0 random, 1 long stalls, 2 always
  double p_valid, p_cfg;
  bool directed_cfg;  // a cfg access in the first clock of each frame's dot products
  int frames;
};

static long checked = 0, cfg_in_flight = 0, cfg_delayed = 0, in_stalls = 0, truncated = 0;
static long saturated = 0;
static int max_cfg_lat = 0;

static void choose_params(int p_mode) {
  for (int o = 0; o < OUT_N; o++) {
    switch (p_mode) {
      case 1:  // x = w = -128: acc = +MAX_ACC exactly; keep it visible through requant16
        scale[o] = (o % 2) ? -1 : 1;
        bias[o] = 0;
        break;
      case 2:
        scale[o] = rng->chance(0.5) ? -32768 : 32767;
        bias[o] = rng->chance(0.5) ? (int)0x80000000u : 0x7fffffff;
        break;
      case 3:
        scale[o] = (int)rng->below(7) - 3;
        bias[o] = (int)rng->below(4001) - 2000;
        break;
      default:
        scale[o] = rng->chance(0.2) ? (rng->chance(0.5) ? -32768 : 32767)
                                    : (int)(int16_t)rng->below(65536);
        bias[o] = rng->chance(0.2) ? (int)rng->next() : (int)rng->below(200001) - 100000;
    }
  }
  switch (p_mode) {
    case 1: shift = std::max(0, bitlen(MAX_ACC) - 15); break;
    case 2: shift = (int)rng->below(3); break;
    case 3: shift = 0; break;
    case 4: shift = 40; break;
    // |acc * scale| < MAX_ACC * 2^15; random data stays well below MAX_ACC
    default: shift = std::min(40, bitlen(MAX_ACC) - 1 + (int)rng->below(4));
  }
  apply_params();
}

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  Rng rng_(tb_seed(argc, argv));
  rng = &rng_;
  if ((OUT_N / GO) * L != IN_N || OUT_N % GO) {
    fprintf(stderr, "bad test parameters: (OUT_N/GO)*L != IN_N\n");
    return 2;
  }
  top = new Vsf_head_pool;
  top->aresetn = 0; top->s_valid = 0; top->m_ready = 0; top->cfg_req = 0; top->s_sof = 0;
  top->aclk = 0;
  top->eval();
  for (int i = 0; i < 3; i++) tick();
  top->aresetn = 1;
  top->eval();
  CHECK(!top->m_valid && !top->cfg_ack, "m_valid / cfg_ack after reset");
  tick();
  top->eval();
  CHECK(top->s_ready, "s_ready one clock after reset");

  // ---- configuration port: image, readback, beyond the window
  for (auto& v : w) v = rand_i8(0);
  program_weights();
  for (int k = NWORDS; k < NADDR; k++) {
    CHECK(cfg_idle(false, k, 0) == 0, "read beyond the window (word %d) not 0", k);
    cfg_idle(true, k, (uint32_t)rng->next() | 1);
    CHECK(cfg_idle(false, k, 0) == 0, "write beyond the window (word %d) stuck", k);
  }
  for (int k = 0; k < NWORDS; k++)
    CHECK(cfg_idle(false, k, 0) == img[k], "word %d changed by writes beyond the window", k);

  std::vector<Epoch> epochs = {
      {"random", -1, 0, 0, 0, 0.7, 0.05, true, 6},
      {"long output stalls", -1, 0, 0, 1, 0.9, 0.05, false, 8},
      {"x=w=-128", 1, 1, 1, 0, 0.8, 0.02, false, 4},
      {"x=w=-128 saturating", -1, 1, 2, 1, 1.0, 0.0, false, 3},
      {"extremes shift 40", 2, 2, 4, 0, 0.6, 0.05, true, 4},
      {"extremes saturating", -1, 2, 2, 0, 0.6, 0.0, false, 4},
      {"shift 0", 0, 0, 3, 0, 0.5, 0.05, false, 4},
      {"full rate", -1, 0, 0, 2, 1.0, 0.0, false, 6},
      {"random, heavy cfg", 0, 0, 0, 0, 0.8, 0.3, true, 6},
  };

  int frame_no = 0;
  for (const Epoch& ep : epochs) {
    // idle here: reprogram and change the registers between frames only
    if (ep.w_mode >= 0) {
      for (auto& v : w) v = rand_i8(ep.w_mode);
      program_weights();
    }
    choose_params(ep.p_mode);
    const bool full_rate = ep.ready_mode == 2;
    std::deque<Exp> expect;
    std::vector<long> X(IN_N, 0);
    int cnt = 0;                  // vectors since s_sof (model of the contract's counter)
    int frames_closed = 0, pending = 0, got_frames = 0;
    int frame_pos = 0, frame_len = 0;
    bool have = false, cur_sof = false;
    std::vector<int8_t> cur(IN_N);
    bool prev_stall = false;
    uint16_t prev_data = 0;
    bool prev_first = false, prev_last = false;
    int stall_left = 0;
    // cfg
    bool cfg_out = false, cfg_rd = false;
    long cfg_req_cyc = -10, cfg_ack_cyc = -10, cfg_want = -1;
    uint32_t cfg_exp = 0, cfg_data = 0;
    std::vector<long> close_cycles;
    long guard = 0;
    const long limit = 20000L + (long)ep.frames * (PIXELS + DOT_CLOCKS) * 40;
    while (got_frames < ep.frames || cfg_out) {
      if (++guard > limit) {
        CHECK(false, "%s: timeout (%d of %d frames out, pending %d, cfg %d)", ep.name,
              got_frames, ep.frames, pending, cfg_out);
        break;
      }
      // ---- input
      if (!have && frames_closed < ep.frames && rng->chance(ep.p_valid)) {
        if (frame_pos == frame_len) {  // new frame, now and then a truncated one first
          frame_pos = 0;
          frame_len = (PIXELS > 1 && !full_rate && rng->chance(0.15))
                          ? 1 + (int)rng->below(PIXELS - 1) : PIXELS;
          if (frame_len < PIXELS) truncated++;
        }
        cur_sof = frame_pos == 0;
        for (auto& v : cur) v = rand_i8(ep.x_mode);
        have = true;
      }
      top->s_sof = have ? cur_sof : rng->chance(0.5);
      for (int n = 0; n < IN_N; n++) port_put(top->s_data, 8 * n, 8, (uint8_t)cur[n]);
      // ---- output readiness
      bool ready;
      if (ep.ready_mode == 2) {
        ready = true;
      } else if (ep.ready_mode == 1) {
        if (stall_left == 0) stall_left = rng->chance(0.5) ? -(1 + (int)rng->below(20))
                                                            : 100 + (int)rng->below(300);
        ready = stall_left < 0;
        stall_left += stall_left < 0 ? 1 : -1;
      } else {
        ready = rng->chance(0.6);
      }
      top->m_ready = ready;
      // ---- configuration access (one outstanding, the next one after the ack clock)
      top->cfg_req = 0;
      bool new_cfg = !cfg_out && cycle > cfg_ack_cyc &&
                     (rng->chance(ep.p_cfg) || (cfg_want >= 0 && cycle >= cfg_want));
      if (new_cfg) {
        cfg_want = -1;
        uint32_t r = rng->below(10);
        uint32_t k = (r < 8 || NADDR == NWORDS) ? rng->below(NWORDS)
                                                : NWORDS + rng->below(NADDR - NWORDS);
        bool we = rng->chance(0.3);  // writes: the same value (or beyond the window)
        top->cfg_req = 1;
        top->cfg_we = we;
        top->cfg_addr = k;
        top->cfg_wdata = k < (uint32_t)NWORDS ? img[k] : (uint32_t)rng->next();
        cfg_data = top->cfg_wdata;
        cfg_out = true;
        cfg_rd = !we;
        cfg_exp = k < (uint32_t)NWORDS ? img[k] : 0;
        cfg_req_cyc = cycle;
      }
      if (cfg_out && !new_cfg) top->cfg_wdata = cfg_data;  // held until the ack
      // every output is a register: flipping the inputs must not move one
      top->eval();
      {
        const uint32_t rdy = top->s_ready, mv = top->m_valid, md = top->m_data,
                       mf = top->m_first, ml = top->m_last, ack = top->cfg_ack,
                       rdat = top->cfg_rdata;
        const uint32_t sv = top->s_valid, so = top->s_sof, mr = top->m_ready, cr = top->cfg_req;
        top->s_valid = !have;
        top->s_sof = !so;
        top->m_ready = !mr;
        top->cfg_req = !cr;
        top->eval();
        CHECK(top->s_ready == rdy && top->m_valid == mv && top->m_data == md &&
                  top->m_first == mf && top->m_last == ml && top->cfg_ack == ack &&
                  top->cfg_rdata == rdat,
              "an output changed with an input in the same clock");
        top->s_valid = sv;
        top->s_sof = so;
        top->m_ready = mr;
        top->cfg_req = cr;
        top->s_valid = have;
        top->eval();
      }

      // ---- configuration checks
      if (top->cfg_ack) {
        CHECK(cfg_out && cycle > cfg_req_cyc, "cfg_ack without a request");
        if (cfg_out) {
          int lat = (int)(cycle - cfg_req_cyc);
          CHECK(lat >= 3 && lat <= S + 3, "cfg ack after %d clocks (S = %d)", lat, S);
          max_cfg_lat = std::max(max_cfg_lat, lat);
          if (lat > 3) cfg_delayed++;
          if (cfg_rd)
            CHECK(top->cfg_rdata == cfg_exp, "%s: cfg read in flight: got %08x want %08x",
                  ep.name, top->cfg_rdata, cfg_exp);
          cfg_in_flight++;
          cfg_out = false;
          cfg_ack_cyc = cycle;
        }
      } else if (cfg_out && cycle - cfg_req_cyc > S + 3) {
        CHECK(false, "%s: cfg ack missing %ld clocks after the request", ep.name,
              cycle - cfg_req_cyc);
        cfg_out = false;
        cfg_ack_cyc = cycle;
      }

      // ---- output checks
      uint16_t md = top->m_data;
      bool mf = top->m_first, ml = top->m_last;
      if (prev_stall)
        CHECK(top->m_valid && md == prev_data && mf == prev_first && ml == prev_last,
              "output changed while stalled");
      if (top->m_valid && !prev_stall && ml) {
        // the last output of a frame is in the output register: that frame no longer busy
        CHECK(pending > 0, "m_last without a frame in progress");
        pending--;
      }
      if (top->m_valid && top->m_ready) {
        if (expect.empty()) {
          CHECK(false, "output without a closed frame");
        } else {
          Exp e = expect.front();
          expect.pop_front();
          CHECK(md == (uint16_t)e.z && mf == e.first && ml == e.last,
                "%s: frame %d z[%d]: got %d f%d l%d want %d f%d l%d", ep.name, e.frame, e.o,
                (int16_t)md, mf, ml, e.z, e.first, e.last);
          checked++;
          if (e.z == 32767 || e.z == -32768) saturated++;
          if (e.last) got_frames++;
        }
      }
      prev_stall = top->m_valid && !top->m_ready;
      prev_data = md;
      prev_first = mf;
      prev_last = ml;

      // ---- input checks and model
      int pos = cur_sof ? 0 : cnt;
      bool closes = pos == PIXELS - 1;
      if (have && !top->s_ready) {
        in_stalls++;
        if (full_rate && PIXELS >= DOT_CLOCKS)
          CHECK(false, "full rate: input stalled although the dot products fit a frame");
        CHECK((closes || cnt == PIXELS - 1) && pending > 0,
              "%s: input stalled (closes %d, count %d, frames busy %d)", ep.name, closes, cnt,
              pending);
      }
      if (have && top->s_ready) {
        if (cur_sof) std::fill(X.begin(), X.end(), 0);
        for (int n = 0; n < IN_N; n++) X[n] += cur[n];
        cnt = pos + 1;
        frame_pos++;
        if (closes) {
          std::vector<int16_t> z = reference(X);
          for (int o = 0; o < OUT_N; o++)
            expect.push_back(Exp{z[o], o == 0, o == OUT_N - 1, frame_no, o});
          frame_no++;
          frames_closed++;
          pending++;
          cnt = 0;
          close_cycles.push_back(cycle);
          if (ep.directed_cfg) cfg_want = cycle + 1;  // first clock of the dot products
        }
        have = false;
      }
      tick();
    }
    CHECK(expect.empty() && pending == 0, "%s: %zu outputs missing, %d frames busy", ep.name,
          expect.size(), pending);
    if (full_rate) {
      long worst = 0;
      for (size_t f = 1; f < close_cycles.size(); f++)
        worst = std::max(worst, close_cycles[f] - close_cycles[f - 1]);
      long bound = std::max(PIXELS, DOT_CLOCKS);
      CHECK(worst <= bound, "full rate: a frame every %ld clocks, contract bound %ld", worst,
            bound);
      if (PIXELS >= DOT_CLOCKS) CHECK(worst == PIXELS, "full rate: frame period %ld", worst);
      printf("full rate: a frame every %ld clocks (PIXELS %d, dot-product bound %d)\n", worst,
             PIXELS, DOT_CLOCKS);
    }
    // drain: nothing more may come out
    top->s_valid = 0;
    top->m_ready = 1;
    top->cfg_req = 0;
    for (int i = 0; i < 3 * DOT_CLOCKS + 10; i++) {
      top->eval();
      CHECK(!top->m_valid, "%s: output after the last frame", ep.name);
      tick();
    }
    printf("epoch %-22s shift %2d: %d frames ok so far\n", ep.name, shift, frame_no);
  }
  // with S = 1 every read starts an output, where a waiting access goes first
  if (S > 1) CHECK(cfg_delayed > 0, "no configuration access was delayed by the dot products");
  CHECK(in_stalls > 0, "the input never stalled");
  CHECK(saturated * 2 < checked, "most outputs saturated: the test would see little");
  printf("sf_head_pool IN_N=%d OUT_N=%d L=%d GO=%d Q=%d PIXELS=%d ACC_W=%d (S=%d WB=%d): "
         "%d frames, %ld outputs checked (%ld saturated), %ld cfg accesses in flight (%ld delayed, max %d "
         "clocks), %ld input stall clocks, %ld truncated frames, %d errors\n",
         IN_N, OUT_N, L, GO, Q, PIXELS, ACC_W, S, WB, frame_no, checked, saturated, cfg_in_flight,
         cfg_delayed, max_cfg_lat, in_stalls, truncated, g_errors);
  top->final();
  delete top;
  if (g_errors == 0) printf("PASS\n");
  return g_errors ? 1 : 0;
}
