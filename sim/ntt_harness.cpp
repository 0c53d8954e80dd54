// Verilator harness for an NTT core (load -> compute -> unload) with ports
//   clk, rst, in_valid, in_ready, in_inverse, in_data[L*W], out_valid, out_ready,
//   out_data[L*W], out_last, done (other outputs, e.g. status, are not read)
// for any L*W the port types allow (CData .. VlWide). The model comes from compile-time
// defines: -DTOP_CLASS=Vfoo -DTOP_HEADER='"Vfoo.h"'.
//
// A transform of N elements goes in as N/L beats (beat t, lane l = bits [l*W +: W] = element
// t*L + l) and comes out as N/L beats in the same layout. Transforms are driven back to back
// (the first beat of transform k+1 is offered in the cycle after the last beat of transform
// k was taken) unless a bubble probability is given; out_ready is low in a cycle with the
// stall probability. Once a beat is offered (in_valid=1) it is held until taken. in_inverse
// carries the transform's direction with its FIRST beat and a random bit with the others
// (the core must sample it with the first beat); in_data is random when in_valid is low.
//
// What it checks:
//   * a beat of transform k is taken (in_valid && in_ready) only while the core holds fewer
//     than --max-held transforms (a transform is held from its first beat in to its last
//     beat out): 1 for a core that must be emptied before it loads again;
//   * out_valid only when a transform has been fully loaded and not yet fully unloaded;
//   * out_last exactly on each transform's last beat taken (out_valid && out_ready);
//   * done high exactly in the cycle after each transform's last beat was taken, and never
//     otherwise;
//   * each output element against --expected, when given;
//   * progress: no beat in or out for --timeout-cycles cycles is a hang.
// Per transform it records, on its own cycle counter, the cycles of the first and last beat
// in, the first and last beat out and the done pulse; the core's own outputs (status) play no
// part in the figures.
//
// On success: one line `STATS t first_in=.. last_in=.. first_out=.. last_out=.. done=..` per
// transform, then
// `OK transforms=T cycles=C sim_seconds=S` on stdout, exit code 0. On the first failure the
// simulation is run again from the start with VCD tracing over a window ending a few cycles
// past the failing cycle, and ONE report goes to stderr (with a `WAVEFORM <path>` line when
// the re-run reproduced it), exit code 1. Bad usage or input: one line, exit code 2.
//
// Timing convention (as sim/pipeline_harness.cpp): cycle c spans simulation time
// [10c, 10c+10); inputs change and outputs are sampled at 10c (clk low), the rising edge is
// at 10c+5. A handshake happens in cycle c when valid and ready are both high at 10c.

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <type_traits>
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
constexpr uint64_t kResetCycles = 4;     // cycles with rst=1 (and garbage, in_valid=1)
constexpr uint64_t kTrailCycles = 4;     // idle cycles at the end, watching for spurious outputs
constexpr uint64_t kTracePastFail = 8;   // the waveform runs this many cycles past the failure
constexpr uint64_t kTraceContext = 256;  // and starts this many cycles before it (default)

[[noreturn]] void usageError(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    std::fputs("ntt_harness: error: ", stderr);
    std::vfprintf(stderr, fmt, ap);
    std::fputc('\n', stderr);
    va_end(ap);
    std::exit(kExitUsage);
}

using InPort = PortT<decltype(std::declval<TOP_CLASS&>().in_data)>;
using OutPort = PortT<decltype(std::declval<TOP_CLASS&>().out_data)>;
static_assert(std::is_same<InPort, OutPort>::value, "ports in_data and out_data must have the same width");
constexpr unsigned kPortWords = PortInfo<InPort>::words;

// ---------------------------------------------------------------------------------------
// Elements: W bits each, stored as `ew` little-endian 32-bit words (flat arrays, element i
// at words [i*ew, i*ew+ew)).

inline uint32_t lowMask(unsigned bits) { return bits >= 32 ? 0xffffffffu : (1u << bits) - 1u; }

