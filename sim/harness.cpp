// semifreddo co-simulation harness: drives one generated top module under Verilator.
//
// Generic: everything design-specific (class name, port widths, output streams, debug taps,
// AXI4-Lite presence) comes from the generated header `sf_design.h` (see src/sim/header.rs).
// File formats and options are documented in docs/sim.md; in short:
//   stimulus / output beats: per beat a flags byte (bit0 tuser, bit1 tlast) then the data
//     bytes, little-endian; flags bit7 in the stimulus = "N idle cycles", N a u32 LE follows.
//   taps: per handshake a u64 LE cycle then the data bytes.
//   FIFO probes: each clock, every probed FIFO's `count` (peak, cycles full, cycles full with
//     `s_valid` high) -> `fifos` in stats.json.
//   config script: lines `W addr data [strb]`, `R addr expected [mask]`, `R? addr`,
//     `W? addr data`, `I cycles`, `Q cycles`, `@frame N` (following lines run before frame N),
//     `@end` (following lines run after the input and every expectation), `#` comments.
// Exit codes: 0 ok, 1 usage or I/O error, 2 deadlock, 3 AXI4-Lite check failed,
//   4 an output stream produced more beats than expected, 5 cycle limit reached.
#include <verilated.h>
#if VM_TRACE_FST
#include <verilated_fst_c.h>
#endif
#include "sf_design.h"

#include <chrono>
#include <cctype>
#include <cerrno>
#include <cinttypes>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace {

enum ExitCode { kOk = 0, kUsage = 1, kDeadlock = 2, kAxil = 3, kExtraBeats = 4, kCycleLimit = 5 };

[[noreturn]] void die(int code, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    std::fprintf(stderr, "sf_sim: ");
    std::vfprintf(stderr, fmt, ap);
    std::fprintf(stderr, "\n");
    va_end(ap);
    std::exit(code);
}

// xorshift64* : small, seeded, reproducible across platforms.
struct Rng {
    uint64_t s;
    explicit Rng(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ULL + 0x2545F4914F6CDD1DULL) {
        if (s == 0) s = 1;
    }
    uint64_t next() {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        return s * 0x2545F4914F6CDD1DULL;
    }
    // true with probability p
    bool chance(double p) {
        if (p <= 0.0) return false;
        if (p >= 1.0) return true;
        return (double)(next() >> 11) * (1.0 / 9007199254740992.0) < p;
    }
};

std::vector<uint8_t> read_file(const std::string& path) {
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) die(kUsage, "cannot open '%s': %s", path.c_str(), std::strerror(errno));
    std::vector<uint8_t> buf;
    uint8_t tmp[65536];
    size_t n;
    while ((n = std::fread(tmp, 1, sizeof tmp, f)) > 0) buf.insert(buf.end(), tmp, tmp + n);
    std::fclose(f);
    return buf;
}

void write_file(const std::string& path, const std::vector<uint8_t>& data) {
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) die(kUsage, "cannot write '%s': %s", path.c_str(), std::strerror(errno));
    if (!data.empty() && std::fwrite(data.data(), 1, data.size(), f) != data.size())
        die(kUsage, "short write to '%s'", path.c_str());
    std::fclose(f);
}

struct StimItem {
    bool idle;
    uint8_t flags;
    uint32_t idle_cycles;
    size_t offset;  // of the data bytes in the stimulus buffer
};

std::vector<StimItem> parse_stimulus(const std::vector<uint8_t>& buf, const std::string& path) {
    std::vector<StimItem> items;
    size_t i = 0;
    while (i < buf.size()) {
        uint8_t flags = buf[i];
        if (flags & 0x80) {
            if (i + 5 > buf.size()) die(kUsage, "%s: truncated idle marker at byte %zu", path.c_str(), i);
            uint32_t n = (uint32_t)buf[i + 1] | ((uint32_t)buf[i + 2] << 8) |
                         ((uint32_t)buf[i + 3] << 16) | ((uint32_t)buf[i + 4] << 24);
            items.push_back({true, flags, n, 0});
            i += 5;
        } else {
            if (flags & 0x7C)
                die(kUsage, "%s: reserved flag bits 0x%02x set at byte %zu", path.c_str(), flags, i);
            if (i + 1 + SF_IN_BYTES > buf.size())
                die(kUsage, "%s: truncated beat at byte %zu (a beat is 1 + %d bytes)", path.c_str(), i,
                    SF_IN_BYTES);
            items.push_back({false, flags, 0, i + 1});
            i += 1 + SF_IN_BYTES;
        }
    }
    return items;
}

