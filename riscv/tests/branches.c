/* Control flow: every branch taken and not taken on signed/unsigned boundary operands,
 * backward and forward; JAL and JALR link values (rd = pc + 4), JALR with odd targets (bit 0
 * cleared) and negative offsets; an indirect call through a table. Exit: self-check failures. */
#include "zkrtl.h"

#define BR(op, a, b) ({ u32 t_; __asm__ volatile("li %0, 1\n\t" op " %1, %2, 1f\n\tli %0, 0\n1:" : "=&r"(t_) : "r"(a), "r"(b)); t_; })

static const u32 vals[] = {0, 1, 0xffffffff, 0x7fffffff, 0x80000000, 5};
#define NV (sizeof(vals) / sizeof(vals[0]))

static u32 f_add(u32 x) { return x + 1; }
static u32 f_mul(u32 x) { return x * 3; }
static u32 f_xor(u32 x) { return x ^ 0x5a5a5a5a; }

int main(void) {
    u32 bits = 0;
    for (u32 i = 0; i < NV; i++) {
        for (u32 j = 0; j < NV; j++) {
            u32 a = opaque(vals[i]), b = opaque(vals[j]);
            u32 t = BR("beq", a, b) | BR("bne", a, b) << 1 | BR("blt", a, b) << 2 | BR("bge", a, b) << 3 |
                    BR("bltu", a, b) << 4 | BR("bgeu", a, b) << 5;
            print_hex(a); print_char(' '); print_hex(b); print_char(' '); print_hex(t); print_char('\n');
            bits = bits * 7 + t;
        }
    }
    check("beq taken", BR("beq", opaque(3), opaque(3)), 1);
    check("beq not", BR("beq", opaque(3), opaque(4)), 0);
    check("blt -1<0", BR("blt", opaque(-1), opaque(0)), 1);
    check("bltu -1<0", BR("bltu", opaque(-1), opaque(0)), 0);
    check("bge min>=max", BR("bge", opaque(0x80000000), opaque(0x7fffffff)), 0);
    check("bgeu min>=max", BR("bgeu", opaque(0x80000000), opaque(0x7fffffff)), 1);
    show("branch bits", bits);

    /* Backward branch loop. */
    u32 n = 0, k = opaque(10);
    __asm__ volatile("1: addi %0, %0, 3\n\taddi %1, %1, -1\n\tbnez %1, 1b" : "+r"(n), "+r"(k));
    check("loop", n, 30);

    /* JAL link value = address of the next instruction. */
    u32 link, after;
    __asm__ volatile("jal %0, 1f\n2:\tnop\n1:\tla %1, 2b" : "=r"(link), "=r"(after));
    check("jal link", link, after);
    /* JALR: link = pc + 4; target = (rs1 + imm) & ~1, rs1 == rd. */
    u32 l2, t2;
    __asm__ volatile("la t0, 1f\n\taddi t0, t0, 5\n\tjalr t0, t0, -4\n2:\tnop\n1:\tla %1, 2b\n\tmv %0, t0" : "=r"(l2), "=r"(t2) : : "t0");
    check("jalr link rd==rs1", l2, t2);
    u32 l3 = 0;
    __asm__ volatile("la t1, 1f\n\tjalr x0, 0(t1)\n\tli %0, 99\n1:" : "+r"(l3) : : "t1");
    check("jalr x0 skips", l3, 0);

    u32 (*table[3])(u32) = {f_add, f_mul, f_xor};
    u32 v = opaque(7);
    for (int i = 0; i < 30; i++) v = table[(v + (u32)i) % 3](v);
    show("indirect", v);

    return check_summary();
}
