// Generic Verilator harness for a fixed-latency pipeline with ports
//   clk, rst, in_valid, a[W], b[W]  ->  out_valid, out[W]   (and optionally in_ready)
// for any W in 1..4096. The model comes from compile-time defines:
//   -DTOP_CLASS=Vfoo -DTOP_HEADER='"Vfoo.h"'
//
// What it checks (the contract of a fixed-latency block, DESIGN.md "Ports"):
//   * after reset, no out_valid from the garbage presented (with in_valid=1) during reset;
//   * each vector taken in cycle c (in_valid=1, and in_ready=1 if the model has in_ready)
//     comes out with out_valid=1 in cycle c+L, and with the expected value when the vectors
//     file gives one;
//   * out_valid is never high in a cycle when no vector is due.
// With --in-order (for measuring a block that need not keep to the contract, e.g. one whose
// results come out less often than vectors go in) the latency is not checked: each out_valid
// beat answers the oldest vector taken and not yet answered, whenever it comes. If its value
// is not that vector's expected result but a later open vector's, the vectors in between are
// counted as dropped (a block without in_ready that ignores vectors while busy); a value
// that is no open vector's expected result is a mismatch. When everything went in and
// nothing comes out for kStallCycles + 2L cycles, the vectors still open are counted as
// dropped and the run ends (drained).
// Vectors go in back to back (in_valid held high, a new vector every cycle the block takes
// one) unless a bubble probability is given, in which case a seeded PRNG holds in_valid low
// (with garbage operands) in some cycles. A vector offered and not taken (in_ready low) stays
// on the inputs until it is taken (the valid/ready rule). A model without in_ready takes a
// vector in every cycle with in_valid high.
//
// Timing of the results: the cycle of every out_valid beat answering a vector is noted; the
// harness reports how many came, the first and last such cycle, II = (last - first) /
// (beats - 1) (cycles per result in steady state: 1 for a block taking a vector every
// cycle), the largest gap between consecutive beats, and the least and most cycles from a
// vector being taken to its result.
//
// On the first failure the simulation is run again from the start with VCD tracing, up to a
// few cycles past the failing cycle, and ONE report goes to stderr (exit code 1). A run in
// which vectors wait to go in and nothing is taken and nothing comes out for kStallCycles + 2L
// cycles (in_ready stuck low) is such a failure. On success one line
//   OK vectors=N cycles=C sim_seconds=S beats=K first_out=F last_out=L ii=X max_gap=G latency_min=A latency_max=B dropped=D
// goes to stdout (exit code 0; `-` for a figure that needs more beats; D is 0 unless
// --in-order). Bad usage or input: a one-line message, exit code 2.
//
// Timing convention: cycle c spans simulation time [10c, 10c+10); inputs change and outputs
// are sampled at 10c (clk low), the rising edge is at 10c+5.

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
#include <utility>
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
using zkrtl::setPort;

constexpr int kExitMismatch = 1;
constexpr int kExitUsage = 2;
constexpr unsigned kMaxWidth = 4096;     // widest operand: a point adder packs both points
constexpr uint64_t kResetCycles = 4;     // cycles with rst=1 (and garbage with in_valid=1)
constexpr uint64_t kTrailCycles = 4;     // extra idle cycles at the end, watching for spurious out_valid
constexpr uint64_t kTracePastFail = 8;   // waveform runs this many cycles past the failing cycle
constexpr uint64_t kTraceContext = 64;   // and starts this many cycles (plus L) before it
constexpr uint64_t kStallCycles = 1024;  // (plus 2L) with nothing taken and nothing out: stalled, or drained

// Whether the model has an in_ready output (a valid/ready input port), found at compile time
// so that one harness source builds for blocks with and without it.
template <class T, class = void>
struct HasInReady : std::false_type {};
template <class T>
struct HasInReady<T, std::void_t<decltype(std::declval<T&>().in_ready)>> : std::true_type {};

template <class T>
bool inReady(T& top) {
    if constexpr (HasInReady<T>::value) return top.in_ready != 0;
    else return true;  // no in_ready: the block takes a vector in every cycle
}