struct AxilOp {
    char kind;       // 'W' write, 'R' read, 'I' idle cycles
    bool tolerant;   // W? / R?: any response accepted and printed
    bool check;      // R with expectation
    uint32_t addr, data, mask, strb, cycles;
    int line;
    std::string text;
};

struct ConfigScript {
    std::vector<AxilOp> before;                    // before streaming
    std::map<uint64_t, std::vector<AxilOp>> at_frame;  // before the tuser beat of frame N
    std::vector<AxilOp> at_end;                    // after the input and every expectation
};

uint32_t parse_hex(const std::string& s, const std::string& path, int line) {
    char* end = nullptr;
    errno = 0;
    unsigned long long v = std::strtoull(s.c_str(), &end, 16);
    if (s.empty() || *end != '\0' || errno != 0 || v > 0xFFFFFFFFULL)
        die(kUsage, "%s:%d: '%s' is not a 32-bit hex number", path.c_str(), line, s.c_str());
    return (uint32_t)v;
}

ConfigScript parse_config(const std::string& path) {
    ConfigScript cs;
    std::vector<uint8_t> raw = read_file(path);
    std::string text(raw.begin(), raw.end());
    std::vector<AxilOp>* cur = &cs.before;
    size_t pos = 0;
    int line_no = 0;
    while (pos <= text.size()) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string::npos) nl = text.size();
        std::string line = text.substr(pos, nl - pos);
        pos = nl + 1;
        line_no++;
        size_t hash = line.find('#');
        if (hash != std::string::npos) line = line.substr(0, hash);
        std::vector<std::string> tok;
        size_t p = 0;
        while (p < line.size()) {
            while (p < line.size() && std::isspace((unsigned char)line[p])) p++;
            size_t q = p;
            while (q < line.size() && !std::isspace((unsigned char)line[q])) q++;
            if (q > p) tok.push_back(line.substr(p, q - p));
            p = q;
        }
        if (tok.empty()) continue;
        AxilOp op{};
        op.line = line_no;
        op.mask = 0xFFFFFFFFu;
        op.strb = 0xF;
        std::string trimmed;
        for (size_t k = 0; k < tok.size(); k++) trimmed += (k ? " " : "") + tok[k];
        op.text = trimmed;
        const std::string& c = tok[0];
        if (c == "@end") {
            if (tok.size() != 1) die(kUsage, "%s:%d: expected '@end'", path.c_str(), line_no);
            cur = &cs.at_end;
            continue;
        } else if (c == "@frame") {
            if (tok.size() != 2) die(kUsage, "%s:%d: expected '@frame N'", path.c_str(), line_no);
            uint64_t n = std::strtoull(tok[1].c_str(), nullptr, 10);
            cur = &cs.at_frame[n];
            continue;
        } else if (c == "W" || c == "W?") {
            if (tok.size() != 3 && tok.size() != 4)
                die(kUsage, "%s:%d: expected 'W <addr> <data> [strb]' (hex)", path.c_str(), line_no);
            op.kind = 'W';
            op.tolerant = c == "W?";
            op.addr = parse_hex(tok[1], path, line_no);
            op.data = parse_hex(tok[2], path, line_no);
            if (tok.size() == 4) op.strb = parse_hex(tok[3], path, line_no) & 0xF;
        } else if (c == "R") {
            if (tok.size() != 3 && tok.size() != 4)
                die(kUsage, "%s:%d: expected 'R <addr> <expected> [mask]' (hex)", path.c_str(), line_no);
            op.kind = 'R';
            op.check = true;
            op.addr = parse_hex(tok[1], path, line_no);
            op.data = parse_hex(tok[2], path, line_no);
            if (tok.size() == 4) op.mask = parse_hex(tok[3], path, line_no);
        } else if (c == "R?") {
            if (tok.size() != 2) die(kUsage, "%s:%d: expected 'R? <addr>' (hex)", path.c_str(), line_no);
            op.kind = 'R';
            op.tolerant = true;
            op.addr = parse_hex(tok[1], path, line_no);
        } else if (c == "Q") {
            if (tok.size() != 2) die(kUsage, "%s:%d: expected 'Q <cycles>' (decimal)", path.c_str(), line_no);
            op.kind = 'Q';
            op.cycles = (uint32_t)std::strtoul(tok[1].c_str(), nullptr, 10);
        } else if (c == "I") {
            if (tok.size() != 2) die(kUsage, "%s:%d: expected 'I <cycles>' (decimal)", path.c_str(), line_no);
            op.kind = 'I';
            op.cycles = (uint32_t)std::strtoul(tok[1].c_str(), nullptr, 10);
        } else {
            die(kUsage, "%s:%d: unknown command '%s' (W, W?, R, R?, I, Q, @frame, @end)", path.c_str(), line_no,
                c.c_str());
        }
        cur->push_back(op);
    }
    return cs;
}

