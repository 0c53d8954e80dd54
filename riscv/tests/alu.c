/* Integer ALU instructions of RV32I: register and immediate forms, edge operands, shifts by
 * 0, 1 and 31, comparisons across the sign boundary, LUI/AUIPC, writes to x0. Each result is
 * printed; the exit code counts self-check failures (0 expected). */
#include "zkrtl.h"

#define RR(op, a, b) ({ u32 r_; __asm__ volatile(op " %0, %1, %2" : "=r"(r_) : "r"(a), "r"(b)); r_; })
#define RI(op, a, imm) ({ u32 r_; __asm__ volatile(op " %0, %1, %2" : "=r"(r_) : "r"(a), "i"(imm)); r_; })

static const u32 vals[] = {0, 1, 2, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe, 0x12345678, 0x80000001, 31, 32, 33};
#define NV (sizeof(vals) / sizeof(vals[0]))

int main(void) {
    u32 acc = 0;
    for (u32 i = 0; i < NV; i++) {
        for (u32 j = 0; j < NV; j++) {
            u32 a = opaque(vals[i]), b = opaque(vals[j]);
            u32 r[10];
            r[0] = RR("add", a, b);
            r[1] = RR("sub", a, b);
            r[2] = RR("and", a, b);
            r[3] = RR("or", a, b);
            r[4] = RR("xor", a, b);
            r[5] = RR("slt", a, b);
            r[6] = RR("sltu", a, b);
            r[7] = RR("sll", a, b);
            r[8] = RR("srl", a, b);
            r[9] = RR("sra", a, b);
            for (int k = 0; k < 10; k++) acc = (acc ^ r[k]) * 0x01000193u + (u32)k;
            print_hex(a); print_char(' '); print_hex(b);
            for (int k = 0; k < 10; k++) { print_char(' '); print_hex(r[k]); }
            print_char('\n');
        }
    }
    show("rr-acc", acc);

    u32 x = opaque(0x80000001);
    check("addi -1", RI("addi", x, -1), 0x80000000);
    check("addi 2047", RI("addi", x, 2047), 0x800007ff + 1);
    check("addi -2048", RI("addi", opaque(0), -2048), 0xfffff800);
    check("slti neg<1", RI("slti", x, 1), 1);
    check("slti 1<-1", RI("slti", opaque(1), -1), 0);
    check("sltiu x<-1", RI("sltiu", x, -1), 1);
    check("sltiu 0<1", RI("sltiu", opaque(0), 1), 1);
    check("sltiu -1<-1", RI("sltiu", opaque(0xffffffff), -1), 0);
    check("xori -1", RI("xori", opaque(0x12345678), -1), 0xedcba987);
    check("ori 0x7ff", RI("ori", opaque(0x12340000), 0x7ff), 0x123407ff);
    check("andi -16", RI("andi", opaque(0x1234567f), -16), 0x12345670);
    check("slli 0", RI("slli", x, 0), 0x80000001);
    check("slli 1", RI("slli", x, 1), 0x00000002);
    check("slli 31", RI("slli", x, 31), 0x80000000);
    check("srli 0", RI("srli", x, 0), 0x80000001);
    check("srli 31", RI("srli", x, 31), 1);
    check("srai 0", RI("srai", x, 0), 0x80000001);
    check("srai 1", RI("srai", x, 1), 0xc0000000);
    check("srai 31", RI("srai", x, 31), 0xffffffff);
    check("srai 31 pos", RI("srai", opaque(0x7fffffff), 31), 0);
    check("sll by 32", RR("sll", opaque(3), opaque(32)), 3);
    check("srl by 63", RR("srl", x, opaque(63)), 1);
    check("sra by -1", RR("sra", x, opaque(0xffffffff)), 0xffffffff);

    u32 l1, l2;
    __asm__ volatile("lui %0, 0xfffff" : "=r"(l1));
    __asm__ volatile("lui %0, 0x12345" : "=r"(l2));
    check("lui 0xfffff", l1, 0xfffff000);
    check("lui 0x12345", l2, 0x12345000);
    u32 p1, p2, here;
    __asm__ volatile("1: auipc %0, 0\n\tauipc %1, 1\n\tla %2, 1b" : "=r"(p1), "=r"(p2), "=r"(here));
    check("auipc 0", p1, here);
    check("auipc 1", p2 - p1, 0x1000 + 4);
    u32 neg;
    __asm__ volatile("auipc %0, 0xfffff" : "=r"(neg));
    show("auipc -1 page", neg);

    /* Writes to x0 are discarded. */
    u32 z0, z1, z2;
    __asm__ volatile("li t0, 5\n\taddi x0, t0, 7\n\tmv %0, x0\n\tlui x0, 0x12345\n\tmv %1, x0\n\tadd x0, t0, t0\n\tjal x0, 1f\n1:\tmul x0, t0, t0\n\tmv %2, x0"
                     : "=r"(z0), "=r"(z1), "=r"(z2) : : "t0");
    check("x0 after addi", z0, 0);
    check("x0 after lui", z1, 0);
    check("x0 after add/jal/mul", z2, 0);
    u32 ld0;
    static volatile u32 word = 0xdeadbeef;
    __asm__ volatile("lw x0, 0(%1)\n\tmv %0, x0" : "=r"(ld0) : "r"(&word));
    check("x0 after lw", ld0, 0);
    __asm__ volatile("fence\n\t.word 0x0000100f /* fence.i */\n\tfence rw, rw\n\tnop");

    return check_summary();
}