[[noreturn]] void usageError(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    std::fputs("pipeline_harness: error: ", stderr);
    std::vfprintf(stderr, fmt, ap);
    std::fputc('\n', stderr);
    va_end(ap);
    std::exit(kExitUsage);
}

using APort = PortT<decltype(std::declval<TOP_CLASS&>().a)>;
using BPort = PortT<decltype(std::declval<TOP_CLASS&>().b)>;
using OutPort = PortT<decltype(std::declval<TOP_CLASS&>().out)>;
static_assert(std::is_same<APort, BPort>::value && std::is_same<APort, OutPort>::value,
              "ports a, b and out must have the same width");
constexpr unsigned kWords = PortInfo<APort>::words;

// ---------------------------------------------------------------------------------------
// Hex values of W bits.

struct Value {
    uint32_t w[kWords];
};

bool parseHex(const char* s, std::size_t len, unsigned width, Value& v) {
    return zkrtl::parseHex(s, len, width, v.w, kWords);
}

std::string toHex(const Value& v) { return zkrtl::toHex(v.w, kWords); }

bool equal(const Value& x, const Value& y) { return std::memcmp(x.w, y.w, sizeof x.w) == 0; }

void maskTo(Value& v, unsigned width) {
    for (unsigned i = 0; i < kWords; ++i) {
        const unsigned lo = 32 * i;
        if (lo >= width) v.w[i] = 0;
        else if (width - lo < 32) v.w[i] &= (1u << (width - lo)) - 1u;
    }
}

Value randomValue(Rng& rng, unsigned width) {
    Value v;
    for (unsigned i = 0; i < kWords; ++i) v.w[i] = static_cast<uint32_t>(rng.next() >> 32);
    maskTo(v, width);
    return v;
}

// ---------------------------------------------------------------------------------------
// Command line.

struct Options {
    std::string vectorsPath;
    std::string outPath;
    std::string wavePath;
    long latency = -1;
    long width = -1;
    double bubble = 0.0;
    uint64_t seed = 1;
    long waveFrom = -1;          // first traced cycle; -1: L + 64 cycles before the failure
    bool inOrder = false;        // results matched in order whenever they come; latency not checked
    std::string commandLine;     // to print how to reproduce a failure
};

const char* const kUsage =
    "usage: pipeline_harness --vectors FILE --latency L --width W [--out FILE] [--in-order]\n"
    "                        [--bubble P] [--seed S] [--wave FILE.vcd] [--wave-from C]\n"
    "  FILE: one vector per line, 'a b' or 'a b expected' in hex (results checked when given)\n"
    "  --out: one hex result per line, in input order      --bubble: P(in_valid low) per cycle\n"
    "  --in-order: each out_valid beat answers the oldest open vector, at any latency (L then\n"
    "              only sets the idle cycles after reset)\n"
    "  --wave: waveform written on a mismatch (default: FILE.vcd next to the vectors)\n"
    "  --wave-from: first cycle in the waveform (default: latency + 64 cycles before the failure)\n";

