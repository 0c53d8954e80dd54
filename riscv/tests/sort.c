/* Sorting: insertion sort, recursive merge sort and heap sort of pseudo-random signed and
 * unsigned arrays; each result is checked sorted and checksummed. Exit: 0 when sorted. */
#include "zkrtl.h"

#define N 400
static i32 src[N], a[N], tmp[N];
static u32 rng = 12345;
static u32 next(void) { rng ^= rng << 13; rng ^= rng >> 17; rng ^= rng << 5; return rng; }

static void insertion(i32 *v, int n) {
    for (int i = 1; i < n; i++) {
        i32 x = v[i];
        int j = i - 1;
        while (j >= 0 && v[j] > x) { v[j + 1] = v[j]; j--; }
        v[j + 1] = x;
    }
}

static void merge_sort(i32 *v, int lo, int hi) {
    if (hi - lo < 2) return;
    int mid = (lo + hi) / 2;
    merge_sort(v, lo, mid);
    merge_sort(v, mid, hi);
    int i = lo, j = mid, k = lo;
    while (i < mid && j < hi) tmp[k++] = v[i] <= v[j] ? v[i++] : v[j++];
    while (i < mid) tmp[k++] = v[i++];
    while (j < hi) tmp[k++] = v[j++];
    for (k = lo; k < hi; k++) v[k] = tmp[k];
}

static void sift(u32 *v, int i, int n) {
    for (;;) {
        int c = 2 * i + 1;
        if (c >= n) return;
        if (c + 1 < n && v[c + 1] > v[c]) c++;
        if (v[i] >= v[c]) return;
        u32 t = v[i]; v[i] = v[c]; v[c] = t;
        i = c;
    }
}
static void heap_sort(u32 *v, int n) {
    for (int i = n / 2 - 1; i >= 0; i--) sift(v, i, n);
    for (int e = n - 1; e > 0; e--) {
        u32 t = v[0]; v[0] = v[e]; v[e] = t;
        sift(v, 0, e);
    }
}

static int bad;
static void report(const char *name, const i32 *v, int unsigned_order) {
    u32 h = 0;
    for (int i = 0; i < N; i++) {
        h = h * 33 + (u32)v[i];
        if (i > 0 && (unsigned_order ? (u32)v[i - 1] > (u32)v[i] : v[i - 1] > v[i])) bad++;
    }
    show(name, h);
}

int main(void) {
    for (int i = 0; i < N; i++) src[i] = (i32)next() >> (i % 7);
    memcpy(a, src, sizeof a);
    insertion(a, N);
    report("insertion", a, 0);
    memcpy(a, src, sizeof a);
    merge_sort(a, 0, N);
    report("merge", a, 0);
    memcpy(a, src, sizeof a);
    heap_sort((u32 *)a, N);
    report("heap(unsigned)", a, 1);
    show("min", (u32)a[0]);
    show("max", (u32)a[N - 1]);
    return bad ? 1 : 0;
}
