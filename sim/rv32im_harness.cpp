// Verilator harness for the rv32im cores (src/gen/rv32im.ts): runs one program.
//   -DTOP_CLASS=Vrv32im_p5 -DTOP_HEADER='"Vrv32im_p5.h"'
//
// Usage:
//   V<top> --image FILE --entry HEX --ram BYTES --summary FILE [--max-cycles N]
//          [--trace FILE] [--wait-seed S --wait-prob P] [--wave FILE --wave-from C --wave-to C]
//
// The RAM (BYTES at address 0) starts as the image file (raw bytes at address 0, the rest
// zero); pc = entry, sp = BYTES. Memory: both ports answer in the same cycle, or after
// random wait states (probability P per cycle, seeded); an access outside RAM is answered
// with a fault. ECALL (Linux RISC-V user ABI subset): a7 = 64 write(fd, buf, len) copies the
// bytes of fd 1 to our stdout and fd 2 to our stderr and returns len (another fd: fault
// unknown-ecall; a buffer not inside RAM: fault load-outside-ram); a7 = 93 / 94 exit(a0 & 0xff);
// anything else and EBREAK are faults.
//
// Results: the program's output on stdout/stderr; a JSON summary (--summary): stop reason,
// cycles, instret, cause_cycles (the cycles of each perf_stall code: entry i counts code i;
// the names are in the manifest, src/gen/rv32im.ts PERF_CAUSES) and partition_errors (the
// cycles where "perf_stall is 0" and rvfi_valid disagree; first_partition_error: the first
// of them, or -1); with --trace, the retired rows as little-endian uint32 records of 18
// words: cycle, order, insn, flags (bit0 trap, bit1 halt), pc_rdata, pc_wdata, rs1_addr,
// rs2_addr, rs1_rdata, rs2_rdata, rd_addr, rd_wdata, mem_addr, mem_rmask, mem_wmask,
// mem_rdata, mem_wdata, trap_cause. --wave writes a VCD of the cycles [from, to]. Exit code
// 0 when the run ended (exit, fault or max-cycles: see the summary), 2 on bad usage, 3 when
// the core breaks the data port protocol (a waiting request changed).
//
// Timing: inputs are set while clk is low (eval), the retiring row is read, then the rising
// edge (eval). The core's requests depend on its registers only, so they are read after the edge.

#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "verilated.h"
#include "vcd_support.h"

#ifndef TOP_CLASS
#error "define TOP_CLASS (the Verilated model class, e.g. -DTOP_CLASS=Vrv32im_p5)"
#endif
#ifndef TOP_HEADER
#error "define TOP_HEADER"
#endif
#include TOP_HEADER

