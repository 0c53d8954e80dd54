/* Support for the rv32im benchmark programs: riscv/zkrtl.h (system calls, memcpy/memset,
 * print helpers) plus a one-line result format and a small pseudo-random generator. Each
 * benchmark is one translation unit that includes this file. */
#ifndef ZKRTL_BENCH_H
#define ZKRTL_BENCH_H

#include "zkrtl.h"

/* "name: label value\n", the value in hex or unsigned decimal. */
static void report(const char *name, const char *label, u32 v, int hex) {
    print_str(name);
    print_str(": ");
    print_str(label);
    print_str(" ");
    if (hex) print_hex(v); else print_udec(v);
    print_str("\n");
}

/* xorshift32: deterministic pseudo-random numbers. */
static u32 rng_state = 2463534242u;
__attribute__((unused)) static u32 rng_next(void) {
    u32 x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    rng_state = x;
    return x;
}

#endif
