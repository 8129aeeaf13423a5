/* The shared library the symbol tests load next to target.c. */
#include <stdio.h>

__attribute__((noinline)) static int static_in_library(int x) {
    return x ^ 0x5a;
}

__attribute__((noinline)) int library_work(int x) {
    return static_in_library(x) + 1;
}

void library_report(void) {
    printf("static_in_library %p\n", (void *) static_in_library);
}
