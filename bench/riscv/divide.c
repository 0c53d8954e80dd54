/* Division-heavy kernel: Euclid's gcd by remainder, decimal conversion by /10 and %10,
 * signed and unsigned DIV/REM with mixed signs (C semantics: truncation toward zero),
 * and modular exponentiation by repeated remainder. */
#include "bench.h"

static u32 gcd(u32 a, u32 b) {
    while (b) {
        u32 t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static u32 digit_sum(u32 v) {
    u32 s = 0;
    while (v) {
        s += v % 10;
        v /= 10;
    }
    return s;
}

/* m < 2^16, so products fit in 32 bits. */
static u32 powmod(u32 base, u32 e, u32 m) {
    u32 r = 1, b = base % m;
    while (e) {
        if (e & 1) r = (r * b) % m;
        b = (b * b) % m;
        e >>= 1;
    }
    return r;
}

static u32 mulmod16(u32 a, u32 b, u32 m) { return (a % m) * (b % m) % m; }

int main(void) {
    u32 g = 0, d = 0, s = 0, p = 0;
    for (u32 i = 1; i <= 3000; i++) {
        u32 x = rng_next(), y = rng_next() | 1;
        g += gcd(x, y);
        d += digit_sum(x);
        i32 sx = (i32)x, sy = (i32)(y >> (i & 15));
        if (sy == 0) sy = -7;
        s ^= (u32)(sx / sy) + (u32)(sx % sy) * 3u;
        p += mulmod16(x & 0xFFFF, y & 0xFFFF, 65521u);
    }
    u32 e = powmod(7, 1000003, 65521u);
    report("divide", "gcd", g, 1);
    report("divide", "digits", d, 0);
    report("divide", "signed", s, 1);
    report("divide", "mulmod", p, 1);
    report("divide", "powmod", e, 0);
    return 0;
}