const char* resp_name(unsigned r) {
    static const char* names[] = {"OKAY", "EXOKAY", "SLVERR", "DECERR"};
    return names[r & 3];
}

struct OutStream {
    std::vector<uint8_t> rec;
    uint64_t beats = 0;
    int64_t expect = -1;
    int64_t first_cycle = -1;
    uint64_t stall_cycles = 0;
    std::vector<uint64_t> user_cycles, last_cycles;
    bool valid = false, ready = false;
};

// A measured FIFO: peak occupancy, cycles full, cycles full while its writer waited.
struct FifoRec {
    uint64_t peak = 0, peak_cycle = 0, full_cycles = 0, stalled_cycles = 0;
};

struct TapRec {
    std::vector<uint8_t> rec;
    uint64_t count = 0;
    bool valid = false, ready = false;
};

void json_u64_list(std::string& s, const std::vector<uint64_t>& v) {
    s += "[";
    for (size_t i = 0; i < v.size(); i++) {
        if (i) s += ",";
        s += std::to_string(v[i]);
    }
    s += "]";
}

}  // namespace

int main(int argc, char** argv) {
    std::string in_path, out_dir = ".", config_path, fst_path;
    uint64_t seed = 1, timeout = 10000, drain = 200, max_cycles = 0, reset_cycles = 8;
    double p_gap = 0.0, p_stall = 0.0;
    bool quiet = false;
    int64_t fst_from = -1, fst_to = -1;  // waveform window in cycles after reset
    std::map<std::string, int64_t> expects;

    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        if (!a.empty() && a[0] == '+') continue;  // Verilator plusargs
        auto val = [&](void) -> std::string {
            if (i + 1 >= argc) die(kUsage, "option %s needs a value", a.c_str());
            return argv[++i];
        };
        if (a == "--in") in_path = val();
        else if (a == "--out-dir") out_dir = val();
        else if (a == "--config") config_path = val();
        else if (a == "--fst") fst_path = val();
        else if (a == "--fst-from") fst_from = std::strtoll(val().c_str(), nullptr, 0);
        else if (a == "--fst-to") fst_to = std::strtoll(val().c_str(), nullptr, 0);
        else if (a == "--seed") seed = std::strtoull(val().c_str(), nullptr, 0);
        else if (a == "--p-gap") p_gap = std::atof(val().c_str());
        else if (a == "--p-stall") p_stall = std::atof(val().c_str());
        else if (a == "--timeout") timeout = std::strtoull(val().c_str(), nullptr, 0);
        else if (a == "--drain") drain = std::strtoull(val().c_str(), nullptr, 0);
        else if (a == "--max-cycles") max_cycles = std::strtoull(val().c_str(), nullptr, 0);
        else if (a == "--reset-cycles") reset_cycles = std::strtoull(val().c_str(), nullptr, 0);
        else if (a == "--quiet") quiet = true;
        else if (a == "--expect") {
            std::string e = val();
            size_t eq = e.find('=');
            if (eq == std::string::npos) die(kUsage, "--expect wants <prefix>=<beats>, got '%s'", e.c_str());
            expects[e.substr(0, eq)] = std::strtoll(e.c_str() + eq + 1, nullptr, 10);
        } else if (a == "--help" || a == "-h") {
            std::printf(
                "usage: sf_sim --in STIM [--out-dir DIR] [--config SCRIPT] [--seed N] [--p-gap P]\n"
                "              [--p-stall P] [--timeout N] [--drain N] [--expect PREFIX=BEATS]...\n"
                "              [--max-cycles N] [--reset-cycles N] [--fst FILE] [--fst-from CYCLE]\n"
                "              [--fst-to CYCLE] [--quiet]\n"
                "design: %s, input %d bytes, %d output stream(s), %d tap(s), %d FIFO probe(s), "
                "axi4-lite %s\n",
                SF_TOP_NAME, SF_IN_BYTES, SF_NUM_OUT, SF_NUM_TAPS, SF_NUM_FIFOS, SF_HAS_AXIL ? "yes" : "no");
            return 0;
        } else {
            die(kUsage, "unknown option '%s' (try --help)", a.c_str());
        }
    }
    if (in_path.empty()) die(kUsage, "--in <stimulus file> is required");

    std::vector<uint8_t> stim = read_file(in_path);
    std::vector<StimItem> items = parse_stimulus(stim, in_path);
    ConfigScript cfg;
    if (!config_path.empty()) cfg = parse_config(config_path);
