/* Integer matrix multiply C = A·B (32-bit wrap-around), then C·A: MUL with loads in the inner
 * loop, and MULH/MULHU for a 64-bit checksum. */
#include "bench.h"

#define N 32
static i32 A[N][N], B[N][N], C[N][N], D[N][N];

static void matmul(i32 (*x)[N], i32 (*y)[N], i32 (*z)[N]) {
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            i32 s = 0;
            for (int k = 0; k < N; k++) s += x[i][k] * y[k][j];
            z[i][j] = s;
        }
}

int main(void) {
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            A[i][j] = (i32)(rng_next() & 0xFFFF) - 0x8000;
            B[i][j] = (i32)rng_next();
        }
    matmul(A, B, C);
    matmul(C, A, D);
    u32 lo = 0, hi = 0;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            long long p = (long long)D[i][j] * (long long)(i * N + j + 1);
            unsigned long long q = (unsigned long long)(u32)C[i][j] * 0x9E3779B9u;
            lo ^= (u32)p + (u32)q;
            hi += (u32)(p >> 32) ^ (u32)(q >> 32);
        }
    report("matmul", "lo", lo, 1);
    report("matmul", "hi", hi, 1);
    return 0;
}