Options parseArgs(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            std::fputs(kUsage, stdout);
            std::exit(0);
        }
        if (arg == "--in-order") {
            o.inOrder = true;
            continue;
        }
        if (i + 1 >= argc) usageError("%s needs a value (--help for usage)", arg.c_str());
        const char* val = argv[++i];
        char* end = nullptr;
        errno = 0;
        if (arg == "--vectors") o.vectorsPath = val;
        else if (arg == "--out") o.outPath = val;
        else if (arg == "--wave") o.wavePath = val;
        else if (arg == "--latency") {
            o.latency = std::strtol(val, &end, 10);
            if (*end || errno || o.latency < 0 || o.latency > 1000000)
                usageError("--latency must be an integer 0..1000000, got '%s'", val);
        } else if (arg == "--width") {
            o.width = std::strtol(val, &end, 10);
            if (*end || errno || o.width < 1 || o.width > kMaxWidth)
                usageError("--width must be an integer 1..%u, got '%s'", kMaxWidth, val);
        } else if (arg == "--bubble") {
            o.bubble = std::strtod(val, &end);
            if (*end || errno || !(o.bubble >= 0.0 && o.bubble < 1.0))
                usageError("--bubble must be a probability in [0, 1), got '%s'", val);
        } else if (arg == "--wave-from") {
            o.waveFrom = std::strtol(val, &end, 10);
            if (*end || errno || o.waveFrom < 0) usageError("--wave-from must be a cycle number, got '%s'", val);
        } else if (arg == "--seed") {
            o.seed = std::strtoull(val, &end, 10);
            if (*end || errno) usageError("--seed must be a non-negative integer, got '%s'", val);
        } else {
            usageError("unknown option '%s' (--help for usage)", arg.c_str());
        }
    }
    if (o.vectorsPath.empty()) usageError("--vectors FILE is required (--help for usage)");
    if (o.latency < 0) usageError("--latency L is required (--help for usage)");
    if (o.width < 0) usageError("--width W is required (--help for usage)");
    if (static_cast<unsigned>(o.width) < PortInfo<APort>::minBits ||
        static_cast<unsigned>(o.width) > PortInfo<APort>::maxBits)
        usageError("--width %ld does not match the model: its ports a, b, out are %u..%u bits wide",
                   o.width, PortInfo<APort>::minBits, PortInfo<APort>::maxBits);
    if (o.wavePath.empty()) o.wavePath = o.vectorsPath + ".vcd";
    for (int i = 0; i < argc; ++i) {
        if (i) o.commandLine += ' ';
        o.commandLine += argv[i];
    }
    return o;
}

struct Vectors {
    std::vector<Value> a, b, expected;
    bool checked = false;
    std::size_t size() const { return a.size(); }
};

Vectors readVectors(const std::string& path, unsigned width) {
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) usageError("cannot read vectors file %s: %s", path.c_str(), std::strerror(errno));
    std::string text;
    char buf[1 << 16];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
    std::fclose(f);

    Vectors v;
    std::size_t pos = 0;
    unsigned long lineNo = 0;
    int fieldsPerLine = 0;
    while (pos < text.size()) {
        std::size_t eol = text.find('\n', pos);
        if (eol == std::string::npos) eol = text.size();
        ++lineNo;
        const char* tok[4];
        std::size_t len[4];
        int k = 0;
        for (std::size_t i = pos; i < eol;) {
            while (i < eol && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r')) ++i;
            if (i >= eol || text[i] == '#') break;
            const std::size_t start = i;
            while (i < eol && text[i] != ' ' && text[i] != '\t' && text[i] != '\r') ++i;
            if (k == 4) usageError("%s:%lu: more than 3 fields", path.c_str(), lineNo);
            tok[k] = text.data() + start;
            len[k] = i - start;
            ++k;
        }
        pos = eol + 1;
        if (k == 0) continue;
        if (k == 1) usageError("%s:%lu: expected 'a b' or 'a b expected' in hex", path.c_str(), lineNo);
        if (fieldsPerLine == 0) fieldsPerLine = k;
        if (k != fieldsPerLine)
            usageError("%s:%lu: %d fields, but the first vector has %d", path.c_str(), lineNo, k,
                       fieldsPerLine);
        Value x[3];
        for (int j = 0; j < k; ++j) {
            if (!parseHex(tok[j], len[j], width, x[j]))
                usageError("%s:%lu: '%.*s' is not a hex number of at most %u bits", path.c_str(),
                           lineNo, static_cast<int>(len[j]), tok[j], width);
        }
        v.a.push_back(x[0]);
        v.b.push_back(x[1]);
        if (k == 3) v.expected.push_back(x[2]);
    }
    v.checked = fieldsPerLine == 3;
    return v;
}

// ---------------------------------------------------------------------------------------
// The simulation.

enum class FailKind { None, Garbage, Wrong, Missing, Spurious, Stall };

