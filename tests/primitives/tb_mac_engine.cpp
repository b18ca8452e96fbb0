// Verilator testbench for sf_mac_engine (top = the engine itself, parameters via -G and the
// same values via -D TB_*). Programs random int8 weights through the cfg port (write, read
// back), streams random input vectors with random s_valid gaps, m_ready backpressure and cfg
// accesses in flight, and compares every output (and sideband) with a reference model of the
// index formula and SPEC §2 requant. Checks that every output is a register (no output moves
// when the inputs change within a clock), then measures latency and sustained throughput.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include "Vsf_mac_engine.h"
#include "tb_common.h"
#include "verilated.h"

#ifndef TB_IN_N
#error "define TB_IN_N etc."
#endif

static const int IN_N = TB_IN_N, OUT_N = TB_OUT_N, L = TB_L, P = TB_P, Q = TB_Q;
static const int OFFSET = TB_OFFSET, SI = TB_SI, SO = TB_SO, GO = TB_GO, SG = TB_SG;
static const int ACC_W = TB_ACC_W, RELU = TB_RELU, OUT_W = TB_OUT_W, SIDE_W = TB_SIDE_W;
static const int MUL_REG = TB_MUL_REG, LPR = TB_LPR, RQ_STAGES = TB_RQ_STAGES;
static const int RQ_SEL = TB_RQ_SEL;
static const int G = (OUT_N + P - 1) / P, S = (L + Q - 1) / Q, WB = ((P * Q + 3) / 4) * 4;
static const int WPW = WB / 4, DEPTH = G * S, NWORDS = DEPTH * WPW;
static const int R = (P + S - 1) / S, NR = (P + R - 1) / R;  // requant units, steps per group

static int clog2(long v) {
  int b = 0;
  while ((1L << b) < v) b++;
  return b;
}
// LATENCY = G*S + LANE + NR + SEL + RQ_STAGES + 2 (contract in the engine's header)
static const int T_LVL = Q > 1 ? clog2(Q) : 0;
static const int LANE = TB_OP_REG + MUL_REG + T_LVL / LPR + 1;
static const int SEL = (G * NR > 1 && RQ_SEL) ? 1 : 0;
static const int LATENCY = DEPTH + LANE + NR + SEL + RQ_STAGES + 2;
static const int CFG_AW = (DEPTH * WB > 4) ? clog2((long)DEPTH * WB) : 2;
static const int CFG_WORD_AW = CFG_AW - 2 > 0 ? CFG_AW - 2 : 1;

// ---- port helpers (Verilator: <= 64 bits integral, wider VlWide) ----
template <class T>
static void put(T& p, int lo, int n, uint64_t v) {
  uint64_t m = (n >= 64) ? ~0ull : ((1ull << n) - 1);
  p = (T)(((uint64_t)p & ~(m << lo)) | ((v & m) << lo));
}
template <std::size_t N>
static void put(VlWide<N>& p, int lo, int n, uint64_t v) {
  for (int b = 0; b < n; b++) {
    int bit = lo + b;
    uint32_t m = 1u << (bit % 32);
    if ((v >> b) & 1) p[bit / 32] |= m; else p[bit / 32] &= ~m;
  }
}
template <class T>
static uint64_t get(const T& p, int lo, int n) {
  uint64_t m = (n >= 64) ? ~0ull : ((1ull << n) - 1);
  return ((uint64_t)p >> lo) & m;
}
template <std::size_t N>
static uint64_t get(const VlWide<N>& p, int lo, int n) {
  uint64_t v = 0;
  for (int b = 0; b < n; b++) {
    int bit = lo + b;
    v |= (uint64_t)((p[bit / 32] >> (bit % 32)) & 1) << b;
  }
  return v;
}
static int64_t sext(uint64_t v, int n) { return (int64_t)(v << (64 - n)) >> (64 - n); }

// ---- reference model ----
static int idx_of(int o, int i) { return OFFSET + i * SI + o * SO + (o / GO) * SG; }

struct Params {
  std::vector<int> scale, bias;
  int shift;
};