// Lanes [0, lanes) of `elems` (lanes * ew words) into a port value of lanes*width bits.
void packBeat(uint32_t* port, const uint32_t* elems, unsigned lanes, unsigned width, unsigned ew) {
    std::memset(port, 0, kPortWords * sizeof(uint32_t));
    for (unsigned l = 0; l < lanes; ++l) {
        for (unsigned i = 0; i < ew; ++i) {
            const uint32_t v = elems[l * ew + i];
            if (!v) continue;
            const unsigned pos = l * width + 32 * i, idx = pos / 32, sh = pos % 32;
            port[idx] |= v << sh;
            if (sh && idx + 1 < kPortWords) port[idx + 1] |= v >> (32 - sh);
        }
    }
}

void unpackLane(const uint32_t* port, unsigned lane, unsigned width, unsigned ew, uint32_t* out) {
    for (unsigned i = 0; i < ew; ++i) {
        const unsigned pos = lane * width + 32 * i, idx = pos / 32, sh = pos % 32;
        uint32_t v = port[idx] >> sh;
        if (sh && idx + 1 < kPortWords) v |= port[idx + 1] << (32 - sh);
        out[i] = v & lowMask(width - 32 * i);
    }
}

void randomPort(Rng& rng, uint32_t* port, unsigned bits) {
    for (unsigned i = 0; i < kPortWords; ++i) {
        const unsigned lo = 32 * i;
        port[i] = lo >= bits ? 0 : static_cast<uint32_t>(rng.next() >> 32) & lowMask(bits - lo);
    }
}

// ---------------------------------------------------------------------------------------
// Command line.

struct Options {
    std::string inputPath, expectedPath, outPath, wavePath;
    long n = -1, lanes = -1, width = -1;
    std::string inverse;         // one '0'/'1' per transform; empty: all forward
    double bubble = 0.0, stall = 0.0;
    uint64_t seed = 1;
    long waveFrom = -1;          // first traced cycle; -1: kTraceContext before the failure
    uint64_t timeout = 0;        // 0: derived from N
    long maxHeld = 1;            // transforms the core may hold at once
    std::string commandLine;
};

const char* const kUsage =
    "usage: ntt_harness --input FILE --n N --lanes L --width W [--inverse BITS]\n"
    "                   [--expected FILE] [--out FILE] [--bubble P] [--stall P] [--seed S]\n"
    "                   [--wave FILE.vcd] [--wave-from C] [--timeout-cycles C] [--max-held H]\n"
    "  --input: one hex element per line, transforms of N elements concatenated\n"
    "  --inverse: one 0/1 per transform (default: all forward)\n"
    "  --expected: the outputs, same layout (checked)    --out: the outputs, same layout\n"
    "  --bubble: P(in_valid low before a beat)            --stall: P(out_ready low) per cycle\n"
    "  --wave: waveform written on a failure (default: FILE.vcd next to the input)\n"
    "  --wave-from: first cycle in the waveform (default: 256 cycles before the failure)\n"
    "  --timeout-cycles: cycles without a beat in or out that count as a hang\n"
    "  --max-held: transforms the core may hold at once, from first beat in to last beat out (default 1)\n"
    "                    (default 100000 + 4*N*log2(N))\n";

long parseLong(const char* name, const char* val, long lo, long hi) {
    char* end = nullptr;
    errno = 0;
    const long v = std::strtol(val, &end, 10);
    if (*val == 0 || *end || errno || v < lo || v > hi) usageError("%s must be an integer %ld..%ld, got '%s'", name, lo, hi, val);
    return v;
}

double parseProbability(const char* name, const char* val) {
    char* end = nullptr;
    errno = 0;
    const double v = std::strtod(val, &end);
    if (*val == 0 || *end || errno || !(v >= 0.0 && v < 1.0)) usageError("%s must be a probability in [0, 1), got '%s'", name, val);
    return v;
}

