/* Output to stderr and stdout interleaved, an empty write, and exit() from deep inside a call
 * chain with a code above 255 (the process sees code & 0xff = 44). */
#include "zkrtl.h"

/* gcc 12 takes deep() for endless recursion although depth 0 exits. */
#pragma GCC diagnostic ignored "-Winfinite-recursion"

static int deep(int n) {
    if (n > 0) return deep(n - 1) + 1;
    print_err("leaving from depth 0\n");
    sys_exit(300);
}

int main(void) {
    print_str("to stdout\n");
    print_err("to stderr\n");
    sys_write(1, "", 0);
    long r = sys_write(1, "12345\n", 6);
    print_dec((i32)r);
    print_char('\n');
    print_dec(deep(opaque(5)));
    print_str("not reached\n");
    return 0;
}