static std::vector<int64_t> reference(const std::vector<int8_t>& w, const std::vector<int8_t>& x,
                                      const Params& pr) {
  std::vector<int64_t> y(OUT_N);
  const int64_t hi = (1LL << (OUT_W - 1)) - 1;
  const int64_t lo = RELU ? 0 : -(1LL << (OUT_W - 1));
  for (int o = 0; o < OUT_N; o++) {
    int64_t acc = 0;
    for (int i = 0; i < L; i++) {
      int n = idx_of(o, i);
      if (n < 0 || n >= IN_N) {
        fprintf(stderr, "bad test parameters: idx(%d,%d)=%d\n", o, i, n);
        exit(2);
      }
      acc += (int64_t)w[o * L + i] * x[n];
    }
    if (acc >= (1LL << (ACC_W - 1)) || acc < -(1LL << (ACC_W - 1))) {
      fprintf(stderr, "bad test parameters: ACC_W too small\n");
      exit(2);
    }
    int64_t rnd = pr.shift ? (1LL << (pr.shift - 1)) : 0;
    int64_t v = (acc * pr.scale[o] + pr.bias[o] + rnd) >> pr.shift;
    y[o] = v > hi ? hi : (v < lo ? lo : v);
  }
  return y;
}

// config image: byte n = a*WB + b, a = g*S + s, b = j*Q + q
static std::vector<uint32_t> image_of(const std::vector<int8_t>& w) {
  std::vector<uint8_t> bytes((size_t)DEPTH * WB, 0);
  for (int g = 0; g < G; g++)
    for (int s = 0; s < S; s++)
      for (int j = 0; j < P; j++)
        for (int q = 0; q < Q; q++) {
          int o = g * P + j, i = s * Q + q;
          if (o < OUT_N && i < L) bytes[(size_t)(g * S + s) * WB + j * Q + q] = (uint8_t)w[o * L + i];
        }
  std::vector<uint32_t> words(NWORDS);
  for (int k = 0; k < NWORDS; k++)
    words[k] = bytes[4 * k] | (bytes[4 * k + 1] << 8) | (bytes[4 * k + 2] << 16) |
               ((uint32_t)bytes[4 * k + 3] << 24);
  return words;
}

// ---- simulation ----
// The sideband as 32-bit words (SIDE_W may be wider than 64: a regular block's x1).
static const int SIDE_WORDS = (SIDE_W + 31) / 32;
typedef std::vector<uint32_t> Side;
struct Vec {
  std::vector<int8_t> x;
  Side side;
};
struct Exp {
  std::vector<int64_t> y;
  Side side;
};
template <class T>
static Side get_side(const T& p) {
  Side s(SIDE_WORDS);
  for (int k = 0; k < SIDE_WORDS; k++) {
    int n = SIDE_W - 32 * k < 32 ? SIDE_W - 32 * k : 32;
    s[k] = (uint32_t)get(p, 32 * k, n);
  }
  return s;
}
template <class T>
static void put_side(T& p, const Side& s) {
  for (int k = 0; k < SIDE_WORDS; k++) {
    int n = SIDE_W - 32 * k < 32 ? SIDE_W - 32 * k : 32;
    put(p, 32 * k, n, s[k]);
  }
}

static Vsf_mac_engine* top;
static uint64_t cycle = 0;
static void tick() {
  top->aclk = 1;
  top->eval();
  top->aclk = 0;
  top->eval();
  cycle++;
}

static Rng* rng;
static int8_t rand_i8() {
  switch (rng->below(6)) {
    case 0: return -128;
    case 1: return 127;
    default: return (int8_t)rng->below(256);
  }
}

static void set_params(const Params& pr) {
  for (int o = 0; o < OUT_N; o++) {
    put(top->scale, 16 * o, 16, (uint16_t)pr.scale[o]);
    put(top->bias, 32 * o, 32, (uint32_t)pr.bias[o]);
  }
  top->shift = pr.shift;
}

// One cfg access (engine idle or not): a one-clock request, cfg_wdata held until cfg_ack.
// An idle engine answers exactly 4 clocks after the request. Returns the read data.
static uint32_t cfg_access(bool we, uint32_t addr, uint32_t wdata) {
  top->cfg_req = 1;
  top->cfg_we = we;
  top->cfg_addr = addr;
  top->cfg_wdata = wdata;
  top->eval();
  CHECK(top->cfg_ack == 0, "cfg_ack before the request");
  tick();
  top->cfg_req = 0;
  top->cfg_we = !we;   // only sampled with cfg_req
  top->cfg_addr = ~addr;
  int waited = 1;
  top->eval();
  while (!top->cfg_ack && waited < DEPTH + 8) {
    tick();
    waited++;
    top->eval();
  }
  CHECK(top->cfg_ack == 1, "cfg_ack missing (addr %u)", addr);
  CHECK(waited == 5, "idle engine: cfg_ack %d clocks after the request, want 5", waited);
  uint32_t r = top->cfg_rdata;
  tick();
  top->eval();
  CHECK(top->cfg_ack == 0, "cfg_ack longer than one clock");
  return r;
}