Options parseArgs(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            std::fputs(kUsage, stdout);
            std::exit(0);
        }
        if (i + 1 >= argc) usageError("%s needs a value (--help for usage)", arg.c_str());
        const char* val = argv[++i];
        if (arg == "--input") o.inputPath = val;
        else if (arg == "--expected") o.expectedPath = val;
        else if (arg == "--out") o.outPath = val;
        else if (arg == "--wave") o.wavePath = val;
        else if (arg == "--n") o.n = parseLong("--n", val, 1, 1L << 28);
        else if (arg == "--lanes") o.lanes = parseLong("--lanes", val, 1, 1L << 20);
        else if (arg == "--width") o.width = parseLong("--width", val, 1, 4096);
        else if (arg == "--inverse") {
            o.inverse = val;
            if (o.inverse.find_first_not_of("01") != std::string::npos)
                usageError("--inverse must be a string of 0 and 1 (one per transform), got '%s'", val);
        } else if (arg == "--bubble") o.bubble = parseProbability("--bubble", val);
        else if (arg == "--stall") o.stall = parseProbability("--stall", val);
        else if (arg == "--wave-from") o.waveFrom = parseLong("--wave-from", val, 0, 0x7fffffffffffffffL);
        else if (arg == "--max-held") o.maxHeld = parseLong("--max-held", val, 1, 64);
        else if (arg == "--timeout-cycles") o.timeout = static_cast<uint64_t>(parseLong("--timeout-cycles", val, 1, 0x7fffffffffffffffL));
        else if (arg == "--seed") {
            char* end = nullptr;
            errno = 0;
            o.seed = std::strtoull(val, &end, 10);
            if (*val == 0 || *val == '-' || *end || errno) usageError("--seed must be a non-negative integer, got '%s'", val);
        } else {
            usageError("unknown option '%s' (--help for usage)", arg.c_str());
        }
    }
    if (o.inputPath.empty()) usageError("--input FILE is required (--help for usage)");
    if (o.n < 0) usageError("--n N is required (--help for usage)");
    if (o.lanes < 0) usageError("--lanes L is required (--help for usage)");
    if (o.width < 0) usageError("--width W is required (--help for usage)");
    if (o.n % o.lanes != 0) usageError("--n %ld is not a multiple of --lanes %ld", o.n, o.lanes);
    const long bits = o.lanes * o.width;
    if (static_cast<unsigned long>(bits) < PortInfo<InPort>::minBits ||
        static_cast<unsigned long>(bits) > PortInfo<InPort>::maxBits)
        usageError("--lanes %ld x --width %ld = %ld bits does not match the model: its ports in_data, out_data are %u..%u bits wide",
                   o.lanes, o.width, bits, PortInfo<InPort>::minBits, PortInfo<InPort>::maxBits);
    if (o.timeout == 0) {
        uint64_t lg = 0;
        while ((1ULL << lg) < static_cast<uint64_t>(o.n)) ++lg;
        o.timeout = 100000 + 4 * static_cast<uint64_t>(o.n) * std::max<uint64_t>(lg, 1);
    }
    if (o.wavePath.empty()) o.wavePath = o.inputPath + ".vcd";
    for (int i = 0; i < argc; ++i) {
        if (i) o.commandLine += ' ';
        o.commandLine += argv[i];
    }
    return o;
}