#if !SF_HAS_AXIL
    if (!cfg.before.empty() || !cfg.at_frame.empty() || !cfg.at_end.empty())
        die(kUsage, "a config script was given but design '%s' has no AXI4-Lite port", SF_TOP_NAME);
#endif

    std::vector<OutStream> outs(SF_NUM_OUT);
    for (auto& kv : expects) {
        int idx = -1;
        for (int i = 0; i < SF_NUM_OUT; i++)
            if (kv.first == sf_out_name[i]) idx = i;
        if (idx < 0) die(kUsage, "--expect names unknown output stream '%s'", kv.first.c_str());
        outs[idx].expect = kv.second;
    }
    std::vector<TapRec> taps(SF_NUM_TAPS);
    std::vector<FifoRec> fifos(SF_NUM_FIFOS);

    auto ctx = std::make_unique<VerilatedContext>();
    ctx->commandArgs(argc, argv);
#if VM_TRACE_FST
    if (!fst_path.empty()) ctx->traceEverOn(true);
#endif
    auto top = std::make_unique<SF_TOP_CLASS>(ctx.get(), "TOP");
#if VM_TRACE_FST
    std::unique_ptr<VerilatedFstC> tfp;
    if (!fst_path.empty()) {
        tfp = std::make_unique<VerilatedFstC>();
        top->trace(tfp.get(), 99);
        tfp->open(fst_path.c_str());
        if (!tfp->isOpen()) die(kUsage, "cannot open waveform file '%s'", fst_path.c_str());
    }
#else
    if (!fst_path.empty())
        die(kUsage, "--fst given but this build has no tracing (build with waveform = true)");
#endif
    uint64_t sim_time = 0;
    bool dump_now = fst_from < 0;  // reset cycles are dumped only without --fst-from
    auto half_cycle = [&](int clk) {
        top->aclk = clk;
        top->eval();
#if VM_TRACE_FST
        if (tfp && dump_now) tfp->dump(sim_time);
#endif
        sim_time++;
    };

    // ---- reset: every input held at 0 ----
    const uint8_t zero_data[SF_IN_BYTES + 1] = {0};
    top->aresetn = 0;
    sf_in_set(top.get(), false, false, false, zero_data);
    for (int i = 0; i < SF_NUM_OUT; i++) sf_out_set_ready(top.get(), i, false);
#if SF_HAS_AXIL
    sf_axil_drive(top.get(), false, 0, false, 0, 0, false, false, 0, false);