namespace {

constexpr int kExitUsage = 2;
constexpr int kResetCycles = 72;  // the register file needs 32 cycles of rst to initialise, a block-RAM BTB up to 64

[[noreturn]] void usageError(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    std::fputs("rv32im_harness: error: ", stderr);
    std::vfprintf(stderr, fmt, ap);
    std::fputc('\n', stderr);
    va_end(ap);
    std::exit(kExitUsage);
}

uint64_t parseU64(const char* what, const char* s, int base) {
    char* end = nullptr;
    errno = 0;
    unsigned long long v = std::strtoull(s, &end, base);
    if (errno || !end || *end || end == s) usageError("%s '%s' is not a number", what, s);
    return v;
}

struct Rng {  // xorshift64*
    uint64_t s;
    explicit Rng(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull) {
        if (!s) s = 1;
    }
    uint32_t next() {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        return static_cast<uint32_t>((s * 0x2545F4914F6CDD1Dull) >> 32);
    }
};

const char* const kTrapCauses[8] = {
    "none", "illegal-instruction", "misaligned-fetch", "fetch-outside-ram",
    "misaligned-load", "misaligned-store", "load-outside-ram", "store-outside-ram",
};
constexpr int kCauseCodes = 16;  // perf_stall is 4 bits

std::string jsonEscape(const std::string& s) {
    std::string o;
    for (char c : s) {
        if (c == '"' || c == '\\') {
            o += '\\';
            o += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char b[8];
            std::snprintf(b, sizeof b, "\\u%04x", c);
            o += b;
        } else {
            o += c;
        }
    }
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    const char* imagePath = nullptr;
    const char* summaryPath = nullptr;
    const char* tracePath = nullptr;
    const char* wavePath = nullptr;
    uint64_t entry = 0, ramBytes = 0, maxCycles = UINT64_MAX, waitSeed = 1, waveFrom = 0, waveTo = UINT64_MAX;
    double waitProb = 0;
    bool haveEntry = false;
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        auto val = [&]() -> const char* {
            if (i + 1 >= argc) usageError("%s needs a value", a.c_str());
            return argv[++i];
        };
        if (a == "--image") imagePath = val();
        else if (a == "--entry") { entry = parseU64("--entry", val(), 16); haveEntry = true; }
        else if (a == "--ram") ramBytes = parseU64("--ram", val(), 10);
        else if (a == "--max-cycles") maxCycles = parseU64("--max-cycles", val(), 10);
        else if (a == "--summary") summaryPath = val();
        else if (a == "--trace") tracePath = val();
        else if (a == "--wait-seed") waitSeed = parseU64("--wait-seed", val(), 10);
        else if (a == "--wait-prob") {
            const char* s = val();
            char* end = nullptr;
            waitProb = std::strtod(s, &end);
            if (!end || *end || !(waitProb >= 0 && waitProb < 1)) usageError("--wait-prob '%s' must be in [0, 1)", s);
        }
        else if (a == "--wave") wavePath = val();
        else if (a == "--wave-from") waveFrom = parseU64("--wave-from", val(), 10);
        else if (a == "--wave-to") waveTo = parseU64("--wave-to", val(), 10);
        else usageError("unknown argument '%s'", a.c_str());
    }
    if (!imagePath || !summaryPath || !haveEntry || !ramBytes) usageError("--image, --entry, --ram and --summary are required");
    if (ramBytes % 4 || ramBytes > 0x100000000ull) usageError("--ram %" PRIu64 " must be a multiple of 4, at most 4 GiB", ramBytes);
    if (entry > 0xffffffffull) usageError("--entry 0x%" PRIx64 " does not fit in 32 bits", entry);

    std::vector<uint8_t> ram(ramBytes, 0);
    {
        FILE* f = std::fopen(imagePath, "rb");
        if (!f) usageError("cannot open %s: %s", imagePath, std::strerror(errno));
        size_t n = std::fread(ram.data(), 1, ram.size(), f);
        int extra = std::fgetc(f);
        std::fclose(f);
        if (extra != EOF) usageError("image %s is larger than the RAM (%" PRIu64 " bytes)", imagePath, ramBytes);
        (void)n;
    }
    FILE* traceFile = nullptr;
    if (tracePath) {
        traceFile = std::fopen(tracePath, "wb");
        if (!traceFile) usageError("cannot write %s: %s", tracePath, std::strerror(errno));
    }

    auto ctx = std::make_unique<VerilatedContext>();
    if (wavePath) ctx->traceEverOn(true);
    auto top = std::make_unique<TOP_CLASS>(ctx.get());
    std::unique_ptr<VerilatedVcdC> vcd;
    auto dump = [&](uint64_t t) {
        if (vcd) vcd->dump(t);
    };

    Rng rng(waitSeed);
    const uint32_t waitThreshold = static_cast<uint32_t>(waitProb * 4294967296.0);
    const bool waits = waitThreshold != 0;
    const uint64_t ramLimit = ramBytes;
    auto inRam = [&](uint64_t addr, uint64_t len) { return addr + len <= ramLimit && addr + len >= addr; };
    auto rd32 = [&](uint32_t addr) {
        uint32_t w;
        std::memcpy(&w, &ram[addr], 4);
        return w;
    };