struct Failure {
    FailKind kind = FailKind::None;
    uint64_t cycle = 0;         // cycle in which the bad output was sampled
    long vector = -1;           // vector due (or, for a spurious out_valid, next due), -1 if none
    uint64_t presented = 0;     // cycle in which that vector went in
    Value got{};
};

// When the results came out: one beat per out_valid answering a vector.
struct Timing {
    uint64_t beats = 0;
    uint64_t first = 0, last = 0;   // cycles of the first and last beat
    uint64_t maxGap = 0;            // most cycles between consecutive beats
    uint64_t latMin = UINT64_MAX, latMax = 0;  // cycles from a vector taken to its result
    uint64_t dropped = 0;           // vectors taken that got no result (--in-order only)

    void beat(uint64_t cycle, uint64_t taken) {
        if (beats == 0) first = cycle;
        else maxGap = std::max(maxGap, cycle - last);
        last = cycle;
        ++beats;
        latMin = std::min(latMin, cycle - taken);
        latMax = std::max(latMax, cycle - taken);
    }
    // "k=v" pairs for the summary line; `-` where there are too few beats.
    std::string summary() const {
        char buf[256];
        auto num = [](uint64_t v, bool ok) { return ok ? std::to_string(v) : std::string("-"); };
        std::string ii = "-";
        if (beats >= 2) {
            std::snprintf(buf, sizeof buf, "%.4f", static_cast<double>(last - first) / static_cast<double>(beats - 1));
            ii = buf;
        }
        std::snprintf(buf, sizeof buf,
                      "beats=%" PRIu64 " first_out=%s last_out=%s ii=%s max_gap=%s latency_min=%s latency_max=%s dropped=%" PRIu64,
                      beats, num(first, beats >= 1).c_str(), num(last, beats >= 1).c_str(), ii.c_str(),
                      num(maxGap, beats >= 2).c_str(), num(latMin, beats >= 1).c_str(), num(latMax, beats >= 1).c_str(), dropped);
        return buf;
    }
};

struct Outcome {
    Failure fail;
    Timing timing;
    std::size_t taken = 0;      // vectors the block took
    uint64_t cycles = 0;        // cycles simulated in all
    double seconds = 0;         // wall time of the simulation loop
    // Only in a traced re-run: where the failing vector's expected value did show up.
    long seenLatency = -1;
    uint64_t traceFrom = 0, traceTo = 0;
};

struct Due {
    uint64_t cycle;
    std::size_t index;
    uint64_t presented;
};

class Harness {
public:
    Harness(const Options& o, const Vectors& v) : opt_(o), vec_(v), width_(static_cast<unsigned>(o.width)) {
        outputs_.resize(v.size());
    }

    const std::vector<Value>& outputs() const { return outputs_; }

