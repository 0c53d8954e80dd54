/* Recursion: Fibonacci, Ackermann, Towers of Hanoi, a recursive descent over a tree. Deep
 * call stacks exercise JAL/JALR/ret and the stack. Exits with code 0 when all match. */
#include "zkrtl.h"

static u32 fib(u32 n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static u32 ack(u32 m, u32 n) {
    if (m == 0) return n + 1;
    if (n == 0) return ack(m - 1, 1);
    return ack(m - 1, ack(m, n - 1));
}

static u32 moves;
static u32 trail;
static void hanoi(u32 n, u32 from, u32 to, u32 via) {
    if (n == 0) return;
    hanoi(n - 1, from, via, to);
    moves++;
    trail = trail * 31 + from * 3 + to;
    hanoi(n - 1, via, to, from);
}

struct node { struct node *l, *r; u32 v; };
static struct node pool[255];
static u32 used;
static struct node *build(u32 depth, u32 seed) {
    if (depth == 0) return 0;
    struct node *n = &pool[used++];
    n->v = seed;
    n->l = build(depth - 1, seed * 2 + 1);
    n->r = build(depth - 1, seed * 3 + 7);
    return n;
}
static u32 walk(const struct node *n, u32 depth) {
    if (!n) return depth;
    return n->v ^ (walk(n->l, depth + 1) * 5 + walk(n->r, depth + 1));
}

int main(void) {
    u32 f = fib(opaque(20));
    show("fib(20)", f);
    u32 a = ack(opaque(2), opaque(3));
    show("ack(2,3)", a);
    hanoi(opaque(10), 1, 3, 2);
    show("hanoi moves", moves);
    show("hanoi trail", trail);
    struct node *root = build(8, 1);
    show("tree", walk(root, 0));
    return (f == 6765 && a == 9 && moves == 1023) ? 0 : 1;
}
