/* A Dhrystone-like integer mix (not Dhrystone itself): records linked by pointers, string
 * copies and comparisons, small procedure calls, enumerations in a switch, array updates
 * and a few multiplications and divisions, repeated in a loop. */
#include "bench.h"

enum kind { K_ONE, K_TWO, K_THREE, K_FOUR, K_FIVE };

struct record {
    struct record *next;
    enum kind kind;
    i32 value;
    char text[32];
};

static struct record recs[2];
static i32 grid[50][50];
static i32 list[50];
static char name_a[32], name_b[32];

static void copy_text(char *d, const char *s) {
    while ((*d++ = *s++) != 0) {
    }
}

static int compare_text(const char *a, const char *b) {
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (u8)*a - (u8)*b;
}

static enum kind next_kind(enum kind k, i32 v) {
    switch (k) {
    case K_ONE: return v > 100 ? K_TWO : K_THREE;
    case K_TWO: return K_FOUR;
    case K_THREE: return (v & 1) ? K_FIVE : K_ONE;
    case K_FOUR: return K_ONE;
    default: return K_TWO;
    }
}

static i32 combine(i32 a, i32 b) { return a * 3 + b / 7 - (a ^ b); }

static void update_record(struct record *r, i32 round) {
    struct record *other = r->next;
    *other = *r; /* structure copy */
    other->next = r;
    other->value = combine(r->value, round);
    other->kind = next_kind(r->kind, other->value);
    if (other->kind == K_FIVE) other->text[round & 15] = (char)('A' + (round % 26));
}

static void arrays(i32 round) {
    i32 i = round % 30 + 5;
    list[i] = round;
    list[i + 1] = list[i];
    list[i + 30 - 20] = i;
    for (i32 j = i; j <= i + 1; j++) grid[i][j] = i;
    grid[i][i - 1] += 1;
    grid[i + 20 - 10][i] = list[i];
}

int main(void) {
    recs[0].next = &recs[1];
    recs[0].kind = K_THREE;
    recs[0].value = 40;
    copy_text(recs[0].text, "ZKRTL RECORD, SOME STRING");
    copy_text(name_a, "ZKRTL PROGRAM, 1'ST STRING");
    u32 sum = 0;
    for (i32 round = 1; round <= 20000; round++) {
        struct record *r = &recs[round & 1];
        r->next = &recs[(round + 1) & 1];
        update_record(r, round);
        arrays(round);
        copy_text(name_b, (round & 3) ? "ZKRTL PROGRAM, 2'ND STRING" : "ZKRTL PROGRAM, 1'ST STRING");
        int c = compare_text(name_a, name_b);
        i32 x = round * 5 - 3, y = x / 3 + (x % 3);
        sum = sum * 7 + (u32)(r->next->value + r->next->kind + c + y);
    }
    for (int i = 0; i < 50; i++) sum += (u32)list[i] + (u32)grid[i][i];
    report("dhry", "checksum", sum, 1);
    return 0;
}
