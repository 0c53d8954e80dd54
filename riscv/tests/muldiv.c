/* The M extension: MUL, MULH, MULHSU, MULHU, DIV, DIVU, REM, REMU on signed and unsigned
 * extremes, division and remainder by zero, INT_MIN / -1; 64-bit arithmetic in C (libgcc
 * helpers). Exit code: number of self-check failures. */
#include "zkrtl.h"

#define RR(op, a, b) ({ u32 r_; __asm__ volatile(op " %0, %1, %2" : "=r"(r_) : "r"(a), "r"(b)); r_; })

static const u32 vals[] = {0, 1, 2, 3, 7, 0x7fffffff, 0x80000000, 0x80000001, 0xffffffff, 0xfffffffe, 0xfffffff9,
                           0x10000, 0xffff, 0x12345678, 0x9abcdef0, 0x55555555, 0xaaaaaaaa};
#define NV (sizeof(vals) / sizeof(vals[0]))

int main(void) {
    u32 acc = 0;
    for (u32 i = 0; i < NV; i++) {
        for (u32 j = 0; j < NV; j++) {
            u32 a = opaque(vals[i]), b = opaque(vals[j]);
            u32 r[8];
            r[0] = RR("mul", a, b);
            r[1] = RR("mulh", a, b);
            r[2] = RR("mulhsu", a, b);
            r[3] = RR("mulhu", a, b);
            r[4] = RR("div", a, b);
            r[5] = RR("divu", a, b);
            r[6] = RR("rem", a, b);
            r[7] = RR("remu", a, b);
            print_hex(a); print_char(' '); print_hex(b);
            for (int k = 0; k < 8; k++) { print_char(' '); print_hex(r[k]); acc = (acc ^ r[k]) * 0x01000193u; }
            print_char('\n');
        }
    }
    show("acc", acc);

    u32 m = opaque(0x80000000), n1 = opaque(0xffffffff), z = opaque(0), s = opaque(1234567);
    check("mulh min*min", RR("mulh", m, m), 0x40000000);
    check("mulh min*-1", RR("mulh", m, n1), 0);
    check("mulhsu min*ffffffff", RR("mulhsu", m, n1), 0x80000000);
    check("mulhsu -1*ffffffff", RR("mulhsu", n1, n1), 0xffffffff);
    check("mulhu ffffffff^2", RR("mulhu", n1, n1), 0xfffffffe);
    check("mul ffffffff^2", RR("mul", n1, n1), 1);
    check("div by 0", RR("div", s, z), 0xffffffff);
    check("divu by 0", RR("divu", s, z), 0xffffffff);
    check("rem by 0", RR("rem", s, z), 1234567);
    check("remu by 0", RR("remu", s, z), 1234567);
    check("div min/-1", RR("div", m, n1), 0x80000000);
    check("rem min/-1", RR("rem", m, n1), 0);
    check("div -7/2", RR("div", opaque(-7), opaque(2)), (u32)-3);
    check("rem -7/2", RR("rem", opaque(-7), opaque(2)), (u32)-1);
    check("rem 7/-2", RR("rem", opaque(7), opaque(-2)), 1);
    check("divu min/-1", RR("divu", m, n1), 0);
    check("remu min/-1", RR("remu", m, n1), 0x80000000);

    /* 64-bit arithmetic through libgcc (__muldi3, __udivdi3, __moddi3, …). */
    u64 x = ((u64)opaque(0x12345678) << 32) | opaque(0x9abcdef0);
    u64 y = opaque(0x0fedcba9);
    i64 sx = -(i64)x;
    show("u64 mul hi", (u32)((x * y) >> 32));
    show("u64 mul lo", (u32)(x * y));
    show("u64 div hi", (u32)((x / y) >> 32));
    show("u64 div lo", (u32)(x / y));
    show("u64 mod", (u32)(x % y));
    show("i64 div lo", (u32)(sx / (i64)y));
    show("i64 mod lo", (u32)(sx % (i64)y));

    return check_summary();
}
