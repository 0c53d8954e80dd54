// The VCD writer of a harness, or, in a simulator built without --trace, a stand-in that
// writes nothing. zkrtl builds without tracing (its code is a quarter of an RTL build's
// compile time and half of a gate-level netlist's); a run that needs a waveform is run again
// on a traced build of the same sources (tracedSimulator, src/sim/verilator.ts).
#pragma once
#include <cstdint>

// Whether this build can write a waveform (the Verilated makefile defines VM_TRACE 0 or 1).
constexpr bool kCanTrace = VM_TRACE != 0;
// The waveform line of a mismatch report when the build cannot trace.
constexpr const char* kNoTraceWaveform = "  waveform: none (built without --trace: zkrtl runs these inputs again on a traced build of the same sources)\n";

#if VM_TRACE
#include "verilated_vcd_c.h"
// Attaches the model's signals to the writer.
#define ZKRTL_TRACE(top, vcd) (top)->trace((vcd), 99)
#else
class VerilatedVcdC {
public:
    bool isOpen() const { return false; }
    void open(const char*) {}
    void dump(uint64_t) {}
    void close() {}
};
#define ZKRTL_TRACE(top, vcd) ((void)(top), (void)(vcd))
#endif

// After a failure, runs the inputs again on a fresh harness with tracing (where the build can
// trace) and says whether that re-run failed the same way; `traced` is its outcome, else
// `first`. The driver re-runs an untraced build's failures on a traced build itself.
template <class Harness, class Outcome, class... Inputs>
bool tracedRerun(const Outcome& first, Outcome& traced, const Inputs&... inputs) {
    traced = first;
    if (!kCanTrace) return false;
    Harness again(inputs...);
    traced = again.run(true, &first.fail);
    return traced.fail.kind == first.fail.kind && traced.fail.cycle == first.fail.cycle;
}
