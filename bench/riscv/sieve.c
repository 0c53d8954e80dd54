/* Sieve of Eratosthenes on a byte array up to 200000: stores, loads and branches.
 * There are 17984 primes below 200000. */
#include "bench.h"

#define LIMIT 200000
static u8 composite[LIMIT];

int main(void) {
    u32 count = 0, sum = 0;
    for (u32 i = 2; i < LIMIT; i++) {
        if (composite[i]) continue;
        count++;
        sum += i;
        for (u32 j = i * i; j < LIMIT && i < 65536; j += i) composite[j] = 1;
    }
    report("sieve", "primes", count, 0);
    report("sieve", "sum", sum, 1);
    return count == 17984 ? 0 : 1;
}
