/* CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), table driven, over a pseudo-random
 * buffer: loads, shifts, XORs, table lookups. Also checks the standard check value of
 * "123456789" (0xCBF43926). */
#include "bench.h"

static u32 table[256];
static u8 data[16384];

static void make_table(void) {
    for (u32 i = 0; i < 256; i++) {
        u32 c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
        table[i] = c;
    }
}

static u32 crc32(const u8 *p, size_t n) {
    u32 c = 0xFFFFFFFFu;
    while (n--) c = table[(c ^ *p++) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

int main(void) {
    make_table();
    u32 check = crc32((const u8 *)"123456789", 9);
    report("crc32", "check", check, 1);
    for (size_t i = 0; i < sizeof data; i++) data[i] = (u8)rng_next();
    u32 sum = 0;
    for (int round = 0; round < 4; round++) {
        u32 c = crc32(data, sizeof data);
        sum = sum * 31 + c;
        data[round * 7] ^= (u8)c;
    }
    report("crc32", "checksum", sum, 1);
    return check == 0xCBF43926u ? 0 : 1;
}
