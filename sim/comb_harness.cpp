// Verilator harness for a combinational module with one input port `in` and one output port
// `out` (any widths): evaluates one input vector per line.
//   -DTOP_CLASS=Vtop -DTOP_HEADER='"Vtop.h"'
//
// Usage: V<top> --in FILE --out FILE
// FILE (--in): one hex value of `in` per line; --out receives one hex value of `out` per line.
// Exit code 0 when every line was evaluated, 2 on bad usage or a bad line.

#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>

#include "verilated.h"

#ifndef TOP_CLASS
#error "define TOP_CLASS (the Verilated model class)"
#endif
#ifndef TOP_HEADER
#error "define TOP_HEADER"
#endif
#include TOP_HEADER

#include "harness_support.h"

namespace {
constexpr int kExitUsage = 2;
}

int main(int argc, char** argv) {
    const char* inPath = nullptr;
    const char* outPath = nullptr;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--in") == 0) inPath = argv[i + 1];
        else if (std::strcmp(argv[i], "--out") == 0) outPath = argv[i + 1];
        else {
            std::fprintf(stderr, "unknown option %s: usage %s --in FILE --out FILE\n", argv[i], argv[0]);
            return kExitUsage;
        }
    }
    if (!inPath || !outPath) {
        std::fprintf(stderr, "usage: %s --in FILE --out FILE\n", argv[0]);
        return kExitUsage;
    }
    std::ifstream in(inPath);
    if (!in) {
        std::fprintf(stderr, "cannot read %s\n", inPath);
        return kExitUsage;
    }
    std::FILE* out = std::fopen(outPath, "w");
    if (!out) {
        std::fprintf(stderr, "cannot write %s\n", outPath);
        return kExitUsage;
    }

    auto context = std::make_unique<VerilatedContext>();
    auto top = std::make_unique<TOP_CLASS>(context.get());
    using InT = zkrtl::PortT<decltype(top->in)>;
    using OutT = zkrtl::PortT<decltype(top->out)>;
    constexpr unsigned inWords = zkrtl::PortInfo<InT>::words;
    constexpr unsigned outWords = zkrtl::PortInfo<OutT>::words;
    uint32_t inW[inWords];
    uint32_t outW[outWords];
    std::string line;
    unsigned long n = 0;
    while (std::getline(in, line)) {
        ++n;
        if (line.empty()) continue;
        if (!zkrtl::parseHex(line.data(), line.size(), 32 * inWords, inW, inWords)) {
            std::fprintf(stderr, "%s line %lu: not a hex value of the input width\n", inPath, n);
            return kExitUsage;
        }
        zkrtl::setPort(top->in, inW);
        top->eval();
        zkrtl::getPort(top->out, outW);
        std::fprintf(out, "%s\n", zkrtl::toHex(outW, outWords).c_str());
    }
    std::fclose(out);
    top->final();
    return 0;
}