#endif
    for (uint64_t c = 0; c < reset_cycles; c++) {
        half_cycle(0);
        half_cycle(1);
    }
    top->aresetn = 1;

    Rng rng(seed);
    auto t_start = std::chrono::steady_clock::now();

    // input driver state
    size_t ii = 0;            // next stimulus item
    bool in_valid = false;    // a beat is presented (never withdrawn until accepted)
    uint64_t idle_left = 0;   // idle cycles left from a stimulus marker
    uint64_t in_beats = 0, in_stalls = 0, frames_presented = 0;
    int64_t in_first_cycle = -1;
    std::vector<uint64_t> frame_cycles;
    bool in_ready_s = false;

    // AXI4-Lite engine state
    std::vector<AxilOp> section;  // the '@frame' section being run
    const std::vector<AxilOp>* ops = cfg.before.empty() ? nullptr : &cfg.before;
    size_t op_i = 0;
    bool op_active = false, aw_valid = false, w_valid = false, aw_done = false, w_done = false;
    bool ar_valid = false, ar_done = false, b_ready = false, r_ready = false;
    uint64_t op_wait = 0;
    std::string axil_reads;
    uint64_t axil_ops_done = 0;

    uint64_t cycle = 0, since_hs = 0, since_out_hs = 0;
    int status = kOk;
    std::string status_msg;

    for (;;) {
        dump_now = (fst_from < 0 || (int64_t)cycle >= fst_from) && (fst_to < 0 || (int64_t)cycle < fst_to);
        bool bus_waiting = false;  // an 'I' wait or stimulus idle marker: not a deadlock
        // ---- AXI4-Lite: choose this cycle's outputs ----
        bool axil_busy = ops != nullptr;
#if SF_HAS_AXIL
        if (ops && !op_active) {
            if (op_i >= ops->size()) {
                ops = nullptr;
                axil_busy = false;
            } else {
                const AxilOp& op = (*ops)[op_i];
                op_active = true;
                aw_valid = w_valid = aw_done = w_done = ar_valid = ar_done = false;
                op_wait = op.kind == 'I' ? op.cycles : 0;
            }
        }
        if (op_active) {
            const AxilOp& op = (*ops)[op_i];
            if (op.kind == 'W') {
                if (!aw_done && !aw_valid && !rng.chance(p_gap)) aw_valid = true;
                if (!w_done && !w_valid && !rng.chance(p_gap)) w_valid = true;
                b_ready = !rng.chance(p_stall);
                r_ready = false;
            } else if (op.kind == 'R') {
                if (!ar_done && !ar_valid && !rng.chance(p_gap)) ar_valid = true;
                r_ready = ar_done && !rng.chance(p_stall);
                b_ready = false;
            } else {
                bus_waiting = true;
            }
            sf_axil_drive(top.get(), aw_valid, op.addr, w_valid, op.data, op.strb, b_ready, ar_valid,
                          op.addr, r_ready);
        } else {
            sf_axil_drive(top.get(), false, 0, false, 0, 0, false, false, 0, false);
        }
#endif
        // ---- input stream: present the next beat unless a gap, idle marker or config gate ----
        if (!in_valid) {
            while (idle_left == 0 && ii < items.size() && items[ii].idle) {
                idle_left = items[ii].idle_cycles;
                ii++;
            }
            if (idle_left > 0) {
                idle_left--;
                bus_waiting = true;
            } else if (ii < items.size() && !axil_busy) {
                const StimItem& it = items[ii];
                bool gated = false;
                if (it.flags & 1) {
                    auto f = cfg.at_frame.find(frames_presented);
                    if (f != cfg.at_frame.end()) {
                        // run this frame's config section first (takes effect next cycle)
                        section.swap(f->second);
                        cfg.at_frame.erase(f);
                        if (!section.empty()) {
                            ops = &section;
                            op_i = 0;
                            op_active = false;
                            gated = true;
                        }
                    }
                }
                if (!gated && !rng.chance(p_gap)) {
                    in_valid = true;
                    if (it.flags & 1) frames_presented++;
                }
            }
        }
        if (in_valid) {
            const StimItem& it = items[ii];
            sf_in_set(top.get(), true, it.flags & 1, (it.flags >> 1) & 1, &stim[it.offset]);
        } else {
            sf_in_set(top.get(), false, false, false, zero_data);
        }
        // ---- outputs: random backpressure, independently per stream ----
        for (int i = 0; i < SF_NUM_OUT; i++) {
            outs[i].ready = !rng.chance(p_stall);
            sf_out_set_ready(top.get(), i, outs[i].ready);
        }

        // ---- settle combinational logic, sample every handshake ----
        half_cycle(0);
        bool any_hs = false, out_hs = false;
        in_ready_s = sf_in_ready(top.get());
        bool in_fire = in_valid && in_ready_s;
        if (in_valid && !in_ready_s) in_stalls++;
        uint8_t buf[SF_MAX_BYTES + 8];
        for (int i = 0; i < SF_NUM_OUT; i++) {
            OutStream& o = outs[i];
            o.valid = sf_out_valid(top.get(), i);
            if (o.valid && !o.ready) o.stall_cycles++;
            if (o.valid && o.ready) {
                bool u = sf_out_user(top.get(), i), l = sf_out_last(top.get(), i);
                o.rec.push_back((uint8_t)(u | (l << 1)));
                sf_out_data(top.get(), i, buf);
                o.rec.insert(o.rec.end(), buf, buf + sf_out_bytes[i]);
                if (o.first_cycle < 0) o.first_cycle = (int64_t)cycle;
                if (u) o.user_cycles.push_back(cycle);
                if (l) o.last_cycles.push_back(cycle);
                o.beats++;
                out_hs = true;
            }
        }
        for (int i = 0; i < SF_NUM_TAPS; i++) {
            TapRec& t = taps[i];
            t.valid = sf_tap_valid(top.get(), i);
            t.ready = sf_tap_ready(top.get(), i);
            if (t.valid && t.ready) {
                for (int k = 0; k < 8; k++) t.rec.push_back((uint8_t)(cycle >> (8 * k)));
                sf_tap_data(top.get(), i, buf);
                t.rec.insert(t.rec.end(), buf, buf + sf_tap_bytes[i]);
                t.count++;
            }
        }
        // FIFO probes: occupancy this cycle (a register), full, full with the writer waiting
        for (int i = 0; i < SF_NUM_FIFOS; i++) {
            FifoRec& f = fifos[i];
            uint64_t n = sf_fifo_count(top.get(), i);
            if (n > f.peak) {
                f.peak = n;
                f.peak_cycle = cycle;
            }
            if (n >= sf_fifo_depth[i]) {
                f.full_cycles++;
                if (sf_fifo_writer_valid(top.get(), i)) f.stalled_cycles++;
            }
        }
#if SF_HAS_AXIL
        bool op_finished = false;
        if (op_active) {
            const AxilOp& op = (*ops)[op_i];
            SF_TOP_CLASS* t = top.get();
            if (op.kind == 'W') {
                if (aw_valid && sf_axil_awready(t)) { aw_done = true; aw_valid = false; any_hs = true; }
                if (w_valid && sf_axil_wready(t)) { w_done = true; w_valid = false; any_hs = true; }
                if (b_ready && sf_axil_bvalid(t)) {
                    any_hs = true;
                    unsigned resp = sf_axil_bresp(t);
                    if (!(aw_done && w_done)) {
                        status = kAxil;
                        status_msg = "AXI4-Lite protocol error: bvalid before the address and data "
                                     "were accepted (config line " + std::to_string(op.line) + ")";
                    } else if (op.tolerant) {
                        if (!quiet)
                            std::printf("axil: %s -> %s\n", op.text.c_str(), resp_name(resp));
                    } else if (resp != 0) {
                        status = kAxil;
                        char m[256];
                        std::snprintf(m, sizeof m,
                                      "AXI4-Lite write failed at config line %d ('%s'): bresp %s",
                                      op.line, op.text.c_str(), resp_name(resp));
                        status_msg = m;
                    }
                    op_finished = true;
                }
            } else if (op.kind == 'R') {
                if (ar_valid && sf_axil_arready(t)) { ar_done = true; ar_valid = false; any_hs = true; }
                if (r_ready && sf_axil_rvalid(t)) {
                    any_hs = true;
                    uint32_t got = sf_axil_rdata(t);
                    unsigned resp = sf_axil_rresp(t);
                    char m[256];
                    std::snprintf(m, sizeof m, "%08x %08x %s %d\n", op.addr, got, resp_name(resp),
                                  op.line);
                    axil_reads += m;
                    if (op.tolerant) {
                        if (!quiet)
                            std::printf("axil: R 0x%08x = 0x%08x (%s)\n", op.addr, got, resp_name(resp));
                    } else if (resp != 0) {
                        status = kAxil;
                        std::snprintf(m, sizeof m,
                                      "AXI4-Lite read failed at config line %d ('%s'): rresp %s",
                                      op.line, op.text.c_str(), resp_name(resp));
                        status_msg = m;
                    } else if ((got & op.mask) != (op.data & op.mask)) {
                        status = kAxil;
                        std::snprintf(m, sizeof m,
                                      "AXI4-Lite readback mismatch at config line %d ('%s'): "
                                      "address 0x%08x expected 0x%08x, got 0x%08x (mask 0x%08x)",
                                      op.line, op.text.c_str(), op.addr, op.data, got, op.mask);
                        status_msg = m;
                    }
                    op_finished = true;
                }
            } else {
                if (op.kind == 'Q') {
                    if (since_out_hs >= op.cycles) op_finished = true;
                } else if (op_wait == 0) op_finished = true;
                else op_wait--;
            }
        }
#endif

        // ---- clock edge ----
        half_cycle(1);

        // ---- update driver state from the sampled handshakes ----
        if (in_fire) {
            const StimItem& it = items[ii];
            if (in_first_cycle < 0) in_first_cycle = (int64_t)cycle;
            if (it.flags & 1) frame_cycles.push_back(cycle);
            in_beats++;
            in_valid = false;
            ii++;
            any_hs = true;
        }
#if SF_HAS_AXIL
        if (op_finished) {
            op_active = false;
            op_i++;
            axil_ops_done++;
        }
#endif
        any_hs = any_hs || out_hs;
        cycle++;
        since_hs = (any_hs || bus_waiting) ? 0 : since_hs + 1;
        since_out_hs = out_hs ? 0 : since_out_hs + 1;
        if (status != kOk) break;

        bool inputs_done = ii >= items.size() && !in_valid && idle_left == 0 && ops == nullptr;
        bool outputs_done = true;
        for (auto& o : outs)
            if (o.expect >= 0 && (int64_t)o.beats < o.expect) outputs_done = false;
        for (int i = 0; i < SF_NUM_OUT && status == kOk; i++) {
            if (outs[i].expect >= 0 && (int64_t)outs[i].beats > outs[i].expect) {
                status = kExtraBeats;
                status_msg = std::string("output stream ") + sf_out_name[i] + " produced more beats than the " +
                             std::to_string(outs[i].expect) + " expected";
            }
        }
        if (status != kOk) break;
        if (inputs_done && outputs_done && !cfg.at_end.empty()) {
            // the '@end' section: e.g. read status registers after the last frame
            section.swap(cfg.at_end);
            cfg.at_end.clear();
            ops = &section;
            op_i = 0;
            op_active = false;
            since_hs = 0;
            continue;
        }
        if (inputs_done && outputs_done && since_out_hs >= drain) break;
        if (!(inputs_done && outputs_done) && since_hs >= timeout) {
            status = kDeadlock;
            char m[512];
            std::string s = "deadlock: no handshake on any interface for " + std::to_string(timeout) +
                            " cycles (at cycle " + std::to_string(cycle) + ") while work remains\n";
            size_t n_beats = 0;
            for (auto& it : items) n_beats += !it.idle;
            std::snprintf(m, sizeof m, "  s_axis: %" PRIu64 " of %zu beats accepted, tvalid=%d tready=%d%s\n",
                          in_beats, n_beats, (int)in_valid, (int)in_ready_s,
                          in_valid && !in_ready_s ? "  <- stuck (input not accepted)" : "");
            s += m;
            for (int i = 0; i < SF_NUM_OUT; i++) {
                const OutStream& o = outs[i];
                std::string exp = o.expect >= 0 ? std::to_string(o.expect) : std::string("?");
                bool stuck = o.expect >= 0 && (int64_t)o.beats < o.expect;
                std::snprintf(m, sizeof m, "  %s: %" PRIu64 " of %s beats, tvalid=%d tready=%d%s\n",
                              sf_out_name[i], o.beats, exp.c_str(), (int)o.valid, (int)o.ready,
                              stuck && !o.valid ? "  <- stuck (no tvalid)" : "");
                s += m;
            }
            for (int i = 0; i < SF_NUM_TAPS; i++) {
                std::snprintf(m, sizeof m, "  tap %s: %" PRIu64 " handshakes, valid=%d ready=%d%s\n",
                              sf_tap_name[i], taps[i].count, (int)taps[i].valid, (int)taps[i].ready,
                              taps[i].valid && !taps[i].ready ? "  <- blocked" : "");
                s += m;
            }
            if (ops) {
                std::snprintf(m, sizeof m, "  s_axil: waiting on config line %d ('%s')\n",
                              (*ops)[op_i < ops->size() ? op_i : 0].line,
                              (*ops)[op_i < ops->size() ? op_i : 0].text.c_str());
                s += m;
            }
            status_msg = s;
            break;
        }
        if (max_cycles && cycle >= max_cycles) {
            status = kCycleLimit;
            status_msg = "cycle limit " + std::to_string(max_cycles) + " reached";
            break;
        }
    }
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
    top->final();
