// Verilator testbench of one generated folded stage (tests/fold_verilator.rs), through
// tb_fold_top (fixed 512-bit stream ports). The data file (+data=FILE) holds the stage's
// configuration words, its shifts and NF input frames with the expected output of each,
// computed by the golden model's operations.
// 1. Program the parameter memories (every word), read every word back.
// 2. Phase A: the first half of the frames with random s_valid gaps and m_ready
//    backpressure, and random configuration reads while the stage streams (they must wait
//    for a free clock and return the written value); every output pixel and marker checked.
// 3. Phase B: the other frames paced at one input pixel every PACE clocks (the rate the stage
//    sees in the model), no backpressure: every output checked and s_ready never low once the
//    first pixel is in.
#include <deque>
#include <memory>
#include <string>
#include <vector>
#include "Vtb_fold_top.h"
#include "verilated.h"
#include "tb_common.h"

struct Px {
  std::vector<uint32_t> b;  // bytes
};

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  uint64_t seed = 1;
  std::string path;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (a.rfind("+seed=", 0) == 0) seed = std::stoull(a.substr(6));
    if (a.rfind("+data=", 0) == 0) path = a.substr(6);
  }
  FILE* f = fopen(path.c_str(), "r");
  if (!f) {
    fprintf(stderr, "cannot open data file %s\n", path.c_str());
    return 2;
  }
  int inb, outb, W, H, WO, HO, pace, ncfg, nf;
  unsigned shifts;
  if (fscanf(f, "%d %d %d %d %d %d %d %d %d %x", &inb, &outb, &W, &H, &WO, &HO, &pace, &ncfg, &nf,
             &shifts) != 10) {
    fprintf(stderr, "bad header\n");
    return 2;
  }
  std::vector<std::pair<unsigned, unsigned>> cfg(ncfg);
  for (auto& c : cfg)
    if (fscanf(f, "%x %x", &c.first, &c.second) != 2) return 2;
  std::vector<std::vector<Px>> in(nf), out(nf);
  for (int k = 0; k < nf; k++) {
    in[k].resize(W * H);
    out[k].resize(WO * HO);
    for (auto& p : in[k]) {
      p.b.resize(inb);
      for (auto& v : p.b)
        if (fscanf(f, "%x", &v) != 1) return 2;
    }
    for (auto& p : out[k]) {
      p.b.resize(outb);
      for (auto& v : p.b)
        if (fscanf(f, "%x", &v) != 1) return 2;
    }
  }
  fclose(f);

  Rng rng(seed);
  auto top = std::make_unique<Vtb_fold_top>();
  long cycle = 0;
  auto edge = [&]() {
    top->aclk = 0;
    top->eval();
    top->aclk = 1;
    top->eval();
    cycle++;
  };
  top->aresetn = 0;
  top->s_valid = 0;
  top->m_ready = 0;
  top->cfg_req = 0;
  top->shifts = shifts;
  for (int i = 0; i < 4; i++) edge();
  top->aresetn = 1;

  // 1. program and read back
  auto access = [&](bool we, unsigned addr, unsigned data) -> unsigned {
    top->cfg_req = 1;
    top->cfg_we = we;
    top->cfg_addr = addr;
    top->cfg_wdata = data;
    edge();
    top->cfg_req = 0;
    for (int w = 0; w < 1000; w++) {
      top->aclk = 0;
      top->eval();
      if (top->cfg_ack) {
        unsigned r = top->cfg_rdata;
        edge();
        return r;
      }
      edge();
    }
    CHECK(false, "no cfg_ack for %s of word %u", we ? "write" : "read", addr);
    return 0;
  };
  for (auto& c : cfg) access(true, c.first, c.second);
  for (auto& c : cfg) {
    unsigned r = access(false, c.first, 0);
    CHECK(r == c.second, "readback of word %u: got %08x want %08x", c.first, r, c.second);
  }

  // 2 and 3: stream
  std::deque<std::pair<const Px*, bool>> inq;  // pixel, sof
  std::deque<std::pair<const Px*, int>> expq;  // pixel, index in frame
  int half = nf / 2 > 0 ? nf / 2 : 1;
  bool presenting = false;
  const Px* cur = nullptr;
  bool cur_sof = false;
  long stalls = 0, outs = 0, cfg_reads = 0;
  bool started_b = false;
  int since = 0;
  bool prev_stalled = false;
  std::vector<uint32_t> prev(outb);
  for (int phase = 0; phase < 2; phase++) {
    int f0 = phase == 0 ? 0 : half, f1 = phase == 0 ? half : nf;
    for (int k = f0; k < f1; k++) {
      for (int p = 0; p < W * H; p++) inq.push_back({&in[k][p], p == 0});
      for (int p = 0; p < WO * HO; p++) expq.push_back({&out[k][p], p});
    }
    double pv = 0.6 + 0.4 * (rng.below(2)), pr = 0.5 + 0.5 * rng.below(2);
    long limit = cycle + 200000 + (long)(f1 - f0) * W * H * pace * 4;
    int cfg_wait = -1;
    unsigned cfg_want = 0;
    while (!inq.empty() || presenting || !expq.empty()) {
      if (cycle > limit) {
        CHECK(false, "phase %d timed out with %zu inputs and %zu outputs outstanding", phase,
              inq.size(), expq.size());
        break;
      }
      bool v_ok = phase == 0 ? rng.chance(pv) : since >= pace - 1;
      if (!presenting && !inq.empty() && v_ok) {
        presenting = true;
        cur = inq.front().first;
        cur_sof = inq.front().second;
        inq.pop_front();
        since = 0;
      } else {
        since++;
      }
      top->s_valid = presenting;
      top->s_sof = presenting && cur_sof;
      if (presenting)
        for (int i = 0; i < inb; i++) set_bits(top->s_data, 8 * i, 8, cur->b[i]);
      bool mr = phase == 1 || rng.chance(pr);
      top->m_ready = mr;
      // random configuration reads while streaming (phase A)
      top->cfg_req = 0;
      bool issue = phase == 0 && ncfg > 0 && cfg_wait < 0 && rng.chance(0.01);
      if (issue) {
        auto& c = cfg[rng.below(ncfg)];
        top->cfg_req = 1;
        top->cfg_we = 0;
        top->cfg_addr = c.first;
        cfg_want = c.second;
      }
      top->aclk = 0;
      top->eval();
      if (cfg_wait >= 1 && top->cfg_ack) {
        CHECK(top->cfg_rdata == cfg_want, "streaming readback got %08x want %08x",
              (unsigned)top->cfg_rdata, cfg_want);
        cfg_wait = -1;
        cfg_reads++;
      } else if (cfg_wait >= 1) {
        cfg_wait++;
        CHECK(cfg_wait < 5000, "streaming configuration read never answered");
      }
      if (issue) cfg_wait = 1;
      std::vector<uint32_t> got(outb);
      for (int i = 0; i < outb; i++) got[i] = get_bits(top->m_data, 8 * i, 8);
      if (prev_stalled) CHECK(top->m_valid && got == prev, "output changed while stalled");
      prev_stalled = top->m_valid && !mr;
      prev = got;
      if (top->m_valid && mr) {
        if (expq.empty()) {
          CHECK(false, "unexpected output pixel");
        } else {
          const Px* e = expq.front().first;
          int idx = expq.front().second;
          bool sof = idx == 0, eol = (idx % WO) == WO - 1;
          bool ok = got == e->b && top->m_sof == sof && top->m_eol == eol;
          if (!ok) {
            int bad = 0;
            while (bad < outb && got[bad] == e->b[bad]) bad++;
            CHECK(false, "phase %d pixel %ld (r %d c %d): channel %d got %02x want %02x, "
                  "sof/eol %d%d want %d%d", phase, outs, idx / WO, idx % WO, bad,
                  bad < outb ? got[bad] : 0, bad < outb ? e->b[bad] : 0, top->m_sof,
                  top->m_eol, sof, eol);
          }
          expq.pop_front();
          outs++;
        }
      }
      if (presenting && top->s_ready) {
        presenting = false;
        if (phase == 1) started_b = true;
      } else if (presenting && phase == 1 && started_b) {
        stalls++;
      }
      top->aclk = 1;
      top->eval();
      cycle++;
    }
  }
  printf("fold: %ld output pixels checked, %ld streaming configuration reads, paced input "
         "stalls %ld, %ld cycles\n", outs, cfg_reads, stalls, cycle);
  CHECK(stalls == 0, "s_ready fell %ld times at the model's pixel rate", stalls);
  top->final();
  if (g_errors) {
    printf("tb_fold: %d errors\n", g_errors);
    return 1;
  }
  printf("tb_fold: PASS\n");
  return 0;
}
