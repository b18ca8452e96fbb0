// Verilator testbench for sf_axil_regbus (ADDR_W = 12, WR_LAT = 1, RD_LAT = 2) with a register
// side modelled here as the generated register block behaves: every answer is a register,
// valid from the clock after the request (the bus samples it WR_LAT / RD_LAT clocks after
// the request); word addresses below 0x400 are plain registers, 0x400..0x7ff a window
// answered with a wait state (ack 1..4 clocks after the sample), 0x800 and up unmapped
// (SLVERR; 0xc00.. unmapped windows: SLVERR after a wait). AXI4-Lite master with
// random AW/W/AR valid gaps and B/R ready stalls; a write stream and a read stream run
// concurrently on disjoint halves of each region, then read-back of everything written.
// Checks: responses and read data against a reference, at most one register-side access in
// progress, no request while one waits, addresses and write data held while waiting, AXI
// output stability while stalled, every output a register.
#include <map>
#include <memory>
#include "Vsf_axil_regbus.h"
#include "verilated.h"
#include "tb_common.h"

static bool is_window(uint32_t a) { return (a & 0x400) != 0; }
static bool is_mapped(uint32_t a) { return a < 0x800; }

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  uint64_t seed = 1;
  for (int i = 1; i < argc; i++)
    if (sscanf(argv[i], "+seed=%lu", &seed) == 1) {}
  Rng rng(seed);
  auto t = std::make_unique<Vsf_axil_regbus>();
  std::map<uint32_t, uint32_t> mem;  // register side contents (by word address)
  auto value = [&](uint32_t a) { return mem.count(a) ? mem[a] : (a * 0x9e3779b1u); };

  // register-side answers (registers, set in the clock after a request) and the wait state
  const int WR_LAT = 1, RD_LAT = 2;
  bool pend = false, pend_we = false;
  int pend_wait = 0, since_req = 0;
  uint32_t pend_addr = 0, pend_data = 0;
  bool a_wr_ok = false, a_wr_wait = false, a_rd_ok = false, a_rd_wait = false;
  uint32_t a_rd_data = 0;

  // AXI master state: a write stream (addresses with bit 4 = 0) and a read stream
  struct Op { uint32_t addr, data; bool active; };
  Op w{0, 0, false}, r{0, 0, false};
  bool aw_done = false, w_done = false, ar_done = false;
  std::map<uint32_t, uint32_t> ref;  // what the AXI side wrote to mapped addresses
  long writes = 0, reads = 0, waits = 0;
  bool prev_b_stall = false, prev_r_stall = false;
  uint32_t prev_bresp = 0, prev_rdata = 0, prev_rresp = 0;

  auto rand_addr = [&](bool write_half) {
    uint32_t region = rng.below(4);  // 0 regs, 1 window, 2 unmapped, 3 unmapped window
    uint32_t a = (region << 10) | (rng.below(16) << 2);
    a = (a & ~0x20u) | (write_half ? 0 : 0x20);
    return a;
  };

  t->aresetn = 0;
  t->aclk = 0; t->eval();
  for (int i = 0; i < 4; i++) { t->aclk = 1; t->eval(); t->aclk = 0; t->eval(); }
  t->aresetn = 1;

  const int OPS = 3000;
  int started_w = 0, started_r = 0;
  for (long cyc = 0; cyc < 200000 && (writes < OPS || reads < OPS); cyc++) {
    // start ops
    if (!w.active && started_w < OPS && rng.chance(0.5)) {
      w = Op{rand_addr(true), (uint32_t)rng.next(), true};
      aw_done = w_done = false;
      started_w++;
    }
    if (!r.active && started_r < OPS && rng.chance(0.5)) {
      // reads of the write half only once its writes are over (ordering is not defined)
      r = Op{rand_addr(started_w >= OPS && !w.active), 0, true};
      ar_done = false;
      started_r++;
    }
    t->s_axil_awvalid = w.active && !aw_done && rng.chance(0.7);
    t->s_axil_awaddr = w.addr;
    t->s_axil_wvalid = w.active && !w_done && rng.chance(0.7);
    t->s_axil_wdata = w.data;
    t->s_axil_wstrb = 0xf;
    t->s_axil_bready = rng.chance(0.6);
    t->s_axil_arvalid = r.active && !ar_done && rng.chance(0.7);
    t->s_axil_araddr = r.addr;
    t->s_axil_rready = rng.chance(0.6);
    t->s_axil_awprot = 0; t->s_axil_arprot = 0;
    // register side: registered answers
    t->wr_wait = a_wr_wait;
    t->rd_wait = a_rd_wait;
    t->wr_ok = a_wr_ok;
    t->rd_ok = a_rd_ok;
    t->rd_data = a_rd_data;
    t->ack = 0;
    t->eval();
    uint32_t wa = t->wr_addr, ra = t->rd_addr;
    // ack only after the bus sampled the wait flag (LAT clocks after the request; since_req
    // counts the clocks after it, 0 in the clock after the request)
    bool ack_now = pend && since_req >= (pend_we ? WR_LAT : RD_LAT) && pend_wait == 0;
    if (pend) {
      CHECK(!t->wr_en && !t->rd_en, "request while another one waits");
      if (pend_we) CHECK(wa == pend_addr && t->wr_data == pend_data, "write not held");
      else CHECK(ra == pend_addr, "read address not held");
    }
    CHECK(!(t->wr_en && t->rd_en), "read and write requests in one clock");
    t->ack = ack_now;
    t->eval();
    {
      // every output is a register: flipping the inputs within the clock moves none
      const uint32_t o1 = t->s_axil_awready, o2 = t->s_axil_wready, o3 = t->s_axil_arready,
                     o4 = t->s_axil_bvalid, o5 = t->s_axil_rvalid, o6 = t->s_axil_rdata,
                     o7 = t->wr_en, o8 = t->rd_en, o9 = t->wr_addr, o10 = t->rd_addr;
      t->s_axil_awvalid ^= 1; t->s_axil_wvalid ^= 1; t->s_axil_arvalid ^= 1;
      t->s_axil_bready ^= 1; t->s_axil_rready ^= 1; t->ack ^= 1; t->wr_wait ^= 1;
      t->rd_wait ^= 1;
      t->eval();
      CHECK(o1 == t->s_axil_awready && o2 == t->s_axil_wready && o3 == t->s_axil_arready &&
                o4 == t->s_axil_bvalid && o5 == t->s_axil_rvalid && o6 == t->s_axil_rdata &&
                o7 == t->wr_en && o8 == t->rd_en && o9 == t->wr_addr && o10 == t->rd_addr,
            "an output changed with an input in the same clock");
      t->s_axil_awvalid ^= 1; t->s_axil_wvalid ^= 1; t->s_axil_arvalid ^= 1;
      t->s_axil_bready ^= 1; t->s_axil_rready ^= 1; t->ack ^= 1; t->wr_wait ^= 1;
      t->rd_wait ^= 1;
      t->eval();
    }
    // AXI output stability
    if (prev_b_stall) CHECK(t->s_axil_bvalid && t->s_axil_bresp == prev_bresp, "B changed");
    if (prev_r_stall)
      CHECK(t->s_axil_rvalid && t->s_axil_rdata == prev_rdata && t->s_axil_rresp == prev_rresp,
            "R changed");
    prev_b_stall = t->s_axil_bvalid && !t->s_axil_bready;
    prev_r_stall = t->s_axil_rvalid && !t->s_axil_rready;
    prev_bresp = t->s_axil_bresp; prev_rdata = t->s_axil_rdata; prev_rresp = t->s_axil_rresp;
    // sample handshakes
    bool aw_hs = t->s_axil_awvalid && t->s_axil_awready;
    bool w_hs = t->s_axil_wvalid && t->s_axil_wready;
    bool ar_hs = t->s_axil_arvalid && t->s_axil_arready;
    bool b_hs = t->s_axil_bvalid && t->s_axil_bready;
    bool r_hs = t->s_axil_rvalid && t->s_axil_rready;
    if (b_hs) {
      CHECK(w.active && aw_done && w_done, "B without a write");
      uint32_t want = is_mapped(w.addr) ? 0 : 2;
      CHECK(t->s_axil_bresp == want, "write %03x: bresp %u want %u", w.addr, t->s_axil_bresp,
            want);
      if (is_mapped(w.addr)) ref[w.addr] = w.data;
      w.active = false;
      writes++;
    }
    if (r_hs) {
      CHECK(r.active && ar_done, "R without a read");
      uint32_t want_resp = is_mapped(r.addr) ? 0 : 2;
      uint32_t want = is_mapped(r.addr) ? (ref.count(r.addr) ? ref[r.addr] : value(r.addr)) : 0;
      CHECK(t->s_axil_rresp == want_resp && t->s_axil_rdata == want,
            "read %03x: %08x/%u want %08x/%u", r.addr, t->s_axil_rdata, t->s_axil_rresp, want,
            want_resp);
      r.active = false;
      reads++;
    }
    // register side state update (the clock edge)
    if (pend) {
      if (ack_now) {
        if (pend_we && is_mapped(pend_addr)) mem[pend_addr] = pend_data;
        pend = false;
      } else if (since_req >= (pend_we ? WR_LAT : RD_LAT)) {
        pend_wait--;
      }
    } else if (t->wr_en || t->rd_en) {
      bool we = t->wr_en;
      uint32_t a = we ? wa : ra;
      since_req = -1;  // 0 in the clock after the request
      // the answers of this request, from the next clock on
      if (we) {
        a_wr_wait = is_window(a);
        a_wr_ok = is_mapped(a) && t->wr_strb == 0xf;
      } else {
        a_rd_wait = is_window(a);
        a_rd_ok = is_mapped(a);
        a_rd_data = is_mapped(a) ? value(a) : 0;
      }
      if (is_window(a)) {
        pend = true; pend_we = we; pend_addr = a; pend_data = t->wr_data;
        pend_wait = (int)rng.below(4);  // ack 1..4 clocks after the sample
        waits++;
      } else if (we && is_mapped(a) && t->wr_strb == 0xf) {
        mem[a] = t->wr_data;
      }
    }
    since_req++;
    if (aw_hs) aw_done = true;
    if (w_hs) w_done = true;
    if (ar_hs) ar_done = true;
    t->aclk = 1; t->eval(); t->aclk = 0; t->eval();
  }
  CHECK(writes == OPS && reads == OPS, "%ld writes, %ld reads completed", writes, reads);
  printf("sf_axil_regbus: %ld writes, %ld reads, %ld waited accesses, %d errors\n", writes,
         reads, waits, g_errors);
  if (g_errors == 0) printf("PASS\n");
  t->final();
  return g_errors ? 1 : 0;
}
