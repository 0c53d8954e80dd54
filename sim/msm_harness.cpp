// Verilator harness for a Pippenger MSM core, through the simulation wrapper of
// src/sim/msm-sim.ts, whose ports are
//   clk, rst, in_valid, in_ready, in_last, in_data, out_valid, out_ready, out_data, done,
//   phase[3], stat_issue, wb_valid, wb_tag, wb_data
// (in_data = {point, scalar}, out_data = the result point, wb_* = the adder's write-back).
// The model comes from -DTOP_CLASS=Vfoo -DTOP_HEADER='"Vfoo.h"'.
//
// Input file: one pair per line, `GAP LAST HEX`: the pair is offered GAP cycles after the
// previous pair was taken (the first pair of an MSM: GAP cycles after the previous MSM's
// result was taken, or after reset), held until taken; LAST is 1 on an MSM's last pair.
// out_ready is low in a cycle with the stall probability.
//
// Checks: phase is 0..4; in_ready only in phase 1; out_valid only in phase 4 and exactly
// once per MSM whose pairs all went in; done exactly in the cycle after each result was
// taken; progress (nothing in or out for --timeout-cycles is a hang).
//
// Per MSM it reports (`STATS m key=value ...`): first = cycle of its first handshake;
// acc = cycles in phase 1 from that handshake on; red, comb = cycles in phases 2, 3;
// outwait = cycles with out_valid before the result was taken; adds_acc, adds_red, adds_comb
// = stat_issue cycles in each phase. Then `OK msms=M cycles=C sim_seconds=S`. Results go to
// --out (one hex out_data per MSM). With --wb FILE (and --wb-msm M), every write-back of
// that MSM is written as `CYCLE PHASE TAG HEX`, CYCLE counted from the MSM's first handshake.
// With --wave FILE, a VCD of cycles --wave-from..--wave-to. Exit 0 when the run kept the
// contract, 1 on a protocol failure (report on stderr, WAVEFORM line when one was written),
// 2 on bad usage or input.
//
// Timing convention (as sim/pipeline_harness.cpp): cycle c spans simulation time
// [10c, 10c+10); inputs change and outputs are sampled at 10c, the rising edge is at 10c+5.

#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "verilated.h"
#include "vcd_support.h"

#ifndef TOP_CLASS
#error "define TOP_CLASS (the Verilated model class, e.g. -DTOP_CLASS=Vfoo)"
#endif
#ifndef TOP_HEADER
#error "define TOP_HEADER (e.g. -DTOP_HEADER='\"Vfoo.h\"')"
#endif
#include TOP_HEADER
#include "harness_support.h"