// One hex element per line ('#' comments and blank lines skipped).
std::vector<uint32_t> readElements(const std::string& path, unsigned width, unsigned ew, std::size_t& count) {
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) usageError("cannot read %s: %s", path.c_str(), std::strerror(errno));
    std::string text;
    char buf[1 << 16];
    std::size_t got;
    while ((got = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, got);
    std::fclose(f);
    std::vector<uint32_t> out;
    count = 0;
    std::size_t pos = 0;
    unsigned long lineNo = 0;
    while (pos < text.size()) {
        std::size_t eol = text.find('\n', pos);
        if (eol == std::string::npos) eol = text.size();
        ++lineNo;
        std::size_t a = pos, b = eol;
        pos = eol + 1;
        while (a < b && (text[a] == ' ' || text[a] == '\t' || text[a] == '\r')) ++a;
        const std::size_t hash = text.find('#', a);
        if (hash < b) b = hash;
        while (b > a && (text[b - 1] == ' ' || text[b - 1] == '\t' || text[b - 1] == '\r')) --b;
        if (a == b) continue;
        out.resize((count + 1) * ew);
        if (!parseHex(text.data() + a, b - a, width, out.data() + count * ew, ew))
            usageError("%s:%lu: '%.*s' is not a hex number of at most %u bits", path.c_str(), lineNo,
                       static_cast<int>(std::min<std::size_t>(b - a, 200)), text.data() + a, width);
        ++count;
    }
    return out;
}

struct Data {
    unsigned n = 0, lanes = 0, width = 0, ew = 0, beats = 0;
    std::size_t transforms = 0;
    std::vector<uint32_t> input, expected;  // transforms * n elements each
    std::vector<bool> inverse;
    bool checked = false;
    const uint32_t* in(std::size_t t, std::size_t i) const { return input.data() + (t * n + i) * ew; }
    const uint32_t* exp(std::size_t t, std::size_t i) const { return expected.data() + (t * n + i) * ew; }
};

Data readData(const Options& o) {
    Data d;
    d.n = static_cast<unsigned>(o.n);
    d.lanes = static_cast<unsigned>(o.lanes);
    d.width = static_cast<unsigned>(o.width);
    d.ew = (d.width + 31) / 32;
    d.beats = d.n / d.lanes;
    std::size_t count = 0;
    d.input = readElements(o.inputPath, d.width, d.ew, count);
    if (count == 0) usageError("%s holds no elements: at least one transform of %u is needed", o.inputPath.c_str(), d.n);
    if (count % d.n != 0)
        usageError("%s holds %zu elements, not a whole number of transforms of %u", o.inputPath.c_str(), count, d.n);
    d.transforms = count / d.n;
    if (o.inverse.empty()) d.inverse.assign(d.transforms, false);
    else if (o.inverse.size() != d.transforms)
        usageError("--inverse has %zu bits but %s holds %zu transforms of %u", o.inverse.size(), o.inputPath.c_str(),
                   d.transforms, d.n);
    else
        for (char c : o.inverse) d.inverse.push_back(c == '1');
    if (!o.expectedPath.empty()) {
        std::size_t ecount = 0;
        d.expected = readElements(o.expectedPath, d.width, d.ew, ecount);
        if (ecount != count)
            usageError("%s holds %zu elements but %s holds %zu: they must match", o.expectedPath.c_str(), ecount,
                       o.inputPath.c_str(), count);
        d.checked = true;
    }
    return d;
}

// ---------------------------------------------------------------------------------------
// The simulation.

enum class FailKind {
    None, Wrong, TooManyHeld, SpuriousOutput, LastMissing, LastEarly,
    DoneMissing, DoneSpurious, Timeout
};

struct Failure {
    FailKind kind = FailKind::None;
    uint64_t cycle = 0;
    long transform = -1;     // the transform concerned (-1: none)
    long beat = -1;          // its beat (-1: none)
    long lane = -1;          // for Wrong: the first wrong lane
    unsigned wrongLanes = 0; // for Wrong: how many lanes of the beat are wrong
    std::vector<uint32_t> got;
    std::string detail;
};

struct TransformLog {
    uint64_t firstIn = UINT64_MAX, lastIn = 0, firstOut = UINT64_MAX, lastOut = 0, done = UINT64_MAX;
};

struct Outcome {
    Failure fail;
    uint64_t cycles = 0;
    double seconds = 0;
    uint64_t traceFrom = 0, traceTo = 0;
    std::vector<TransformLog> log;
};

class Harness {
public:
    Harness(const Options& o, const Data& d) : opt_(o), d_(d) { outputs_.assign(d.input.size(), 0); }

