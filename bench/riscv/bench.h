/* Freestanding support for the rv32im benchmark programs: output through the Linux RISC-V
 * write system call (a7 = 64), the memcpy/memset the compiler may call, and a small
 * pseudo-random generator. Each benchmark is one translation unit that includes this file. */
#ifndef ZKRTL_BENCH_H
#define ZKRTL_BENCH_H

typedef unsigned int u32;
typedef int i32;
typedef unsigned long long u64;
typedef unsigned char u8;
typedef unsigned long size_t;

static long bench_write(int fd, const void *buf, size_t len) {
    register long a0 __asm__("a0") = fd;
    register long a1 __asm__("a1") = (long)buf;
    register long a2 __asm__("a2") = (long)len;
    register long a7 __asm__("a7") = 64;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
    return a0;
}

void *memcpy(void *dst, const void *src, size_t n) {
    u8 *d = (u8 *)dst;
    const u8 *s = (const u8 *)src;
    while (n--) *d++ = *s++;
    return dst;
}

void *memset(void *dst, int c, size_t n) {
    u8 *d = (u8 *)dst;
    while (n--) *d++ = (u8)c;
    return dst;
}

static size_t bench_strlen(const char *s) {
    size_t n = 0;
    while (s[n]) n++;
    return n;
}

static void print_str(const char *s) { bench_write(1, s, bench_strlen(s)); }

static void print_hex(u32 v) {
    char buf[11];
    buf[0] = '0';
    buf[1] = 'x';
    for (int i = 0; i < 8; i++) buf[2 + i] = "0123456789abcdef"[(v >> (28 - 4 * i)) & 15];
    buf[10] = 0;
    print_str(buf);
}

static void print_dec(u32 v) {
    char buf[11];
    int i = 10;
    buf[i] = 0;
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    print_str(buf + i);
}

/* "name: label value\n" */
static void report(const char *name, const char *label, u32 v, int hex) {
    print_str(name);
    print_str(": ");
    print_str(label);
    print_str(" ");
    if (hex) print_hex(v); else print_dec(v);
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
