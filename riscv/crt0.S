/* Start-up code for freestanding rv32im programs run by `zkrtl run` and qemu-riscv32.
 * The environment has already set sp (zkrtl: top of RAM; qemu: its stack) and zero-filled
 * .bss (both load every PT_LOAD and zero the rest of each). We set gp, call main(), and pass
 * its return value to exit (a7 = 93). */
    .section .text.init, "ax"
    .globl _start
_start:
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    andi sp, sp, -16
    li a0, 0
    li a1, 0
    call main
    li a7, 93
    ecall
1:  j 1b