    const std::vector<uint32_t>& outputs() const { return outputs_; }

    Outcome run(bool trace, const Failure* known) {
        Outcome out;
        out.log.resize(d_.transforms);
        auto ctx = std::make_unique<VerilatedContext>();
        if (trace) ctx->traceEverOn(true);
        auto top = std::make_unique<TOP_CLASS>(ctx.get(), "TOP");
        std::unique_ptr<VerilatedVcdC> vcd;
        uint64_t traceFrom = 0, stopAfter = UINT64_MAX;
        if (trace) {
            vcd = std::make_unique<VerilatedVcdC>();
            ZKRTL_TRACE(top, vcd.get());
            traceFrom = opt_.waveFrom >= 0 ? std::min<uint64_t>(opt_.waveFrom, known->cycle)
                        : known->cycle > kTraceContext ? known->cycle - kTraceContext
                                                       : 0;
            stopAfter = known->cycle + kTracePastFail;
            out.traceFrom = traceFrom;
            out.traceTo = stopAfter;
        }
        uint64_t cycle = 0;
        auto dump = [&](uint64_t t) {
            if (vcd && cycle >= traceFrom) {
                if (!vcd->isOpen()) vcd->open(opt_.wavePath.c_str());
                vcd->dump(t);
            }
        };

        Rng bubbleRng(opt_.seed);
        Rng stallRng(opt_.seed ^ 0x3c6ef372fe94f82bULL);
        Rng garbageRng(opt_.seed ^ 0x5a17c0ffee0ddf00ULL);
        const unsigned bits = d_.lanes * d_.width;
        const std::size_t T = d_.transforms;
        const unsigned beats = d_.beats;

        std::size_t inT = 0, outT = 0;     // transform being loaded / unloaded
        unsigned inBeat = 0, outBeat = 0;  // next beat within it
        bool holding = false;              // a beat is offered and not yet taken
        std::deque<std::pair<uint64_t, std::size_t>> doneDue;  // (cycle, transform)
        uint64_t lastProgress = kResetCycles, lastEnd = 0;
        bool failed = false;
        uint32_t port[kPortWords];
        std::vector<uint32_t> lane(d_.ew);

        const auto t0 = std::chrono::steady_clock::now();
        top->clk = 0;
        for (;; ++cycle) {
            // --- drive inputs for this cycle (clock low)
            const bool inReset = cycle < kResetCycles;
            top->rst = inReset ? 1 : 0;
            if (!inReset && !holding && inT < T)
                holding = !(opt_.bubble > 0.0 && bubbleRng.unit() < opt_.bubble);
            if (holding) {
                packBeat(port, d_.in(inT, static_cast<std::size_t>(inBeat) * d_.lanes), d_.lanes, d_.width, d_.ew);
                top->in_valid = 1;
                top->in_inverse = inBeat == 0 ? (d_.inverse[inT] ? 1 : 0) : static_cast<CData>(garbageRng.next() & 1);
            } else {
                randomPort(garbageRng, port, bits);
                top->in_valid = inReset ? 1 : 0;
                top->in_inverse = static_cast<CData>(garbageRng.next() & 1);
            }
            setPort(top->in_data, port);
            top->out_ready = inReset ? static_cast<CData>(garbageRng.next() & 1)
                             : (opt_.stall > 0.0 && stallRng.unit() < opt_.stall) ? 0 : 1;
            top->clk = 0;
            top->eval();
            dump(ctx->time());

            // --- sample outputs (after reset) and check the contract
            if (!inReset && !failed) {
                Failure f;
                const bool inFire = holding && top->in_ready;
                const bool ov = top->out_valid != 0;
                const bool outFire = ov && top->out_ready;
                auto fail = [&](FailKind k, long t, long b, std::string detail = std::string()) {
                    if (f.kind != FailKind::None) return;
                    f.kind = k;
                    f.cycle = cycle;
                    f.transform = t;
                    f.beat = b;
                    f.detail = std::move(detail);
                };
                // Input handshake.
                if (inFire) {
                    if (inT - outT >= static_cast<std::size_t>(opt_.maxHeld)) fail(FailKind::TooManyHeld, static_cast<long>(inT), inBeat);
                    TransformLog& lg = out.log[inT];
                    lg.firstIn = std::min(lg.firstIn, cycle);
                    lg.lastIn = cycle;
                    holding = false;
                    lastProgress = cycle;
                    if (++inBeat == beats) {
                        inBeat = 0;
                        ++inT;
                    }
                }
                // Output: valid only while a loaded transform awaits unloading.
                if (ov && outT >= inT) {
                    fail(FailKind::SpuriousOutput, outT < T ? static_cast<long>(outT) : -1, outT < T ? outBeat : -1);
                } else if (outFire) {
                    getPort(top->out_data, port);
                    TransformLog& lg = out.log[outT];
                    lg.firstOut = std::min(lg.firstOut, cycle);
                    lg.lastOut = cycle;
                    lastProgress = cycle;
                    const bool isLast = outBeat + 1 == beats;
                    for (unsigned l = 0; l < d_.lanes; ++l) {
                        const std::size_t e = static_cast<std::size_t>(outBeat) * d_.lanes + l;
                        uint32_t* dst = outputs_.data() + (outT * d_.n + e) * d_.ew;
                        unpackLane(port, l, d_.width, d_.ew, dst);
                        if (d_.checked && std::memcmp(dst, d_.exp(outT, e), d_.ew * sizeof(uint32_t)) != 0) {
                            if (f.kind == FailKind::None) {
                                fail(FailKind::Wrong, static_cast<long>(outT), outBeat);
                                f.lane = l;
                                f.got.assign(dst, dst + d_.ew);
                            }
                            if (f.kind == FailKind::Wrong) ++f.wrongLanes;
                        }
                    }
                    const bool last = top->out_last != 0;
                    if (last && !isLast) fail(FailKind::LastEarly, static_cast<long>(outT), outBeat);
                    if (!last && isLast) fail(FailKind::LastMissing, static_cast<long>(outT), outBeat);
                    if (isLast) {
                        doneDue.emplace_back(cycle + 1, outT);
                        lastEnd = cycle;
                        outBeat = 0;
                        ++outT;
                    } else {
                        ++outBeat;
                    }
                }
                // done: exactly the cycle after each transform's last beat.
                const bool isDoneDue = !doneDue.empty() && doneDue.front().first == cycle;
                if (top->done) {
                    if (isDoneDue) {
                        out.log[doneDue.front().second].done = cycle;
                        doneDue.pop_front();
                    } else {
                        const long t = !doneDue.empty() ? static_cast<long>(doneDue.front().second)
                                       : outT > 0 ? static_cast<long>(outT - 1) : static_cast<long>(outT);
                        fail(FailKind::DoneSpurious, t < static_cast<long>(T) ? t : -1, -1);
                    }
                } else if (isDoneDue) {
                    fail(FailKind::DoneMissing, static_cast<long>(doneDue.front().second), -1);
                    doneDue.pop_front();
                }
                if (cycle - lastProgress > opt_.timeout && outT < T) {
                    char buf[160];
                    std::snprintf(buf, sizeof buf, "no beat went in or came out for %" PRIu64 " cycles", cycle - lastProgress);
                    fail(FailKind::Timeout, static_cast<long>(outT), -1, buf);
                }
                if (f.kind != FailKind::None) {
                    out.fail = f;
                    failed = true;
                    if (!trace) break;
                }
            }
            if (trace && cycle >= stopAfter) break;
            if (!trace && outT == T && doneDue.empty() && cycle >= lastEnd + kTrailCycles) break;

            // --- rising edge
            ctx->timeInc(5);
            top->clk = 1;
            top->eval();
            dump(ctx->time());
            ctx->timeInc(5);
        }
        out.cycles = cycle + 1;
        out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        top->final();
        if (vcd && vcd->isOpen()) vcd->close();
        return out;
    }

private:
    const Options& opt_;
    const Data& d_;
    std::vector<uint32_t> outputs_;
};