    // Runs from power-up. With `trace`, stops `kTracePastFail` cycles after `fail.cycle` and
    // writes a VCD of the window before it.
    Outcome run(bool trace, const Failure* known) {
        Outcome out;
        auto ctx = std::make_unique<VerilatedContext>();
        if (trace) ctx->traceEverOn(true);
        auto top = std::make_unique<TOP_CLASS>(ctx.get(), "TOP");
        std::unique_ptr<VerilatedVcdC> vcd;
        uint64_t traceFrom = 0, stopAfter = UINT64_MAX;
        if (trace) {
            vcd = std::make_unique<VerilatedVcdC>();
            ZKRTL_TRACE(top, vcd.get());
            const uint64_t back = kTraceContext + static_cast<uint64_t>(opt_.latency);
            traceFrom = opt_.waveFrom >= 0 ? std::min<uint64_t>(opt_.waveFrom, known->cycle)
                        : known->cycle > back ? known->cycle - back
                                              : 0;
            stopAfter = known->cycle + kTracePastFail;
            out.traceFrom = traceFrom;
            out.traceTo = stopAfter;
        }

        Rng bubbleRng(opt_.seed);
        Rng garbageRng(opt_.seed ^ 0x5a17c0ffee0ddf00ULL);
        const uint64_t L = static_cast<uint64_t>(opt_.latency);
        // Phases: reset [0, R) with in_valid=1 and garbage; drain [R, S) with in_valid=0, where
        // nothing may come out; stream from S = R + L + 1 on.
        const uint64_t streamStart = kResetCycles + L + 1;
        const std::size_t n = vec_.size();
        std::deque<Due> due;
        std::size_t next = 0;
        uint64_t cycle = 0;
        uint64_t lastOut = streamStart;  // last cycle a result was due (or the stream start)
        uint64_t lastProgress = streamStart;  // last cycle a vector was taken or a result came out
        const uint64_t stallLimit = kStallCycles + 2 * L;
        bool holding = false;            // the vector offered last cycle was not taken: offer it again
        Value got;
        bool failed = false;
        Value target{};
        if (trace && known->vector >= 0 && vec_.checked) target = vec_.expected[known->vector];

        auto dump = [&](uint64_t t) {
            if (vcd && cycle >= traceFrom) {
                if (!vcd->isOpen()) vcd->open(opt_.wavePath.c_str());
                vcd->dump(t);
            }
        };

        const auto t0 = std::chrono::steady_clock::now();
        top->clk = 0;
        for (;; ++cycle) {
            // --- drive inputs for this cycle (clock low)
            const bool inReset = cycle < kResetCycles;
            const bool streaming = cycle >= streamStart;
            bool present = false;
            // No bubble while a vector waits for in_ready: once offered, it stays until taken.
            if (streaming && next < n) present = holding || !(opt_.bubble > 0.0 && bubbleRng.unit() < opt_.bubble);
            top->rst = inReset ? 1 : 0;
            if (present) {
                setPort(top->a, vec_.a[next].w);
                setPort(top->b, vec_.b[next].w);
                top->in_valid = 1;
            } else {
                const Value ga = randomValue(garbageRng, width_);
                const Value gb = randomValue(garbageRng, width_);
                setPort(top->a, ga.w);
                setPort(top->b, gb.w);
                top->in_valid = inReset ? 1 : 0;
            }
            top->clk = 0;
            top->eval();
            dump(ctx->time());
            // The block takes the vector at the coming edge if it is ready; in_ready is sampled
            // after eval, as it may depend on in_valid.
            if (present) {
                holding = !inReady(*top);
                if (!holding) {
                    due.push_back({cycle + L, next, cycle});
                    ++next;
                    lastProgress = cycle;
                }
            }

            // --- sample outputs (after reset) and check the contract
            if (!inReset && !failed) {
                const bool ov = top->out_valid != 0;
                // In order: any out_valid answers the oldest open vector; else only at its cycle.
                const bool isDue = !due.empty() && (opt_.inOrder ? ov : due.front().cycle == cycle);
                Failure f;
                if (ov) getPort(top->out, got.w);
                if (ov && isDue && opt_.inOrder && vec_.checked && !equal(got, vec_.expected[due.front().index])) {
                    // A later open vector's result: the ones before it were dropped.
                    std::size_t k = 1;
                    while (k < due.size() && !equal(got, vec_.expected[due[k].index])) ++k;
                    if (k < due.size()) {
                        out.timing.dropped += k;
                        due.erase(due.begin(), due.begin() + static_cast<std::ptrdiff_t>(k));
                    }
                }
                if (ov && isDue) {
                    const Due d = due.front();
                    due.pop_front();
                    lastOut = cycle;
                    lastProgress = cycle;
                    out.timing.beat(cycle, d.presented);
                    outputs_[d.index] = got;
                    if (vec_.checked && !equal(got, vec_.expected[d.index]))
                        f = {FailKind::Wrong, cycle, static_cast<long>(d.index), d.presented, got};
                } else if (ov) {
                    f.kind = streaming ? FailKind::Spurious : FailKind::Garbage;
                    f.cycle = cycle;
                    f.got = got;
                    if (!due.empty()) {
                        f.vector = static_cast<long>(due.front().index);
                        f.presented = due.front().presented;
                    }
                } else if (isDue) {
                    const Due d = due.front();
                    due.pop_front();
                    lastOut = cycle;
                    f = {FailKind::Missing, cycle, static_cast<long>(d.index), d.presented, Value{}};
                } else if (next < n && cycle >= lastProgress + stallLimit) {
                    // Vectors wait, nothing taken and nothing out for long: report rather than spin.
                    f.kind = FailKind::Stall;
                    f.cycle = cycle;
                    f.vector = static_cast<long>(due.empty() ? next : due.front().index);
                    f.presented = due.empty() ? 0 : due.front().presented;
                } else if (opt_.inOrder && !due.empty() && cycle >= lastProgress + stallLimit) {
                    // Drained: whatever is still open will not come.
                    out.timing.dropped += due.size();
                    due.clear();
                }
                if (f.kind != FailKind::None) {
                    out.fail = f;
                    failed = true;
                    if (!trace) break;
                }
            }
            // In the traced re-run, note when the failing vector's expected value comes out.
            if (trace && cycle > known->cycle && out.seenLatency < 0 && known->vector >= 0 &&
                vec_.checked && top->out_valid) {
                getPort(top->out, got.w);
                if (equal(got, target)) out.seenLatency = static_cast<long>(cycle - known->presented);
            }
            if (trace && cycle >= stopAfter) break;
            // Done: every result out, then a few idle cycles with no spurious out_valid.
            if (!trace && next == n && due.empty() && cycle >= lastOut + kTrailCycles) break;

            // --- rising edge
            ctx->timeInc(5);
            top->clk = 1;
            top->eval();
            dump(ctx->time());
            ctx->timeInc(5);
        }
        out.taken = next;
        out.cycles = cycle + 1;
        out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        top->final();
        if (vcd) {
            if (vcd->isOpen()) vcd->close();
        }
        return out;
    }

private:
    const Options& opt_;
    const Vectors& vec_;
    unsigned width_;
    std::vector<Value> outputs_;
};