    top->clk = 0;
    top->rst = 1;
    top->reset_pc = static_cast<uint32_t>(entry);
    top->reset_sp = static_cast<uint32_t>(ramBytes);  // 4 GiB wraps to 0
    top->imem_ready = 0;
    top->dmem_ready = 0;
    top->env_ack = 0;
    for (int i = 0; i < kResetCycles; i++) {
        top->clk = 0;
        top->eval();
        top->clk = 1;
        top->eval();
    }
    top->rst = 0;
    top->clk = 0;
    top->eval();

    uint64_t cycles = 0, instret = 0;
    uint64_t causeCycles[kCauseCodes] = {};
    uint64_t partitionErrors = 0;
    int64_t firstPartitionError = -1;
    bool stopped = false;
    std::string stopJson;
    uint32_t lastFaultAddr = 0;
    bool envFault = false;  // the environment answered the current ECALL/EBREAK with a fault
    std::string envDetail;
    uint32_t nextPc = static_cast<uint32_t>(entry), lastInsn = 0;
    std::vector<uint32_t> traceBuf;
    if (traceFile) traceBuf.reserve(18 * 4096);
    uint32_t pendingWriteAddr = 0, pendingWriteData = 0, pendingWriteStrb = 0;
    // Protocol check: a data request that waited must be presented unchanged until ready.
    bool dWaiting = false;
    uint32_t dAddr = 0, dStrb = 0, dData = 0;

