/* Loads and stores of every width at every legal offset: LB/LBU/LH/LHU/LW, SB/SH/SW, sign
 * and zero extension, positive and negative immediates. Exit code: self-check failures. */
#include "zkrtl.h"

static u32 buf[8] __attribute__((aligned(16)));
#define LOAD(op, base, off) ({ u32 r_; __asm__ volatile(op " %0, " #off "(%1)" : "=r"(r_) : "r"(base) : "memory"); r_; })
#define STORE(op, v, base, off) __asm__ volatile(op " %0, " #off "(%1)" : : "r"(v), "r"(base) : "memory")

int main(void) {
    u8 *p = (u8 *)opaque((u32)&buf[2]);
    buf[0] = 0x80ff7f01;
    buf[1] = 0xfedcba98;
    buf[2] = 0x8081827f;
    buf[3] = 0x00ff8000;
    buf[4] = 0x76543210;

    /* Byte loads at every offset, signed and unsigned; negative and positive immediates. */
    check("lb -8", LOAD("lb", p, -8), 0x00000001);
    check("lb -7", LOAD("lb", p, -7), 0x0000007f);
    check("lb -6", LOAD("lb", p, -6), 0xffffffff);
    check("lb -5", LOAD("lb", p, -5), 0xffffff80);
    check("lbu -5", LOAD("lbu", p, -5), 0x80);
    check("lbu -6", LOAD("lbu", p, -6), 0xff);
    check("lb 0", LOAD("lb", p, 0), 0x7f);
    check("lb 1", LOAD("lb", p, 1), 0xffffff82);
    check("lbu 1", LOAD("lbu", p, 1), 0x82);
    check("lb 2", LOAD("lb", p, 2), 0xffffff81);
    check("lb 3", LOAD("lb", p, 3), 0xffffff80);
    check("lbu 3", LOAD("lbu", p, 3), 0x80);
    /* Halfwords at offsets 0 and 2. */
    check("lh 0", LOAD("lh", p, 0), 0xffff827f);
    check("lhu 0", LOAD("lhu", p, 0), 0x827f);
    check("lh 2", LOAD("lh", p, 2), 0xffff8081);
    check("lhu 2", LOAD("lhu", p, 2), 0x8081);
    check("lh 4", LOAD("lh", p, 4), 0xffff8000);
    check("lh 6", LOAD("lh", p, 6), 0x00ff);
    check("lh -8", LOAD("lh", p, -8), 0x7f01);
    check("lhu -2", LOAD("lhu", p, -2), 0xfedc);
    check("lw -4", LOAD("lw", p, -4), 0xfedcba98);
    check("lw 8", LOAD("lw", p, 8), 0x76543210);

    /* Byte stores at each offset keep the other bytes. */
    u8 *q = (u8 *)opaque((u32)&buf[5]);
    buf[5] = 0x11223344;
    STORE("sb", opaque(0xaaaaaa01), q, 0);
    check("sb 0", buf[5], 0x11223301);
    STORE("sb", opaque(0x102), q, 1);
    check("sb 1", buf[5], 0x11220201);
    STORE("sb", opaque(0xff), q, 2);
    check("sb 2", buf[5], 0x11ff0201);
    STORE("sb", opaque(0x80), q, 3);
    check("sb 3", buf[5], 0x80ff0201);
    STORE("sh", opaque(0x1234beef), q, 0);
    check("sh 0", buf[5], 0x80ffbeef);
    STORE("sh", opaque(0xcafe), q, 2);
    check("sh 2", buf[5], 0xcafebeef);
    STORE("sw", opaque(0x01020304), q, -4);
    check("sw -4", buf[4], 0x01020304);
    STORE("sh", opaque(0x5566), q, -2);
    check("sh -2", buf[4], 0x55660304);
    STORE("sb", opaque(0x77), q, -1);
    check("sb -1", buf[4], 0x77660304);

    /* Mixed-width traffic over a byte array, checksummed. */
    static u8 area[256];
    u32 h = 2166136261u;
    for (u32 i = 0; i < 256; i++) area[i] = (u8)(i * 37 + 11);
    for (u32 i = 0; i < 128; i += 2) *(u16 *)&area[i] ^= (u16)(i * 1000);
    for (u32 i = 0; i < 64; i += 4) *(u32 *)&area[i + 128] += i * 0x01010101u;
    for (u32 i = 0; i < 256; i++) h = (h ^ (u32)(i8)area[i]) * 16777619u;
    for (u32 i = 0; i < 256; i += 2) h = (h ^ (u32)*(i16 *)&area[i]) * 16777619u;
    for (u32 i = 0; i < 256; i += 2) h = (h ^ *(u16 *)&area[i]) * 16777619u;
    show("area hash", h);

    return check_summary();
}