void report(const Options& o, const Vectors& v, const Outcome& first, const Outcome& traced,
            bool waveOk) {
    const Failure& f = first.fail;
    const long L = o.latency;
    std::string what;
    switch (f.kind) {
        case FailKind::Wrong: what = "wrong result"; break;
        case FailKind::Missing: what = "out_valid low when the result was due"; break;
        case FailKind::Spurious: what = "out_valid high when no result was due"; break;
        case FailKind::Garbage:
            what = "out_valid high after reset from garbage presented during reset (valid bits not reset?)";
            break;
        case FailKind::Stall: {
            char buf[160];
            std::snprintf(buf, sizeof buf, "stalled: no vector taken and no result out for %" PRIu64 " cycles",
                          kStallCycles + 2 * static_cast<uint64_t>(L));
            what = buf;
            break;
        }
        case FailKind::None: break;
    }
    std::string msg;
    char line[512];
    if (f.vector >= 0) {
        std::snprintf(line, sizeof line, "MISMATCH at vector %ld, cycle %" PRIu64 ": %s\n", f.vector,
                      f.cycle, what.c_str());
    } else {
        std::snprintf(line, sizeof line, "MISMATCH at cycle %" PRIu64 " (no vector due): %s\n", f.cycle,
                      what.c_str());
    }
    msg += line;
    if (f.vector >= 0) {
        msg += "  a        = 0x" + toHex(v.a[f.vector]) + "\n";
        msg += "  b        = 0x" + toHex(v.b[f.vector]) + "\n";
        msg += "  expected = " + (v.checked ? "0x" + toHex(v.expected[f.vector]) : std::string("(not given)")) +
               (f.kind == FailKind::Wrong || f.kind == FailKind::Missing || f.kind == FailKind::Stall ? "" : " (due later)") + "\n";
    }
    if (f.kind == FailKind::Missing || f.kind == FailKind::Stall) msg += "  got      = nothing (out_valid=0)\n";
    else msg += "  got      = 0x" + toHex(f.got) + " (out_valid=1)\n";
    if (f.kind == FailKind::Stall) {
        std::snprintf(line, sizeof line, "  the block took %zu of the %zu vectors; %" PRIu64 " results came out\n",
                      first.taken, v.size(), first.timing.beats);
        msg += line;
    } else if (f.vector >= 0 && !o.inOrder) {
        std::snprintf(line, sizeof line,
                      "  vector %ld went in at cycle %" PRIu64 ", due at cycle %" PRIu64 " (latency %ld)\n",
                      f.vector, f.presented, f.presented + L, L);
        msg += line;
    } else if (f.vector >= 0 && f.kind == FailKind::Wrong) {
        std::snprintf(line, sizeof line,
                      "  vector %ld went in at cycle %" PRIu64 " (results in order, at any latency; the value is no open vector's)\n",
                      f.vector, f.presented);
        msg += line;
    }
    if (first.timing.beats > 0) msg += "  results so far: " + first.timing.summary() + "\n";
    if (f.kind == FailKind::Spurious && f.vector >= 0 && v.checked && equal(f.got, v.expected[f.vector])) {
        std::snprintf(line, sizeof line,
                      "  hint: that is vector %ld's expected result, %" PRIu64 " cycles after it went in: "
                      "the latency looks like %" PRIu64 ", not %ld\n",
                      f.vector, f.cycle - f.presented, f.cycle - f.presented, L);
        msg += line;
    } else if (f.kind == FailKind::Missing && traced.seenLatency >= 0) {
        std::snprintf(line, sizeof line,
                      "  hint: vector %ld's expected result came out with out_valid=1 %ld cycles after it "
                      "went in: the latency looks like %ld, not %ld\n",
                      f.vector, traced.seenLatency, traced.seenLatency, L);
        msg += line;
    }
    std::snprintf(line, sizeof line, "  run: %zu vectors, bubble probability %g, seed %" PRIu64 "\n", v.size(),
                  o.bubble, o.seed);
    msg += line;
    if (waveOk) {
        std::snprintf(line, sizeof line,
                      "  waveform: %s (cycles %" PRIu64 "..%" PRIu64 "; cycle c starts at time 10c, "
                      "rising edge at 10c+5)\n",
                      o.wavePath.c_str(), traced.traceFrom, traced.traceTo);
        msg += line;
    } else {
        msg += kCanTrace ? "  waveform: none (the re-run with tracing did not reproduce the failure)\n" : kNoTraceWaveform;
    }
    msg += "  rerun: " + o.commandLine + "\n";
    std::fputs(msg.c_str(), stderr);
    // Also a machine-readable line, for drivers that want the waveform path.
    if (waveOk) std::fprintf(stderr, "WAVEFORM %s\n", o.wavePath.c_str());
}

}  // namespace