namespace {

using zkrtl::PortInfo;
using zkrtl::PortT;
using zkrtl::Rng;
using zkrtl::getPort;
using zkrtl::parseHex;
using zkrtl::setPort;
using zkrtl::toHex;

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
constexpr uint64_t kResetCycles = 4;

[[noreturn]] void usageError(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    std::fputs("msm_harness: error: ", stderr);
    std::vfprintf(stderr, fmt, ap);
    std::fputc('\n', stderr);
    va_end(ap);
    std::exit(kExitUsage);
}

using InPort = PortT<decltype(std::declval<TOP_CLASS&>().in_data)>;
using OutPort = PortT<decltype(std::declval<TOP_CLASS&>().out_data)>;
using TagPort = PortT<decltype(std::declval<TOP_CLASS&>().wb_tag)>;
constexpr unsigned kInWords = PortInfo<InPort>::words;
constexpr unsigned kOutWords = PortInfo<OutPort>::words;
constexpr unsigned kTagWords = PortInfo<TagPort>::words;

struct Pair {
    uint64_t gap;
    bool last;
    std::vector<uint32_t> data;
};

struct Options {
    std::string inputPath, outPath, wbPath, wavePath, commandLine;
    unsigned inWidth = 0;
    double stall = 0.0;
    uint64_t seed = 1, timeout = 2000000, waveFrom = 0, waveTo = UINT64_MAX;
    long wbMsm = -1;
};

uint64_t parseU64(const char* name, const char* v) {
    char* end = nullptr;
    errno = 0;
    const unsigned long long x = std::strtoull(v, &end, 10);
    if (*v == 0 || *v == '-' || *end || errno) usageError("%s must be a non-negative integer, got '%s'", name, v);
    return x;
}

Options parseArgs(int argc, char** argv) {
    Options o;
    for (int i = 0; i < argc; ++i) o.commandLine += (i ? " " : "") + std::string(argv[i]);
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (i + 1 >= argc) usageError("%s needs a value", a.c_str());
        const char* v = argv[++i];
        if (a == "--input") o.inputPath = v;
        else if (a == "--out") o.outPath = v;
        else if (a == "--wb") o.wbPath = v;
        else if (a == "--wb-msm") o.wbMsm = static_cast<long>(parseU64(a.c_str(), v));
        else if (a == "--wave") o.wavePath = v;
        else if (a == "--wave-from") o.waveFrom = parseU64(a.c_str(), v);
        else if (a == "--wave-to") o.waveTo = parseU64(a.c_str(), v);
        else if (a == "--in-width") o.inWidth = static_cast<unsigned>(parseU64(a.c_str(), v));
        else if (a == "--seed") o.seed = parseU64(a.c_str(), v);
        else if (a == "--timeout-cycles") o.timeout = parseU64(a.c_str(), v);
        else if (a == "--stall") {
            char* end = nullptr;
            o.stall = std::strtod(v, &end);
            if (*v == 0 || *end || !(o.stall >= 0.0 && o.stall < 1.0)) usageError("--stall must be a probability in [0, 1), got '%s'", v);
        } else usageError("unknown option '%s'", a.c_str());
    }
    if (o.inputPath.empty()) usageError("--input FILE is required");
    if (o.inWidth == 0) usageError("--in-width BITS is required");
    return o;
}

std::vector<Pair> readPairs(const Options& o) {
    FILE* f = std::fopen(o.inputPath.c_str(), "rb");
    if (!f) usageError("cannot read %s: %s", o.inputPath.c_str(), std::strerror(errno));
    std::vector<Pair> pairs;
    char* line = nullptr;
    size_t cap = 0;
    ssize_t len;
    long lineNo = 0;
    while ((len = getline(&line, &cap, f)) >= 0) {
        ++lineNo;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = 0;
        if (len == 0) continue;
        char* p = line;
        char* end = nullptr;
        Pair pr;
        pr.gap = std::strtoull(p, &end, 10);
        if (end == p || *end != ' ') usageError("%s:%ld: expected 'GAP LAST HEX'", o.inputPath.c_str(), lineNo);
        p = end + 1;
        if ((*p != '0' && *p != '1') || p[1] != ' ') usageError("%s:%ld: LAST must be 0 or 1", o.inputPath.c_str(), lineNo);
        pr.last = *p == '1';
        p += 2;
        pr.data.assign(kInWords, 0);
        if (!parseHex(p, std::strlen(p), o.inWidth, pr.data.data(), kInWords))
            usageError("%s:%ld: '%s' is not hex of at most %u bits", o.inputPath.c_str(), lineNo, p, o.inWidth);
        pairs.push_back(std::move(pr));
    }
    std::free(line);
    std::fclose(f);
    if (pairs.empty() || !pairs.back().last) usageError("%s: the last pair must have LAST = 1", o.inputPath.c_str());
    return pairs;
}

struct MsmLog {
    uint64_t first = UINT64_MAX, acc = 0, red = 0, comb = 0, outwait = 0, addsAcc = 0, addsRed = 0, addsComb = 0;
};

}  // namespace

