/* The program the symbol tests resolve: known functions, compiled PIE and non-PIE, stripped and not. */
#include <stdio.h>
#include <unistd.h>

int library_work(int x);
void library_report(void);

/* Static: in .symtab and MiniDebugInfo only, never in .dynsym. */
__attribute__((noinline)) static int static_helper(int x) {
    return x * 3 + library_work(x);
}

__attribute__((noinline)) int exported_work(int x) {
    return static_helper(x) + 2;
}

/* Prints where its functions are, then blocks in pause() so a test can read its stack from /proc. */
__attribute__((noinline)) void wait_in_known_function(void) {
    printf("wait_in_known_function %p\nstatic_helper %p\n", (void *) wait_in_known_function, (void *) static_helper);
    library_report();
    fflush(stdout);
    for (;;) {
        pause();
    }
}

int main(int argc, char **argv) {
    (void) argv;
    if (argc > 1) {
        wait_in_known_function();
    }
    return exported_work(argc);
}