    const auto t0 = std::chrono::steady_clock::now();
    const std::clock_t c0 = std::clock();
    while (!stopped) {
        if (cycles >= maxCycles) {
            char b[256];
            std::snprintf(b, sizeof b,
                          "{\"kind\":\"fault\",\"cause\":\"max-cycles\",\"pc\":%u,\"insn\":%u,\"detail\":\"no exit after %" PRIu64 " cycles\"}",
                          nextPc, (nextPc % 4 == 0 && inRam(nextPc, 4)) ? rd32(nextPc) : 0u, cycles);
            stopJson = b;
            break;
        }
        if (wavePath && !vcd && cycles >= waveFrom) {
            vcd = std::make_unique<VerilatedVcdC>();
            ZKRTL_TRACE(top, vcd.get());
            vcd->open(wavePath);
        }
        if (vcd && cycles > waveTo) {
            vcd->close();
            vcd.reset();
            wavePath = nullptr;
        }
        // Answer the requests the core presents this cycle.
        if (top->imem_valid) {
            bool ready = !waits || rng.next() >= waitThreshold;
            top->imem_ready = ready;
            if (ready) {
                uint32_t a = top->imem_addr & ~3u;
                bool ok = inRam(a, 4);
                top->imem_fault = !ok;
                top->imem_rdata = ok ? rd32(a) : 0;
            }
        } else {
            top->imem_ready = 0;
        }
        pendingWriteStrb = 0;
        if (dWaiting && (!top->dmem_valid || top->dmem_addr != dAddr || top->dmem_wstrb != dStrb ||
                         (dStrb && top->dmem_wdata != dData))) {
            std::fprintf(stderr, "rv32im_harness: protocol error at cycle %" PRIu64 ": the data request changed while waiting for dmem_ready\n", cycles);
            std::exit(3);
        }
        dWaiting = false;
        if (top->dmem_valid) {
            bool ready = !waits || rng.next() >= waitThreshold;
            top->dmem_ready = ready;
            if (!ready) {
                dWaiting = true;
                dAddr = top->dmem_addr;
                dStrb = top->dmem_wstrb;
                dData = top->dmem_wdata;
            }
            if (ready) {
                uint32_t a = top->dmem_addr & ~3u;
                bool ok = inRam(a, 4);
                top->dmem_fault = !ok;
                if (!ok) lastFaultAddr = top->dmem_addr;
                top->dmem_rdata = ok ? rd32(a) : 0;
                if (ok && top->dmem_wstrb) {
                    pendingWriteAddr = a;
                    pendingWriteData = top->dmem_wdata;
                    pendingWriteStrb = top->dmem_wstrb;
                }
            }
        } else {
            top->dmem_ready = 0;
        }
        top->env_ack = 0;
        if (top->env_req) {
            bool ready = !waits || rng.next() >= waitThreshold;
            if (ready) {
                top->env_ack = 1;
                top->env_ack_a0 = 0;
                envFault = false;
                const uint32_t a0 = top->env_a0, a1 = top->env_a1, a2 = top->env_a2, a7 = top->env_a7;
                char b[256];
                if (top->env_ebreak) {
                    top->env_ack_kind = 2;
                    envFault = true;
                    envDetail = "\"cause\":\"ebreak\",\"detail\":\"EBREAK\"";
                } else if (a7 == 64 && a0 != 1 && a0 != 2) {
                    top->env_ack_kind = 2;
                    envFault = true;
                    std::snprintf(b, sizeof b, "\"cause\":\"unknown-ecall\",\"detail\":\"write to fd %u (only 1 and 2 exist)\"", a0);
                    envDetail = b;
                } else if (a7 == 64 && a2 != 0 && !inRam(a1, a2)) {
                    top->env_ack_kind = 2;
                    envFault = true;
                    std::snprintf(b, sizeof b, "\"cause\":\"load-outside-ram\",\"detail\":\"write buffer 0x%08x+%u outside RAM\"", a1, a2);
                    envDetail = b;
                } else if (a7 == 64) {
                    top->env_ack_kind = 0;
                    FILE* out = a0 == 1 ? stdout : stderr;
                    if (a2) {
                        std::fwrite(&ram[a1], 1, a2, out);
                        std::fflush(out);
                    }
                    top->env_ack_a0 = a2;
                } else if (a7 == 93 || a7 == 94) {
                    top->env_ack_kind = 1;
                    std::snprintf(b, sizeof b, "{\"kind\":\"exit\",\"code\":%u}", a0 & 0xffu);
                    stopJson = b;
                } else {
                    top->env_ack_kind = 2;
                    envFault = true;
                    std::snprintf(b, sizeof b, "\"cause\":\"unknown-ecall\",\"detail\":\"unknown ecall a7=%u\"", a7);
                    envDetail = b;
                }
            }
        }
        top->clk = 0;
        top->eval();
        dump(cycles * 10);
        {
            // One cause per cycle; code 0 (retire) exactly when a row retires.
            const uint32_t code = static_cast<uint32_t>(top->perf_stall) & (kCauseCodes - 1);
            causeCycles[code]++;
            if ((code == 0) != (top->rvfi_valid != 0)) {
                if (!partitionErrors) firstPartitionError = static_cast<int64_t>(cycles);
                partitionErrors++;
            }
        }
        if (top->rvfi_valid) {
            instret++;
            nextPc = top->rvfi_pc_wdata;
            lastInsn = top->rvfi_insn;
            if (traceFile) {
                const uint32_t rec[18] = {
                    static_cast<uint32_t>(cycles), static_cast<uint32_t>(top->rvfi_order), top->rvfi_insn,
                    static_cast<uint32_t>(top->rvfi_trap) | (static_cast<uint32_t>(top->rvfi_halt) << 1),
                    top->rvfi_pc_rdata, top->rvfi_pc_wdata, top->rvfi_rs1_addr, top->rvfi_rs2_addr,
                    top->rvfi_rs1_rdata, top->rvfi_rs2_rdata, top->rvfi_rd_addr, top->rvfi_rd_wdata,
                    top->rvfi_mem_addr, top->rvfi_mem_rmask, top->rvfi_mem_wmask, top->rvfi_mem_rdata,
                    top->rvfi_mem_wdata, top->rvfi_trap_cause,
                };
                traceBuf.insert(traceBuf.end(), rec, rec + 18);
                if (traceBuf.size() >= 18 * 4096) {
                    std::fwrite(traceBuf.data(), 4, traceBuf.size(), traceFile);
                    traceBuf.clear();
                }
            }
            if (top->rvfi_halt) {
                stopped = true;
                if (top->rvfi_trap) {
                    char b[512];
                    std::string detail;
                    const uint32_t pc = top->rvfi_pc_rdata, insn = top->rvfi_insn;
                    if (envFault) {
                        std::snprintf(b, sizeof b, "{\"kind\":\"fault\",%s,\"pc\":%u,\"insn\":%u}", envDetail.c_str(), pc, insn);
                    } else {
                        const unsigned c = top->rvfi_trap_cause & 7u;
                        char d[160];
                        switch (c) {
                            case 1: std::snprintf(d, sizeof d, "illegal instruction"); break;
                            case 2: std::snprintf(d, sizeof d, "fetch from misaligned pc 0x%08x", pc); break;
                            case 3: std::snprintf(d, sizeof d, "fetch from 0x%08x outside RAM (%" PRIu64 " bytes)", pc, ramBytes); break;
                            case 4: std::snprintf(d, sizeof d, "misaligned load"); break;
                            case 5: std::snprintf(d, sizeof d, "misaligned store"); break;
                            case 6: std::snprintf(d, sizeof d, "load from 0x%08x outside RAM (%" PRIu64 " bytes)", lastFaultAddr, ramBytes); break;
                            case 7: std::snprintf(d, sizeof d, "store to 0x%08x outside RAM (%" PRIu64 " bytes)", lastFaultAddr, ramBytes); break;
                            default: std::snprintf(d, sizeof d, "trap"); break;
                        }
                        std::snprintf(b, sizeof b, "{\"kind\":\"fault\",\"cause\":\"%s\",\"pc\":%u,\"insn\":%u,\"detail\":\"%s\"}",
                                      kTrapCauses[c], pc, insn, jsonEscape(d).c_str());
                    }
                    stopJson = b;
                }
            }
        }
        top->clk = 1;
        top->eval();
        dump(cycles * 10 + 5);
        if (pendingWriteStrb) {
            for (int i = 0; i < 4; i++) {
                if (pendingWriteStrb & (1u << i)) ram[pendingWriteAddr + i] = static_cast<uint8_t>(pendingWriteData >> (8 * i));
            }
        }
        cycles++;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cpuSeconds = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
    (void)lastInsn;
    if (vcd) {
        top->clk = 0;
        top->eval();
        dump(cycles * 10);
        vcd->close();
    }
    if (traceFile) {
        if (!traceBuf.empty()) std::fwrite(traceBuf.data(), 4, traceBuf.size(), traceFile);
        std::fclose(traceFile);
    }
    std::fflush(stdout);
    std::fflush(stderr);
    FILE* s = std::fopen(summaryPath, "w");
    if (!s) usageError("cannot write %s: %s", summaryPath, std::strerror(errno));
    std::fprintf(s, "{\"stop\":%s,\"cycles\":%" PRIu64 ",\"instret\":%" PRIu64 ",\"sim_seconds\":%.6f,\"cpu_seconds\":%.6f,\"cause_cycles\":[",
                 stopJson.c_str(), cycles, instret, seconds, cpuSeconds);
    for (int i = 0; i < kCauseCodes; i++) std::fprintf(s, "%s%" PRIu64, i ? "," : "", causeCycles[i]);
    std::fprintf(s, "],\"partition_errors\":%" PRIu64 ",\"first_partition_error\":%" PRId64 "}\n", partitionErrors, firstPartitionError);
    std::fclose(s);
    top->final();
    return 0;
}
