/* Recursive quicksort (median of three, insertion sort for short runs) of a pseudo-random
 * array, then a check that it is sorted and a checksum of the result. */
#include "bench.h"

#define N 6000
static i32 a[N];

static void insertion(i32 *v, int lo, int hi) {
    for (int i = lo + 1; i <= hi; i++) {
        i32 x = v[i];
        int j = i - 1;
        while (j >= lo && v[j] > x) {
            v[j + 1] = v[j];
            j--;
        }
        v[j + 1] = x;
    }
}

static void swap(i32 *v, int i, int j) {
    i32 t = v[i];
    v[i] = v[j];
    v[j] = t;
}

static void quicksort(i32 *v, int lo, int hi) {
    while (hi - lo > 12) {
        int mid = lo + (hi - lo) / 2;
        if (v[mid] < v[lo]) swap(v, mid, lo);
        if (v[hi] < v[lo]) swap(v, hi, lo);
        if (v[hi] < v[mid]) swap(v, hi, mid);
        i32 pivot = v[mid];
        int i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot) i++;
            while (v[j] > pivot) j--;
            if (i <= j) swap(v, i++, j--);
        }
        /* Recurse into the smaller side, loop on the larger: bounded stack. */
        if (j - lo < hi - i) {
            quicksort(v, lo, j);
            lo = i;
        } else {
            quicksort(v, i, hi);
            hi = j;
        }
    }
    insertion(v, lo, hi);
}

int main(void) {
    for (int i = 0; i < N; i++) a[i] = (i32)(rng_next() % 200001u) - 100000;
    quicksort(a, 0, N - 1);
    int sorted = 1;
    u32 sum = 0;
    for (int i = 0; i < N; i++) {
        if (i && a[i - 1] > a[i]) sorted = 0;
        sum = sum * 33u + (u32)a[i];
    }
    report("qsort", "min", (u32)a[0], 1);
    report("qsort", "max", (u32)a[N - 1], 1);
    report("qsort", "checksum", sum, 1);
    return sorted ? 0 : 1;
}
