// The VCD writer of a harness, or, in a simulator built without --trace, a stand-in that
// writes nothing. zkrtl builds without tracing (its code is a quarter of an RTL build's
// compile time and half of a gate-level netlist's); a run that needs a waveform is run again
// on a traced build of the same sources (tracedSimulator, src/sim/verilator.ts).
#pragma once
#include <cstdint>

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