unsigned bitReverse(unsigned i, unsigned n) {
    unsigned k = 0;
    while ((1u << k) < n) ++k;
    unsigned r = 0;
    for (unsigned b = 0; b < k; ++b) r |= ((i >> b) & 1u) << (k - 1 - b);
    return r;
}

void report(const Options& o, const Data& d, const Outcome& first, const Outcome& traced, bool waveOk) {
    const Failure& f = first.fail;
    std::string what, msg;
    char line[1024];
    switch (f.kind) {
        case FailKind::Wrong: what = "wrong result"; break;
        case FailKind::TooManyHeld:
            std::snprintf(line, sizeof line, "a beat of this transform was taken while the core held %ld transform%s not fully unloaded (at most --max-held %ld at once)",
                          o.maxHeld, o.maxHeld == 1 ? "" : "s", o.maxHeld);
            what = line;
            break;
        case FailKind::SpuriousOutput:
            what = f.transform >= 0 ? "out_valid high before this transform was fully loaded"
                                    : "out_valid high after every transform was unloaded";
            break;
        case FailKind::LastEarly:
            std::snprintf(line, sizeof line, "out_last high on beat %ld of %u (not the last)", f.beat, d.beats);
            what = line;
            break;
        case FailKind::LastMissing:
            std::snprintf(line, sizeof line, "out_last low on the last beat (%ld of %u)", f.beat, d.beats);
            what = line;
            break;
        case FailKind::DoneMissing: what = "done low in the cycle after the transform's last beat was taken"; break;
        case FailKind::DoneSpurious:
            what = "done high when no transform had just finished (done must pulse once, the cycle after the last beat)";
            break;
        case FailKind::Timeout: what = "hang: " + f.detail; break;
        case FailKind::None: break;
    }
    const char* head = f.kind == FailKind::Wrong ? "MISMATCH" : f.kind == FailKind::Timeout ? "TIMEOUT" : "PROTOCOL";
    if (f.kind == FailKind::Wrong) {
        const long e = f.beat * static_cast<long>(d.lanes) + f.lane;
        std::snprintf(line, sizeof line, "%s at transform %ld, element %ld (beat %ld, lane %ld), cycle %" PRIu64 ": %s\n",
                      head, f.transform, e, f.beat, f.lane, f.cycle, what.c_str());
        msg += line;
        const uint32_t* exp = d.exp(f.transform, e);
        msg += "  expected = 0x" + toHex(exp, d.ew) + "\n";
        msg += "  got      = 0x" + toHex(f.got.data(), d.ew) + "\n";
        std::snprintf(line, sizeof line, "  %u of %u lanes of beat %ld are wrong\n", f.wrongLanes, d.lanes, f.beat);
        msg += line;
        // Hint: is the value another element's (ordering bug)?
        for (unsigned j = 0; j < d.n; ++j) {
            if (static_cast<long>(j) == e) continue;
            if (std::memcmp(d.exp(f.transform, j), f.got.data(), d.ew * sizeof(uint32_t)) == 0) {
                const bool rev = (d.n & (d.n - 1)) == 0 && bitReverse(static_cast<unsigned>(e), d.n) == j;
                std::snprintf(line, sizeof line, "  hint: got is the expected element %u of this transform%s\n", j,
                              rev ? " (the bit-reversed index of the element: order bug?)" : "");
                msg += line;
                break;
            }
        }
    } else if (f.transform >= 0) {
        std::snprintf(line, sizeof line, "%s at transform %ld%s, cycle %" PRIu64 ": %s\n", head, f.transform,
                      f.beat >= 0 ? (", beat " + std::to_string(f.beat)).c_str() : "", f.cycle, what.c_str());
        msg += line;
    } else {
        std::snprintf(line, sizeof line, "%s at cycle %" PRIu64 ": %s\n", head, f.cycle, what.c_str());
        msg += line;
    }
    if (f.transform >= 0 && static_cast<std::size_t>(f.transform) < d.transforms) {
        const TransformLog& lg = first.log[f.transform];
        std::snprintf(line, sizeof line, "  transform %ld (%s):", f.transform, d.inverse[f.transform] ? "inverse" : "forward");
        msg += line;
        if (lg.firstIn != UINT64_MAX) {
            std::snprintf(line, sizeof line, " loaded in cycles %" PRIu64 "..%" PRIu64 ",", lg.firstIn, lg.lastIn);
            msg += line;
        } else {
            msg += " no beat loaded yet,";
        }
        if (lg.firstOut != UINT64_MAX) {
            std::snprintf(line, sizeof line, " output beats from cycle %" PRIu64 "\n", lg.firstOut);
            msg += line;
        } else {
            msg += " no output beat yet\n";
        }
    }
    std::snprintf(line, sizeof line,
                  "  run: %zu transforms of N=%u, lanes %u, width %u, bubble probability %g, stall probability %g, seed %" PRIu64 "\n",
                  d.transforms, d.n, d.lanes, d.width, o.bubble, o.stall, o.seed);
    msg += line;
    if (waveOk) {
        std::snprintf(line, sizeof line,
                      "  waveform: %s (cycles %" PRIu64 "..%" PRIu64 "; cycle c starts at time 10c, rising edge at 10c+5)\n",
                      o.wavePath.c_str(), traced.traceFrom, traced.traceTo);
        msg += line;
    } else {
        msg += kCanTrace ? "  waveform: none (the re-run with tracing did not reproduce the failure)\n" : kNoTraceWaveform;
    }
    msg += "  rerun: " + o.commandLine + "\n";
    std::fputs(msg.c_str(), stderr);
    if (waveOk) std::fprintf(stderr, "WAVEFORM %s\n", o.wavePath.c_str());
}

}  // namespace

