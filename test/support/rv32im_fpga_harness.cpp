// Verilator harness for the rv32im FPGA top (src/synth/wrappers.ts, rv32imFpgaTop): loads a
// program through the top's own serial loader and runs it, so the test exercises the pins
// nextpnr places. Usage: harness WORDS.hex MAX_CYCLES
//   WORDS.hex: one 32-bit word per line (hex), stored from the code base up.
// Protocol: rst low for 2 cycles, then rst high while each word is shifted in on din (MSB
// first, one bit per cycle), one more cycle for the last write, then rst low and run until
// `halted` or MAX_CYCLES. Prints one line: `halted=H code=C cycles=N trace=T`.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "verilated.h"

#ifndef TOP_CLASS
#error "compile with -DTOP_CLASS=V<top> -DTOP_HEADER='\"V<top>.h\"'"
#endif
#include TOP_HEADER

int main(int argc, char **argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s WORDS.hex MAX_CYCLES\n", argv[0]);
        return 2;
    }
    std::vector<uint32_t> words;
    FILE *f = std::fopen(argv[1], "r");
    if (!f) {
        std::fprintf(stderr, "cannot read %s\n", argv[1]);
        return 2;
    }
    unsigned w;
    while (std::fscanf(f, "%x", &w) == 1) words.push_back(w);
    std::fclose(f);
    const uint64_t max_cycles = std::strtoull(argv[2], nullptr, 10);

    VerilatedContext ctx;
    TOP_CLASS top(&ctx);
    uint64_t cycles = 0;
    auto tick = [&]() {
        top.clk = 0;
        top.eval();
        top.clk = 1;
        top.eval();
        cycles++;
    };
    top.din = 0;
    top.rst = 0;
    tick();
    tick();
    top.rst = 1;
    for (uint32_t word : words) {
        for (int b = 31; b >= 0; b--) {
            top.din = (word >> b) & 1u;
            tick();
        }
    }
    top.din = 0;
    for (int i = 0; i < 33; i++) tick();  // the last write, and at least 32 reset cycles
    top.rst = 0;
    const uint64_t start = cycles;
    while (!top.halted && cycles - start < max_cycles) tick();
    std::printf("halted=%d code=%d cycles=%llu trace=%d\n", (int)top.halted, (int)top.code,
                (unsigned long long)(cycles - start), (int)top.trace_byte);
    top.final();
    return 0;
}
