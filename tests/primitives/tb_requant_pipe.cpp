// Verilator testbench for sf_requant_pipe (parameters via -G and the same values as -D TB_*):
// random samples with the extremes (acc at its limits, scale -32768 and 32767, bias at the
// int32 limits, shift 0 and 40) against a C++ model of SPEC §2 requant computed in 128 bits;
// random stalls (en = 0) and valid gaps; every result, its tag and its latency (STAGES clocks
// with en = 1) checked; parameters carried with the sample or held, per PARAMS_HELD; outputs
// are registers (no output moves when an input changes within a clock). With -DTB_EN_ONE=1
// en stays 1 (a free-running pipe, as a caller that ties en to 1 uses it).
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>

#include "Vsf_requant_pipe.h"
#include "tb_common.h"
#include "verilated.h"

static const int ACC_W = TB_ACC_W, OUT_W = TB_OUT_W, RELU = TB_RELU, STAGES = TB_STAGES;
static const int HELD = TB_PARAMS_HELD, TAG_W = TB_TAG_W;
static const bool BIAS_HELD = HELD & 1, SHIFT_HELD = (HELD >> 1) & 1;

static Vsf_requant_pipe* top;
static uint64_t cycle = 0;
static void tick() {
  top->aclk = 1;
  top->eval();
  top->aclk = 0;
  top->eval();
  cycle++;
}

// SPEC §2 requant in 128 bits: clamp((acc*m + b + rnd) >> s, lo, hi)
static int64_t reference(int64_t acc, int32_t m, int32_t b, int s) {
  __int128 v = (__int128)acc * m + b + (s ? ((__int128)1 << (s - 1)) : 0);
  v >>= s;  // arithmetic (floor)
  const int64_t hi = (1LL << (OUT_W - 1)) - 1;
  const int64_t lo = RELU ? 0 : -(1LL << (OUT_W - 1));
  return v > hi ? hi : (v < lo ? lo : (int64_t)v);
}

static Rng* rng;
static int64_t rand_acc() {
  const int64_t max = (int64_t)((1ULL << (ACC_W - 1)) - 1), min = -max - 1;
  switch (rng->below(8)) {
    case 0: return max;
    case 1: return min;
    case 2: return 0;
    case 3: return rng->chance(0.5) ? 1 : -1;
    default: {
      int64_t v = (int64_t)(rng->next() >> (64 - ACC_W));  // ACC_W random bits
      return (v << (64 - ACC_W)) >> (64 - ACC_W);           // sign-extended
    }
  }
}
static int32_t rand_scale() {
  switch (rng->below(6)) {
    case 0: return -32768;
    case 1: return 32767;
    case 2: return (int32_t)rng->below(3) - 1;
    default: return (int32_t)rng->below(65536) - 32768;
  }
}
static int32_t rand_bias() {
  switch (rng->below(6)) {
    case 0: return INT32_MIN;
    case 1: return INT32_MAX;
    case 2: return 0;
    default: return (int32_t)(uint32_t)rng->next();
  }
}
static int rand_shift() {
  switch (rng->below(5)) {
    case 0: return 0;
    case 1: return 40;
    default: return (int)rng->below(41);
  }
}

struct Exp {
  int64_t y;
  uint32_t tag;
  uint64_t en_clocks;  // clocks with en = 1 seen since the sample entered
};

static const uint64_t ACC_MASK = (ACC_W >= 64) ? ~0ULL : ((1ULL << ACC_W) - 1);

