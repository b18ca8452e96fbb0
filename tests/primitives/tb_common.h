// Shared helpers for the semifreddo primitive testbenches (Verilator C++).
#pragma once
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

// Small deterministic PRNG (xorshift64*), so runs are reproducible from the seed.
struct Rng {
  uint64_t s;
  explicit Rng(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 1) {}
  uint64_t next() {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return s * 0x2545F4914F6CDD1Dull;
  }
  uint32_t below(uint32_t n) { return (uint32_t)(next() % n); }
  bool chance(double p) { return (double)(next() >> 11) * (1.0 / 9007199254740992.0) < p; }
};

// Read n (<= 32) bits at bit offset lo of a little-endian array of 32-bit words.
template <typename W>
static inline uint32_t get_bits(const W& w, int lo, int n) {
  uint64_t v = 0;
  int word = lo / 32, off = lo % 32;
  v = (uint64_t)w[word];
  if (off + n > 32) v |= (uint64_t)w[word + 1] << 32;
  v >>= off;
  return (uint32_t)(v & ((n == 32) ? 0xFFFFFFFFull : ((1ull << n) - 1)));
}

// Same for a port of at most 64 bits (Verilator maps it to an integer, not an array).
static inline uint32_t get_bits(uint64_t w, int lo, int n) {
  return (uint32_t)((w >> lo) & ((n == 32) ? 0xFFFFFFFFull : ((1ull << n) - 1)));
}

template <typename W>
static inline void set_bits(W& w, int lo, int n, uint32_t val) {
  for (int b = 0; b < n; b++) {
    int bit = lo + b;
    uint32_t m = 1u << (bit % 32);
    if ((val >> b) & 1) w[bit / 32] |= m; else w[bit / 32] &= ~m;
  }
}

static int g_errors = 0;
#define CHECK(cond, ...)                                   \
  do {                                                     \
    if (!(cond)) {                                         \
      if (g_errors < 20) {                                 \
        fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
        fprintf(stderr, __VA_ARGS__);                      \
        fprintf(stderr, "\n");                             \
      }                                                    \
      g_errors++;                                          \
    }                                                      \
  } while (0)