// The configuration access in flight inside stream(): requested `cfg_age` clocks ago.
static bool cfg_busy = false, cfg_busy_read = false;
static int cfg_age = 0;
static uint32_t cfg_busy_exp = 0, cfg_busy_data = 0;

// Every output is a register: changing any input within a clock must not move an output.
static void check_registered_outputs() {
  const auto s_ready = top->s_ready, m_valid = top->m_valid, ack = top->cfg_ack;
  const auto rdata = top->cfg_rdata;
  std::vector<uint64_t> m(OUT_N);
  for (int o = 0; o < OUT_N; o++) m[o] = get(top->m_data, OUT_W * o, OUT_W);
  const Side side = get_side(top->m_side);
  const auto mr = top->m_ready, sv = top->s_valid, cr = top->cfg_req;
  top->m_ready = !mr;
  top->s_valid = !sv;
  top->cfg_req = !cr;
  top->eval();
  bool same = top->s_ready == s_ready && top->m_valid == m_valid && top->cfg_ack == ack &&
              top->cfg_rdata == rdata &&
              get_side(top->m_side) == side;
  for (int o = 0; o < OUT_N; o++) same = same && get(top->m_data, OUT_W * o, OUT_W) == m[o];
  CHECK(same, "an output changed with an input in the same clock (cycle %lu)",
        (unsigned long)cycle);
  top->m_ready = mr;
  top->s_valid = sv;
  top->cfg_req = cr;
  top->eval();
}