int main(int argc, char** argv) {
    const Options opt = parseArgs(argc, argv);
    const Data data = readData(opt);

    Harness h(opt, data);
    const Outcome first = h.run(false, nullptr);
    if (first.fail.kind != FailKind::None) {
        Outcome traced;
        const bool same = tracedRerun<Harness>(first, traced, opt, data);
        report(opt, data, first, traced, same);
        return kExitFailure;
    }

    if (!opt.outPath.empty()) {
        FILE* f = std::fopen(opt.outPath.c_str(), "wb");
        if (!f) usageError("cannot write %s: %s", opt.outPath.c_str(), std::strerror(errno));
        const std::vector<uint32_t>& o = h.outputs();
        std::string text;
        const std::size_t count = o.size() / data.ew;
        for (std::size_t i = 0; i < count; ++i) {
            text += toHex(o.data() + i * data.ew, data.ew);
            text += '\n';
            if (text.size() > (1u << 20)) {
                if (std::fwrite(text.data(), 1, text.size(), f) != text.size())
                    usageError("cannot write %s: %s", opt.outPath.c_str(), std::strerror(errno));
                text.clear();
            }
        }
        if (std::fwrite(text.data(), 1, text.size(), f) != text.size() || std::fclose(f) != 0)
            usageError("cannot write %s: %s", opt.outPath.c_str(), std::strerror(errno));
    }
    for (std::size_t t = 0; t < data.transforms; ++t) {
        const TransformLog& lg = first.log[t];
        std::printf("STATS %zu first_in=%" PRIu64 " last_in=%" PRIu64 " first_out=%" PRIu64 " last_out=%" PRIu64 " done=%" PRIu64 "\n", t,
                    lg.firstIn, lg.lastIn, lg.firstOut, lg.lastOut, lg.done);
    }
    std::printf("OK transforms=%zu cycles=%" PRIu64 " sim_seconds=%.6f\n", data.transforms, first.cycles, first.seconds);
    return 0;
}
