/*
 * A function whose last instruction is a call to a noreturn function, placed right before another
 * function: its return address is the next function's first byte. Built by NoreturnCallerTest.
 */
#include <stdlib.h>
#include <unistd.h>

__attribute__((noreturn, noinline)) void wait_then_abort(void) {
    pause();
    abort();
}

volatile int calls;

__attribute__((noinline)) void ends_in_noreturn_call(int argc) {
    calls += argc;
    wait_then_abort();
}

__attribute__((noinline)) int next_function(int x) {
    return x * 3 + 1;
}

int main(int argc, char **argv) {
    (void) argv;
    ends_in_noreturn_call(argc);
    return next_function(argc);
}
