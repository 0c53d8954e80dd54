/* Freestanding support for rv32im test programs (the programs in riscv/tests): the Linux RISC-V user
 * ABI subset that `zkrtl run` and qemu-riscv32 both implement (a7 = 64 write, a7 = 93 exit),
 * a few print helpers, and the memcpy/memset/memcmp the compiler may call (weak, so several
 * translation units may include this header). */
#ifndef ZKRTL_H
#define ZKRTL_H

typedef unsigned int u32;
typedef int i32;
typedef unsigned short u16;
typedef short i16;
typedef unsigned char u8;
typedef signed char i8;
typedef unsigned long long u64;
typedef long long i64;
typedef unsigned long size_t;

static inline long sys_write(int fd, const void *buf, size_t len) {
    register long a0 __asm__("a0") = fd;
    register long a1 __asm__("a1") = (long)buf;
    register long a2 __asm__("a2") = (long)len;
    register long a7 __asm__("a7") = 64;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
    return a0;
}

__attribute__((noreturn)) static inline void sys_exit(int code) {
    register long a0 __asm__("a0") = code;
    register long a7 __asm__("a7") = 93;
    __asm__ volatile("ecall" : : "r"(a0), "r"(a7) : "memory");
    for (;;) {}
}

__attribute__((weak)) void *memcpy(void *dst, const void *src, size_t n) {
    u8 *d = (u8 *)dst;
    const u8 *s = (const u8 *)src;
    while (n--) *d++ = *s++;
    return dst;
}

__attribute__((weak)) void *memset(void *dst, int c, size_t n) {
    u8 *d = (u8 *)dst;
    while (n--) *d++ = (u8)c;
    return dst;
}

__attribute__((weak)) int memcmp(const void *a, const void *b, size_t n) {
    const u8 *x = (const u8 *)a, *y = (const u8 *)b;
    for (; n; n--, x++, y++) if (*x != *y) return *x - *y;
    return 0;
}

static inline size_t zk_strlen(const char *s) {
    size_t n = 0;
    while (s[n]) n++;
    return n;
}

static inline void print_str(const char *s) { sys_write(1, s, zk_strlen(s)); }
static inline void print_err(const char *s) { sys_write(2, s, zk_strlen(s)); }
static inline void print_char(char c) { sys_write(1, &c, 1); }

static inline void print_hex(u32 v) {
    char buf[10];
    buf[0] = '0';
    buf[1] = 'x';
    for (int i = 0; i < 8; i++) buf[2 + i] = "0123456789abcdef"[(v >> (28 - 4 * i)) & 15];
    sys_write(1, buf, 10);
}

static inline void print_udec(u32 v) {
    char buf[10];
    int i = 10;
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    sys_write(1, buf + i, (size_t)(10 - i));
}

static inline void print_dec(i32 v) {
    if (v < 0) {
        print_char('-');
        print_udec(0u - (u32)v);
    } else {
        print_udec((u32)v);
    }
}

/* "label 0x........\n" */
static inline void show(const char *label, u32 v) {
    print_str(label);
    print_char(' ');
    print_hex(v);
    print_char('\n');
}

/* Self-checks of the test programs: prints "label value"; a value other than `want` also
 * prints a MISMATCH line and is counted in zk_failures (the programs exit with that count). */
static int zk_failures;
static inline void check(const char *label, u32 got, u32 want) {
    show(label, got);
    if (got != want) {
        zk_failures++;
        print_str("  MISMATCH want ");
        print_hex(want);
        print_char('\n');
    }
}

/* Prints "failures N" and returns N, for `return check_summary();` at the end of main. */
static inline int check_summary(void) {
    print_str("failures ");
    print_dec(zk_failures);
    print_char('\n');
    return zk_failures;
}

/* Counters (Zicntr; the rv32im cores' zicntr=on): cycles from reset to this instruction's
   retirement, and the instructions retired before it. The words are written with .insn, so
   no -march extension is needed. On the model alone, cycle = instret. */
/* csrrs rd, csr, x0; the I-type immediate is signed, and the counters sit at 0xC00 and up. */
#define ZK_READ_CSR(csr) ({ u32 zk_v_; __asm__ volatile(".insn i 0x73, 2, %0, x0, %1" : "=r"(zk_v_) : "i"((csr) - 4096)); zk_v_; })
static inline u32 read_cycle(void) { return ZK_READ_CSR(0xc00); }
static inline u32 read_instret(void) { return ZK_READ_CSR(0xc02); }
/* The 64-bit counters: high, low, high again, until the high half did not move. */
static inline u64 read_cycle64(void) {
    u32 hi, lo;
    do { hi = ZK_READ_CSR(0xc80); lo = ZK_READ_CSR(0xc00); } while (hi != ZK_READ_CSR(0xc80));
    return ((u64)hi << 32) | lo;
}
static inline u64 read_instret64(void) {
    u32 hi, lo;
    do { hi = ZK_READ_CSR(0xc82); lo = ZK_READ_CSR(0xc02); } while (hi != ZK_READ_CSR(0xc82));
    return ((u64)hi << 32) | lo;
}

/* Keeps the compiler from folding a value known at compile time. */
static inline u32 opaque(u32 v) {
    __asm__ volatile("" : "+r"(v));
    return v;
}

#endif