// Streams the vectors; returns the number of outputs checked.
struct StreamOpts {
  double p_valid, p_ready, p_cfg;
};
static long stream(const std::vector<int8_t>& w, const std::vector<uint32_t>& img, const Params& pr,
                   int nvec, const StreamOpts& op) {
  std::deque<Exp> expq;
  int sent = 0, got = 0;
  bool have = false;
  Vec cur;
  bool prev_mvalid_stall = false;
  std::vector<uint64_t> prev_m;
  Side prev_side(SIDE_WORDS);
  long guard = 0;
  while (got < nvec) {
    if (++guard > 200000L + (long)nvec * DEPTH * 40) {
      CHECK(false, "timeout: sent %d got %d", sent, got);
      return got;
    }
    // drive inputs
    if (!have && sent < nvec && rng->chance(op.p_valid)) {
      cur.x.resize(IN_N);
      for (auto& v : cur.x) v = rand_i8();
      cur.side.assign(SIDE_WORDS, 0);
      for (auto& v : cur.side) v = (uint32_t)rng->next();
      put_side(top->s_side, cur.side);
      cur.side = get_side(top->s_side);  // only SIDE_W bits
      have = true;
    }
    top->s_valid = have;
    if (have) {
      for (int n = 0; n < IN_N; n++) put(top->s_data, 8 * n, 8, (uint8_t)cur.x[n]);
      put_side(top->s_side, cur.side);
    }
    top->m_ready = rng->chance(op.p_ready);
    // one configuration access at a time: a one-clock request, cfg_wdata held until cfg_ack
    bool creq = !cfg_busy && rng->chance(op.p_cfg);
    top->cfg_req = creq;
    if (creq) {
      uint32_t caddr = rng->below(NWORDS);
      bool cwe = rng->chance(0.5);  // write the same value: weights unchanged
      top->cfg_we = cwe;
      top->cfg_addr = caddr;
      cfg_busy_data = rng->chance(0.5) ? img[caddr] : 0;
      top->cfg_wdata = cwe ? img[caddr] : cfg_busy_data;
      cfg_busy = true;
      cfg_busy_read = !cwe;
      cfg_busy_exp = img[caddr];
      cfg_age = 0;
    }
    top->eval();
    check_registered_outputs();
    // checks in this clock
    if (cfg_busy && !creq) {
      cfg_age++;
      if (cfg_age == 1) CHECK(!top->s_ready, "s_ready high while a cfg access waits");
      if (top->cfg_ack) {
        CHECK(cfg_age >= 5 && cfg_age <= DEPTH + 5, "cfg_ack after %d clocks", cfg_age);
        if (cfg_busy_read)
          CHECK(top->cfg_rdata == cfg_busy_exp, "cfg read in flight: got %08x want %08x",
                top->cfg_rdata, cfg_busy_exp);
        cfg_busy = false;
      } else {
        CHECK(cfg_age <= DEPTH + 5, "cfg_ack missing after %d clocks", cfg_age);
      }
    } else if (!creq) {
      CHECK(!top->cfg_ack, "cfg_ack without a request at cycle %lu", (unsigned long)cycle);
    }
    if (prev_mvalid_stall) {
      CHECK(top->m_valid, "m_valid dropped without handshake");
      bool same = get_side(top->m_side) == prev_side;
      for (int o = 0; o < OUT_N; o++) same = same && get(top->m_data, OUT_W * o, OUT_W) == prev_m[o];
      CHECK(same, "m_data/m_side changed while stalled");
    }
    if (top->m_valid && top->m_ready) {
      if (expq.empty()) {
        CHECK(false, "unexpected output");
      } else {
        Exp e = expq.front();
        expq.pop_front();
        for (int o = 0; o < OUT_N; o++) {
          int64_t v = sext(get(top->m_data, OUT_W * o, OUT_W), OUT_W);
          CHECK(v == e.y[o], "vector %d output %d: got %ld want %ld (shift %d)", got, o, (long)v,
                (long)e.y[o], pr.shift);
        }
        CHECK(get_side(top->m_side) == e.side, "vector %d side: got %08x want %08x (low word)",
              got, get_side(top->m_side)[0], e.side[0]);
      }
      got++;
    }
    prev_mvalid_stall = top->m_valid && !top->m_ready;
    if (prev_mvalid_stall) {
      prev_m.resize(OUT_N);
      for (int o = 0; o < OUT_N; o++) prev_m[o] = get(top->m_data, OUT_W * o, OUT_W);
      prev_side = get_side(top->m_side);
    }
    if (have && top->s_ready) {
      expq.push_back({reference(w, cur.x, pr), cur.side});
      have = false;
      sent++;
    }
    tick();
  }
  top->s_valid = 0;
  top->m_ready = 0;
  top->cfg_req = 0;
  top->eval();
  while (cfg_busy) {
    cfg_age++;
    if (top->cfg_ack) {
      if (cfg_busy_read) CHECK(top->cfg_rdata == cfg_busy_exp, "last cfg read");
      cfg_busy = false;
    } else if (cfg_age > DEPTH + 4) {
      CHECK(false, "cfg_ack missing after stream");
      cfg_busy = false;
    }
    tick();
    top->eval();
  }
  CHECK(expq.empty(), "results left over");
  return got;
}

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  uint32_t seed = 1;
  const char* sa = Verilated::commandArgsPlusMatch("seed=");
  if (sa && *sa) seed = (uint32_t)atoi(strchr(sa, '=') + 1);
  Rng r(seed);
  rng = &r;
  top = new Vsf_mac_engine;
  top->aclk = 0;
  top->aresetn = 0;
  top->s_valid = 0;
  top->m_ready = 0;
  top->cfg_req = 0;
  top->eval();
  for (int i = 0; i < 3; i++) tick();
  top->aresetn = 1;
  top->eval();
  tick();  // s_ready is a register: high one clock after reset
  top->eval();
  CHECK(!top->m_valid && !top->cfg_ack && top->s_ready, "reset state");

  // weights: random int8, extremes included
  std::vector<int8_t> w((size_t)OUT_N * L);
  for (auto& v : w) v = rand_i8();
  std::vector<uint32_t> img = image_of(w);
  // write all words (random order), then read back
  std::vector<int> order(NWORDS);
  for (int k = 0; k < NWORDS; k++) order[k] = k;
  for (int k = NWORDS - 1; k > 0; k--) std::swap(order[k], order[r.below(k + 1)]);
  for (int k : order) cfg_access(true, k, img[k]);
  for (int k = 0; k < NWORDS; k++) {
    uint32_t v = cfg_access(false, k, 0);
    CHECK(v == img[k], "readback word %d: got %08x want %08x", k, v, img[k]);
  }
  // out-of-range words: writes ignored, reads return 0
  if (NWORDS < (1L << CFG_WORD_AW)) {
    uint32_t k = NWORDS + r.below((uint32_t)((1L << CFG_WORD_AW) - NWORDS));
    cfg_access(true, k, 0xdeadbeef);
    CHECK(cfg_access(false, k, 0) == 0, "out-of-range read not 0");
    for (int k2 = 0; k2 < NWORDS; k2++)
      CHECK(cfg_access(false, k2, 0) == img[k2], "out-of-range write corrupted word %d", k2);
  }
  // accesses back to back: each request in the clock after the previous ack
  for (int k = 0; k < NWORDS; k++) {
    bool we = k % 2;
    uint32_t v = cfg_access(we, k, img[k]);
    if (!we) CHECK(v == img[k], "back-to-back read word %d", k);
  }

  long checked = 0;
  const int rounds = 6;
  for (int rd = 0; rd < rounds; rd++) {
    Params pr;
    pr.scale.resize(OUT_N);
    pr.bias.resize(OUT_N);
    int kind = rd % 3;
    pr.shift = rd == 1 ? 0 : rd == 2 ? 40 : (int)r.below(41);
    for (int o = 0; o < OUT_N; o++) {
      if (kind == 0) {
        pr.scale[o] = (int)r.below(65536) - 32768;
        pr.bias[o] = (int32_t)(uint32_t)r.next();
      } else if (kind == 1) {
        int c = r.below(4);
        pr.scale[o] = c == 0 ? -32768 : c == 1 ? 32767 : c == 2 ? 1 : (int)r.below(65536) - 32768;
        pr.bias[o] = (int)r.below(2001) - 1000;
      } else {
        pr.scale[o] = (int)r.below(512) - 256;
        int c = r.below(3);
        pr.bias[o] = c == 0 ? INT32_MIN : c == 1 ? INT32_MAX : (int)r.below(1 << 16) - (1 << 15);
      }
    }
    // moderate shifts in most rounds so that outputs are not all saturated
    if (rd >= 3) pr.shift = 8 + (int)r.below(14);
    set_params(pr);
    if (rd == 3) {
      // reprogram the weights between frames
      for (auto& v : w) v = rand_i8();
      img = image_of(w);
      for (int k = 0; k < NWORDS; k++) cfg_access(true, k, img[k]);
    }
    StreamOpts op;
    op.p_valid = (rd % 2) ? 0.3 : 0.9;
    op.p_ready = (rd % 3 == 2) ? 0.2 : 0.7;
    op.p_cfg = (rd == 4) ? 0.0 : 0.05;
    checked += stream(w, img, pr, 40, op);
  }

  // latency and sustained throughput: no gaps, m_ready high, no cfg
  {
    const int nvec = 24;
    std::vector<uint64_t> in_t, out_t;
    int sent = 0;
    std::vector<int8_t> x(IN_N);
    top->m_ready = 1;
    long guard = 0;
    while ((int)out_t.size() < nvec && ++guard < 100000L + (long)nvec * DEPTH * 4) {
      top->s_valid = sent < nvec;
      for (int n = 0; n < IN_N; n++) put(top->s_data, 8 * n, 8, (uint8_t)rand_i8());
      top->eval();
      if (top->m_valid) out_t.push_back(cycle);
      if (top->s_valid && top->s_ready) {
        in_t.push_back(cycle);
        sent++;
      }
      tick();
    }
    CHECK((int)out_t.size() == nvec, "throughput run incomplete");
    if ((int)out_t.size() == nvec) {
      uint64_t lat = out_t[0] - in_t[0];
      CHECK(lat == (uint64_t)LATENCY, "latency %lu, want G*S+LANE+NR+SEL+RQ_STAGES+2 = %d",
            (unsigned long)lat, LATENCY);
      uint64_t span = out_t[nvec - 1] - out_t[4];
      double cpv = (double)span / (nvec - 5);
      CHECK(span == (uint64_t)(nvec - 5) * DEPTH, "throughput %.3f clocks/vector, want G*S = %d",
            cpv, DEPTH);
      for (int k = 1; k < nvec; k++)
        CHECK(in_t[k] - in_t[k - 1] == (uint64_t)DEPTH, "input interval %lu", (unsigned long)(in_t[k] - in_t[k - 1]));
      printf("mac G=%d S=%d R=%d NR=%d: latency %lu clocks, %.3f clocks/vector\n", G, S, R, NR, (unsigned long)lat, cpv);
    }
    top->s_valid = 0;
    top->eval();
  }

  printf("mac IN_N=%d OUT_N=%d L=%d P=%d Q=%d OUT_W=%d RELU=%d: %ld vectors checked, cycles %lu\n",
         IN_N, OUT_N, L, P, Q, OUT_W, RELU, checked, (unsigned long)cycle);
  delete top;
  if (g_errors) {
    printf("FAIL (%d errors)\n", g_errors);
    return 1;
  }
  printf("PASS\n");
  return 0;
}
