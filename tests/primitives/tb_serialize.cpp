// Verilator testbench for sf_serialize (parameters via -G and -D TB_N, TB_W). Random vectors
// (values of W bits, all-zero / all-one extremes) with random s_first / s_last, random s_valid
// gaps and m_ready backpressure; then a back-to-back phase (valid and ready always high).
// Checks every beat against the accepted vectors (value n of the vector at beat n, value 0
// first), m_first only on beat 0 of a vector accepted with s_first, m_last only on beat N-1 of
// a vector accepted with s_last, AXI4-Stream output stability (data and flags), the ready rule
// (s_ready, a register, = at most one beat held after this clock's pop as of the previous clock,
// i.e. at most one beat held now), every output a register, latency 1 clock and the throughput
// of one beat per clock (a vector every N clocks, back to back).
#include <deque>
#include <memory>
#include "Vsf_serialize.h"
#include "tb_common.h"
#include "tb_ports.h"

static const int N = TB_N, W = TB_W;

struct Out {
  uint64_t v;
  bool first, last;
};

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  Rng rng(tb_seed(argc, argv));
  auto top = std::make_unique<Vsf_serialize>();
  auto tick = [&]() {
    top->aclk = 1; top->eval();
    top->aclk = 0; top->eval();
  };
  top->aresetn = 0; top->s_valid = 0; top->m_ready = 0; top->aclk = 0; top->eval();
  for (int i = 0; i < 3; i++) tick();
  top->aresetn = 1; top->eval();
  CHECK(!top->m_valid, "m_valid after reset");
  tick();
  top->eval();
  CHECK(top->s_ready, "s_ready low when empty");

  const uint64_t mask = W >= 64 ? ~0ull : ((1ull << W) - 1);
  auto rand_val = [&]() -> uint64_t {
    switch (rng.below(6)) {
      case 0: return 0;
      case 1: return mask;
      default: return rng.next() & mask;
    }
  };

  long beats = 0, vectors = 0, firsts = 0, lasts = 0;
  for (int phase = 0; phase < 6; phase++) {
    bool full_rate = phase == 5;
    double pv = full_rate ? 1.0 : 0.2 + 0.8 * rng.below(5) / 4.0;
    double pr = full_rate ? 1.0 : 0.2 + 0.8 * rng.below(5) / 4.0;
    const int nvec = full_rate ? 200 : 150;
    std::deque<Out> expect;
    std::vector<uint64_t> cur(N);
    bool have = false, cur_first = false, cur_last = false, prev_stall = false;
    Out prev{};
    int sent = 0, got = 0, cyc = 0, first_out = -1, first_in = -1;
    int in_reg = 0;  // beats held (model of the beat storage)
    while (got < nvec * N && cyc < 200000) {
      if (!have && sent < nvec && rng.chance(pv)) {
        for (auto& v : cur) v = rand_val();
        cur_first = rng.chance(0.5);
        cur_last = rng.chance(0.5);
        have = true;
      }
      top->s_valid = have;
      for (int n = 0; n < N; n++) port_put(top->s_data, W * n, W, cur[n]);
      top->s_first = cur_first;
      top->s_last = cur_last;
      top->m_ready = rng.chance(pr);
      top->eval();
      CHECK(top->m_valid == (in_reg > 0), "m_valid %d with %d beats held", top->m_valid, in_reg);
      CHECK(top->s_ready == (in_reg <= 1), "s_ready rule (%d beats held)", in_reg);
      {
        // every output is a register
        const uint32_t rdy = top->s_ready, mv = top->m_valid, mf = top->m_first,
                       ml = top->m_last;
        const uint64_t md = port_get(top->m_data, 0, W);
        top->m_ready = !top->m_ready;
        top->s_valid = !top->s_valid;
        top->eval();
        CHECK(top->s_ready == rdy && top->m_valid == mv && top->m_first == mf &&
                  top->m_last == ml && port_get(top->m_data, 0, W) == md,
              "an output changed with an input in the same clock");
        top->m_ready = !top->m_ready;
        top->s_valid = !top->s_valid;
        top->eval();
      }
      Out o{port_get(top->m_data, 0, W), (bool)top->m_first, (bool)top->m_last};
      if (prev_stall)
        CHECK(top->m_valid && o.v == prev.v && o.first == prev.first && o.last == prev.last,
              "output changed while stalled");
      if (top->m_valid && top->m_ready) {
        if (expect.empty()) {
          CHECK(false, "beat without vector");
        } else {
          Out e = expect.front();
          expect.pop_front();
          CHECK(o.v == e.v && o.first == e.first && o.last == e.last,
                "phase %d beat %d: got %lx f%d l%d want %lx f%d l%d", phase, got,
                (unsigned long)o.v, o.first, o.last, (unsigned long)e.v, e.first, e.last);
          firsts += e.first;
          lasts += e.last;
          if (first_out < 0) first_out = cyc;
          got++;
          beats++;
          in_reg--;
        }
      }
      prev_stall = top->m_valid && !top->m_ready;
      prev = o;
      if (have && top->s_ready) {
        for (int n = 0; n < N; n++)
          expect.push_back(Out{cur[n], cur_first && n == 0, cur_last && n == N - 1});
        CHECK(in_reg <= 1, "vector accepted over %d held beats", in_reg);
        in_reg += N;
        if (first_in < 0) first_in = cyc;
        have = false;
        sent++;
        vectors++;
      }
      tick();
      cyc++;
    }
    CHECK(got == nvec * N, "phase %d: %d of %d beats", phase, got, nvec * N);
    if (full_rate) {
      CHECK(first_out - first_in == 1, "latency %d, want 1", first_out - first_in);
      CHECK(cyc - first_out == nvec * N, "back to back: %d clocks for %d beats",
            cyc - first_out, nvec * N);
      printf("back to back: %d vectors, %d beats in %d clocks, latency %d\n", nvec, nvec * N,
             cyc - first_out, first_out - first_in);
    }
    top->s_valid = 0; top->m_ready = 1; top->eval(); tick();
    top->eval();
    CHECK(!top->m_valid, "not drained");
  }
  CHECK(firsts > 0 && lasts > 0, "flags not exercised");
  printf("sf_serialize N=%d W=%d: %ld vectors, %ld beats checked (%ld first, %ld last), "
         "%d errors\n", N, W, vectors, beats, firsts, lasts, g_errors);
  if (g_errors == 0) printf("PASS\n");
  top->final();
  return g_errors ? 1 : 0;
}