int main(int argc, char** argv) {
    const Options opt = parseArgs(argc, argv);
    const Vectors vec = readVectors(opt.vectorsPath, static_cast<unsigned>(opt.width));

    Harness h(opt, vec);
    const Outcome first = h.run(false, nullptr);
    if (first.fail.kind != FailKind::None) {
        Outcome traced;
        const bool same = tracedRerun<Harness>(first, traced, opt, vec);
        report(opt, vec, first, traced, same);
        return kExitMismatch;
    }

    if (!opt.outPath.empty()) {
        FILE* f = std::fopen(opt.outPath.c_str(), "wb");
        if (!f) usageError("cannot write %s: %s", opt.outPath.c_str(), std::strerror(errno));
        std::string text;
        text.reserve(vec.size() * (opt.width / 4 + 2));
        for (const Value& r : h.outputs()) {
            text += toHex(r);
            text += '\n';
        }
        if (std::fwrite(text.data(), 1, text.size(), f) != text.size() || std::fclose(f) != 0)
            usageError("cannot write %s: %s", opt.outPath.c_str(), std::strerror(errno));
    }
    std::printf("OK vectors=%zu cycles=%" PRIu64 " sim_seconds=%.6f %s\n", vec.size(), first.cycles, first.seconds,
                first.timing.summary().c_str());
    return 0;
}