int main(int argc, char** argv) {
    const Options opt = parseArgs(argc, argv);
    const std::vector<Pair> pairs = readPairs(opt);
    std::size_t msms = 0;
    for (const Pair& p : pairs) msms += p.last ? 1 : 0;

    auto ctx = std::make_unique<VerilatedContext>();
    ctx->traceEverOn(!opt.wavePath.empty());
    auto top = std::make_unique<TOP_CLASS>(ctx.get());
    std::unique_ptr<VerilatedVcdC> vcd;
    if (!opt.wavePath.empty()) {
        vcd = std::make_unique<VerilatedVcdC>();
        ZKRTL_TRACE(top, vcd.get());
    }
    bool vcdOpen = false;
    auto dump = [&](uint64_t cycle, uint64_t t) {
        if (!vcd) return;
        if (cycle >= opt.waveFrom && cycle <= opt.waveTo) {
            if (!vcdOpen) {
                vcd->open(opt.wavePath.c_str());
                vcdOpen = true;
            }
            vcd->dump(t);
        }
    };
    FILE* wb = nullptr;
    if (!opt.wbPath.empty()) {
        wb = std::fopen(opt.wbPath.c_str(), "wb");
        if (!wb) usageError("cannot write %s: %s", opt.wbPath.c_str(), std::strerror(errno));
    }

    Rng stallRng(opt.seed * 2 + 1), garbage(opt.seed * 2 + 2);
    std::vector<MsmLog> logs(msms);
    std::vector<std::vector<uint32_t>> results;
    std::size_t next = 0, inMsm = 0, outMsm = 0;
    uint64_t offerAt = kResetCycles, lastProgress = 0, doneDue = UINT64_MAX;
    std::string failure;
    uint32_t inBuf[kInWords], outBuf[kOutWords], tagBuf[kTagWords];
    const auto t0 = std::chrono::steady_clock::now();
    uint64_t cycle = 0;
    top->clk = 0;
    for (;; ++cycle) {
        const bool inReset = cycle < kResetCycles;
        top->rst = inReset;
        const bool offering = !inReset && next < pairs.size() && inMsm == outMsm && cycle >= offerAt;
        if (offering) {
            setPort(top->in_data, pairs[next].data.data());
            top->in_valid = 1;
            top->in_last = pairs[next].last;
        } else {
            for (unsigned i = 0; i < kInWords; ++i) inBuf[i] = static_cast<uint32_t>(garbage.next());
            for (unsigned i = 0; i < kInWords; ++i) if (32 * i >= opt.inWidth) inBuf[i] = 0; else if (opt.inWidth - 32 * i < 32) inBuf[i] &= (1u << (opt.inWidth - 32 * i)) - 1u;
            setPort(top->in_data, inBuf);
            top->in_valid = 0;
            top->in_last = static_cast<CData>(garbage.next() & 1);
        }
        top->out_ready = inReset ? 0 : (opt.stall > 0.0 && stallRng.unit() < opt.stall) ? 0 : 1;
        top->clk = 0;
        top->eval();
        dump(cycle, ctx->time());

        if (!inReset) {
            const unsigned ph = top->phase;
            char buf[256];
            if (ph > 4) {
                std::snprintf(buf, sizeof buf, "phase = %u (0..4 exist)", ph);
                failure = buf;
            }
            const bool inFire = offering && top->in_ready;
            if (top->in_ready && ph != 1 && failure.empty()) {
                std::snprintf(buf, sizeof buf, "in_ready high in phase %u (only phase 1 accepts pairs)", ph);
                failure = buf;
            }
            if (outMsm < msms) {
                MsmLog& lg = logs[outMsm];
                if (lg.first != UINT64_MAX || inFire) {
                    if (ph == 1) ++lg.acc;
                    else if (ph == 2) ++lg.red;
                    else if (ph == 3) ++lg.comb;
                    if (top->stat_issue) {
                        if (ph == 1) ++lg.addsAcc;
                        else if (ph == 2) ++lg.addsRed;
                        else if (ph == 3) ++lg.addsComb;
                    }
                }
            }
            if (inFire) {
                if (logs[inMsm].first == UINT64_MAX) logs[inMsm].first = cycle;
                lastProgress = cycle;
                const bool last = pairs[next].last;
                ++next;
                if (last) ++inMsm;
                offerAt = next < pairs.size() && !last ? cycle + 1 + pairs[next].gap : UINT64_MAX;
            }
            if (wb && top->wb_valid && outMsm < msms && (opt.wbMsm < 0 || static_cast<std::size_t>(opt.wbMsm) == outMsm)) {
                getPort(top->wb_tag, tagBuf);
                getPort(top->wb_data, outBuf);
                std::fprintf(wb, "%" PRIu64 " %u %s %s\n", cycle - logs[outMsm].first, ph, toHex(tagBuf, kTagWords).c_str(),
                             toHex(outBuf, kOutWords).c_str());
            }
            if (top->out_valid) {
                if (ph != 4 && failure.empty()) {
                    std::snprintf(buf, sizeof buf, "out_valid high in phase %u (only phase 4 presents a result)", ph);
                    failure = buf;
                }
                if (outMsm >= inMsm && failure.empty()) failure = "out_valid high before the MSM's last pair went in";
                if (outMsm < msms) {
                    if (top->out_ready) {
                        getPort(top->out_data, outBuf);
                        results.emplace_back(outBuf, outBuf + kOutWords);
                        ++outMsm;
                        lastProgress = cycle;
                        doneDue = cycle + 1;
                        if (outMsm < msms && next < pairs.size()) offerAt = cycle + 1 + pairs[next].gap;
                    } else {
                        ++logs[outMsm].outwait;
                    }
                }
            }
            if (top->done) {
                if (cycle != doneDue && failure.empty()) failure = "done high in a cycle that does not follow a taken result";
            } else if (cycle == doneDue && failure.empty()) {
                failure = "done low in the cycle after the result was taken";
            }
            if (cycle - lastProgress > opt.timeout && failure.empty()) {
                std::snprintf(buf, sizeof buf, "hang: nothing went in or came out for %" PRIu64 " cycles (phase %u)", opt.timeout, ph);
                failure = buf;
            }
            if (!failure.empty()) break;
            if (outMsm == msms && cycle > doneDue + 2) break;
        }
        if (cycle >= opt.waveTo && !opt.wavePath.empty() && opt.waveTo != UINT64_MAX) break;
        ctx->timeInc(5);
        top->clk = 1;
        top->eval();
        dump(cycle, ctx->time());
        ctx->timeInc(5);
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    top->final();
    if (vcd && vcdOpen) vcd->close();
    if (wb) std::fclose(wb);
    if (!failure.empty()) {
        std::fprintf(stderr, "PROTOCOL at MSM %zu, cycle %" PRIu64 ": %s\n", outMsm, cycle, failure.c_str());
        std::fprintf(stderr, "  rerun: %s\n", opt.commandLine.c_str());
        return kExitFailure;
    }
    if (!opt.outPath.empty()) {
        FILE* f = std::fopen(opt.outPath.c_str(), "wb");
        if (!f) usageError("cannot write %s: %s", opt.outPath.c_str(), std::strerror(errno));
        for (const auto& r : results) std::fprintf(f, "%s\n", toHex(r.data(), kOutWords).c_str());
        std::fclose(f);
    }
    for (std::size_t m = 0; m < msms; ++m) {
        const MsmLog& l = logs[m];
        std::printf("STATS %zu first=%" PRIu64 " acc=%" PRIu64 " red=%" PRIu64 " comb=%" PRIu64 " outwait=%" PRIu64
                    " adds_acc=%" PRIu64 " adds_red=%" PRIu64 " adds_comb=%" PRIu64 "\n",
                    m, l.first, l.acc, l.red, l.comb, l.outwait, l.addsAcc, l.addsRed, l.addsComb);
    }
    std::printf("OK msms=%zu cycles=%" PRIu64 " sim_seconds=%.6f\n", msms, cycle + 1, seconds);
    return 0;
}