static void check_registered() {
  const uint64_t v = top->out_valid, y = top->y, t = top->out_tag;
  const auto en = top->en, iv = top->in_valid;
  const uint64_t acc = top->acc;
  top->en = !en;
  top->in_valid = !iv;
  top->acc = ~acc & ACC_MASK;
  top->eval();
  CHECK(top->out_valid == v && top->y == y && top->out_tag == t,
        "an output changed with an input in the same clock (cycle %lu)", (unsigned long)cycle);
  top->en = en;
  top->in_valid = iv;
  top->acc = acc;
  top->eval();
}

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  uint32_t seed = 1;
  const char* sa = Verilated::commandArgsPlusMatch("seed=");
  if (sa && *sa) seed = (uint32_t)atoi(strchr(sa, '=') + 1);
  Rng r(seed);
  rng = &r;
  top = new Vsf_requant_pipe;
  top->aclk = 0;
  top->aresetn = 0;
  top->en = 1;
  top->in_valid = 1;  // ignored during reset
  top->in_tag = (1u << TAG_W) - 1;
  top->eval();
  for (int i = 0; i < 3; i++) tick();
  top->aresetn = 1;
  top->in_valid = 0;
  top->eval();
  CHECK(!top->out_valid && top->out_tag == 0, "reset state");

  std::deque<Exp> q;
  long checked = 0, saturated = 0;
  const uint32_t tag_mask = TAG_W >= 32 ? 0xffffffffu : ((1u << TAG_W) - 1);
  // held parameters change only while the pipe is empty
  int32_t held_bias = rand_bias();
  int held_shift = rand_shift();
  for (int round = 0; round < 40; round++) {
    double p_valid = round % 3 == 0 ? 1.0 : 0.6, p_en = round % 4 == 1 ? 1.0 : 0.7;
#if defined(TB_EN_ONE) && TB_EN_ONE
    p_en = 1.0;
#endif
    for (int i = 0; i < 500; i++) {
      bool valid = rng->chance(p_valid), en = rng->chance(p_en);
      int64_t acc = rand_acc();
      int32_t m = rand_scale(), b = BIAS_HELD ? held_bias : rand_bias();
      int s = SHIFT_HELD ? held_shift : rand_shift();
      if (!SHIFT_HELD && rng->chance(0.5)) {
        // a shift that brings acc*m + b near the output range, so most results are not clamped
        __int128 p = (__int128)acc * m + b;
        if (p < 0) p = -p;
        int bits = 0;
        while (bits < 100 && ((__int128)1 << bits) <= p) bits++;
        s = bits - (OUT_W - 1) + (int)rng->below(3) - 1;
        s = s < 0 ? 0 : (s > 40 ? 40 : s);
      }
      uint32_t tag = (uint32_t)rng->next() & tag_mask;
      top->en = en;
      top->in_valid = valid;
      top->acc = (uint64_t)acc & ACC_MASK;
      top->scale = (uint16_t)m;
      top->bias = (uint32_t)b;
      top->shift = s;
      top->in_tag = tag;
      top->eval();
      check_registered();
      if (en) {
        if (top->out_valid) {
          CHECK(!q.empty(), "result without a sample");
          if (!q.empty()) {
            Exp e = q.front();
            q.pop_front();
            int64_t y = (int64_t)((uint64_t)top->y << (64 - OUT_W)) >> (64 - OUT_W);
            CHECK(y == e.y, "result %ld: got %ld want %ld", checked, (long)y, (long)e.y);
            CHECK(top->out_tag == e.tag, "tag: got %x want %x", top->out_tag, e.tag);
            CHECK(e.en_clocks == (uint64_t)STAGES, "latency %lu clocks of en, want %d",
                  (unsigned long)e.en_clocks, STAGES);
            const int64_t hi = (1LL << (OUT_W - 1)) - 1;
            if (e.y == hi || e.y == (RELU ? 0 : -hi - 1)) saturated++;
            checked++;
          }
        }
        for (auto& e : q) e.en_clocks++;
        if (valid) q.push_back({reference(acc, m, b, s), tag, 1});
      }
      tick();
    }
    // drain, then maybe change the held parameters
    top->in_valid = 0;
    top->en = 1;
    for (int i = 0; i < STAGES + 1; i++) {
      top->eval();
      if (top->out_valid && !q.empty()) {
        Exp e = q.front();
        q.pop_front();
        int64_t y = (int64_t)((uint64_t)top->y << (64 - OUT_W)) >> (64 - OUT_W);
        CHECK(y == e.y, "drain result: got %ld want %ld", (long)y, (long)e.y);
        CHECK(top->out_tag == e.tag, "drain tag");
        checked++;
      }
      for (auto& e : q) e.en_clocks++;
      tick();
    }
    CHECK(q.empty(), "results left in the pipe");
    q.clear();
    held_bias = rand_bias();
    held_shift = rand_shift();
  }
  printf("requant_pipe ACC_W=%d OUT_W=%d STAGES=%d PARAMS_HELD=%d: %ld results (%ld clamped)\n",
         ACC_W, OUT_W, STAGES, HELD, checked, saturated);
  delete top;
  if (g_errors) {
    printf("FAIL (%d errors)\n", g_errors);
    return 1;
  }
  printf("PASS\n");
  return 0;
}
