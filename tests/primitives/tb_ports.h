// Port helpers for Verilator testbenches whose port widths depend on parameters: a port of
// at most 64 bits is an integral type, a wider one a VlWide. port_put / port_get address a bit
// field (n <= 64 bits at bit offset lo) the same way in both.
#pragma once
#include <cstdint>
#include <cstdio>
#include "verilated.h"

template <class T>
static void port_put(T& p, int lo, int n, uint64_t v) {
  uint64_t m = (n >= 64) ? ~0ull : ((1ull << n) - 1);
  p = (T)(((uint64_t)p & ~(m << lo)) | ((v & m) << lo));
}
template <std::size_t N>
static void port_put(VlWide<N>& p, int lo, int n, uint64_t v) {
  for (int b = 0; b < n; b++) {
    int bit = lo + b;
    uint32_t m = 1u << (bit % 32);
    if ((v >> b) & 1) p[bit / 32] |= m; else p[bit / 32] &= ~m;
  }
}
template <class T>
static uint64_t port_get(const T& p, int lo, int n) {
  uint64_t m = (n >= 64) ? ~0ull : ((1ull << n) - 1);
  return ((uint64_t)p >> lo) & m;
}
template <std::size_t N>
static uint64_t port_get(const VlWide<N>& p, int lo, int n) {
  uint64_t v = 0;
  for (int b = 0; b < n; b++) {
    int bit = lo + b;
    v |= (uint64_t)((p[bit / 32] >> (bit % 32)) & 1) << b;
  }
  return v;
}
static inline int64_t sext64(uint64_t v, int n) {
  return n >= 64 ? (int64_t)v : (int64_t)(v << (64 - n)) >> (64 - n);
}
static inline uint64_t tb_seed(int argc, char** argv) {
  uint64_t seed = 1;
  for (int i = 1; i < argc; i++)
    if (sscanf(argv[i], "+seed=%lu", &seed) == 1) {}
  return seed;
}