#if VM_TRACE_FST
    if (tfp) tfp->close();
#endif

    // ---- write results (also on failure, for debugging) ----
    for (int i = 0; i < SF_NUM_OUT; i++)
        write_file(out_dir + "/" + sf_out_name[i] + ".bin", outs[i].rec);
    for (int i = 0; i < SF_NUM_TAPS; i++)
        write_file(out_dir + "/tap_" + sf_tap_name[i] + ".bin", taps[i].rec);
    write_file(out_dir + "/axil_reads.txt", std::vector<uint8_t>(axil_reads.begin(), axil_reads.end()));

    static const char* status_names[] = {"ok", "usage", "deadlock", "axil", "extra_beats", "cycle_limit"};
    std::string j = "{\n";
    j += "  \"status\": \"" + std::string(status_names[status]) + "\",\n";
    j += "  \"top\": \"" SF_TOP_NAME "\",\n";
    j += "  \"seed\": " + std::to_string(seed) + ",\n";
    j += "  \"reset_cycles\": " + std::to_string(reset_cycles) + ",\n";
    j += "  \"cycles\": " + std::to_string(cycle) + ",\n";
    j += "  \"in_beats\": " + std::to_string(in_beats) + ",\n";
    j += "  \"in_stall_cycles\": " + std::to_string(in_stalls) + ",\n";
    j += "  \"in_first_cycle\": " + (in_first_cycle < 0 ? std::string("null") : std::to_string(in_first_cycle)) + ",\n";
    j += "  \"frame_start_cycles\": ";
    json_u64_list(j, frame_cycles);
    j += ",\n  \"axil_ops\": " + std::to_string(axil_ops_done) + ",\n";
    j += "  \"streams\": {";
    for (int i = 0; i < SF_NUM_OUT; i++) {
        const OutStream& o = outs[i];
        j += i ? ",\n" : "\n";
        j += "    \"" + std::string(sf_out_name[i]) + "\": {\"beats\": " + std::to_string(o.beats);
        j += ", \"expected\": " + (o.expect < 0 ? std::string("null") : std::to_string(o.expect));
        j += ", \"first_cycle\": " + (o.first_cycle < 0 ? std::string("null") : std::to_string(o.first_cycle));
        j += ", \"stall_cycles\": " + std::to_string(o.stall_cycles);
        j += ", \"user_cycles\": ";
        json_u64_list(j, o.user_cycles);
        j += ", \"last_cycles\": ";
        json_u64_list(j, o.last_cycles);
        j += "}";
    }
    j += SF_NUM_OUT ? "\n  },\n" : "},\n";
    j += "  \"taps\": {";
    for (int i = 0; i < SF_NUM_TAPS; i++) {
        j += i ? ", " : "";
        j += "\"" + std::string(sf_tap_name[i]) + "\": " + std::to_string(taps[i].count);
    }
    j += "},\n";
    j += "  \"fifos\": {";
    for (int i = 0; i < SF_NUM_FIFOS; i++) {
        const FifoRec& f = fifos[i];
        j += i ? ",\n" : "\n";
        j += "    \"" + std::string(sf_fifo_name[i]) + "\": {\"depth\": " + std::to_string(sf_fifo_depth[i]);
        j += ", \"peak\": " + std::to_string(f.peak) + ", \"peak_cycle\": " + std::to_string(f.peak_cycle);
        j += ", \"full_cycles\": " + std::to_string(f.full_cycles);
        j += ", \"stalled_cycles\": " + std::to_string(f.stalled_cycles) + "}";
    }
    j += SF_NUM_FIFOS ? "\n  },\n" : "},\n";
    char m[128];
    std::snprintf(m, sizeof m, "  \"wall_seconds\": %.6f,\n  \"cycles_per_second\": %.1f\n", wall,
                  wall > 0 ? (double)cycle / wall : 0.0);
    j += m;
    j += "}\n";
    write_file(out_dir + "/stats.json", std::vector<uint8_t>(j.begin(), j.end()));

    if (status == kOk && !cfg.at_frame.empty())
        std::fprintf(stderr, "sf_sim: warning: config section '@frame %" PRIu64 "' never ran (only %" PRIu64
                     " frames)\n", cfg.at_frame.begin()->first, frames_presented);
    if (status != kOk) {
        std::fprintf(stderr, "sf_sim: %s\n", status_msg.c_str());
        return status;
    }
    if (!quiet)
        std::printf("sf_sim: ok, %" PRIu64 " cycles, %" PRIu64 " input beats, %.0f cycles/s\n", cycle,
                    in_beats, wall > 0 ? (double)cycle / wall : 0.0);
    return 0;
}
