/* Sieve of Eratosthenes below 10000 on a byte array, plus a sum of primes through division
 * (trial division of the first 300 numbers). Exit code: the number of primes below 1000 (168). */
#include "zkrtl.h"

#define LIMIT 10000
static u8 composite[LIMIT];

int main(void) {
    u32 count = 0, sum = 0, below1000 = 0;
    for (u32 i = 2; i < LIMIT; i++) {
        if (composite[i]) continue;
        count++;
        sum += i;
        if (i < 1000) below1000++;
        for (u32 j = i * i; j < LIMIT; j += i) composite[j] = 1;
    }
    print_str("primes below 10000: ");
    print_udec(count);
    print_str("\nsum: ");
    print_udec(sum);
    print_char('\n');
    u32 trial = 0;
    for (u32 n = 2; n < 300; n++) {
        u32 d = 2;
        while (d * d <= n && n % d) d++;
        if (d * d > n) trial++;
    }
    print_str("trial-division primes below 300: ");
    print_udec(trial);
    print_char('\n');
    return (int)below1000;
}
