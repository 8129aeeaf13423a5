/* The states UnwindAgainstGdbIT stops and unwinds, one per mode (argv[1]); built -O2
 * -fomit-frame-pointer so the unwinder cannot lean on frame pointers. Each mode prints "ready"
 * once it is in its state; the state then lasts until the process is killed. */
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))

void library_calls_back(void (*callback)(void)); /* libunwindee.so, called through the PLT */

volatile long spin_flag = 1;
volatile long sink;

static void ready(const char *what)
{
	printf("%s\n", what);
	fflush(stdout);
}

/* A leaf: no calls, so -O2 gives it no frame at all; its CFA is rsp + 8 throughout. */
NOINLINE long leaf_spin(long seed)
{
	long x = seed;
	while (spin_flag)
		x = x * 6364136223846793005L + 1442695040888963407L;
	return x;
}

NOINLINE void calls_leaf(void)
{
	sink = leaf_spin(sink);
	sink++;
}

/* Blocks in read(2) through glibc's wrapper: a slow syscall. */
NOINLINE void blocks_in_read(void)
{
	char c;
	ready("ready");
	sink += read(0, &c, 1);
}

NOINLINE __attribute__((noreturn)) void never_returns(void)
{
	ready("ready");
	for (;;)
		pause();
}

/* Ends in a call to a noreturn function: its return address is past its own last instruction. */
NOINLINE void ends_in_noreturn_call(int code)
{
	if (code == 42)
		sink = code;
	never_returns();
}

NOINLINE void fills_with_memset(void)
{
	size_t size = 256 << 20;
	char *buffer = malloc(size);
	ready("ready");
	for (int i = 0;; i++) {
		memset(buffer, i, size);
		sink += buffer[i & 4095];
	}
}

static void handler(int signal)
{
	(void)signal;
	blocks_in_read();
	sink++; /* not a tail call: the handler keeps its frame */
}

/* Spins where a signal interrupts it: the interrupted pc is not a return address. */
NOINLINE void interrupted_by_signal(void)
{
	struct sigaction action = {.sa_handler = handler};
	sigaction(SIGUSR1, &action, NULL);
	ready("waiting-for-signal");
	while (spin_flag)
		sink++;
}

static void called_back(void)
{
	blocks_in_read();
	sink++; /* not a tail call: called_back keeps its frame */
}

static void counts_calls(void)
{
	sink++;
}

/* Calls through the PLT once per byte on stdin, so a debugger attached at any time can stop there. */
NOINLINE void calls_library_per_byte(void)
{
	char c;
	ready("ready");
	while (read(0, &c, 1) == 1)
		library_calls_back(counts_calls);
}

static void *worker(void *arg)
{
	uint64_t x = 88172645463325252ull ^ (uintptr_t)arg;
	void *ring[64] = {0};
	for (;;) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		int slot = x & 63;
		free(ring[slot]);
		ring[slot] = malloc(x & 256 ? 16 + (x >> 16) % 1000 : 1100 + (x >> 16) % 15000);
		((char *)ring[slot])[0] = (char)x;
	}
	return NULL;
}

/* Eight threads contending for one malloc arena: most of them wait in __lll_lock_wait_private. */
NOINLINE void contend_for_arena(void)
{
	pthread_t threads[8];
	mallopt(M_ARENA_MAX, 1);
	for (uintptr_t i = 0; i < 8; i++)
		pthread_create(&threads[i], NULL, worker, (void *)(i + 1));
	ready("ready");
	pthread_join(threads[0], NULL);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	if (!strcmp(mode, "leaf")) {
		ready("ready");
		calls_leaf();
	} else if (!strcmp(mode, "syscall")) {
		blocks_in_read();
	} else if (!strcmp(mode, "noreturn")) {
		ends_in_noreturn_call(argc);
	} else if (!strcmp(mode, "memset")) {
		fills_with_memset();
	} else if (!strcmp(mode, "signal")) {
		interrupted_by_signal();
	} else if (!strcmp(mode, "library")) {
		library_calls_back(called_back);
	} else if (!strcmp(mode, "plt")) {
		calls_library_per_byte();
	} else if (!strcmp(mode, "arena")) {
		contend_for_arena();
	} else {
		fprintf(stderr, "usage: %s leaf|syscall|noreturn|memset|signal|library|plt|arena\n", argv[0]);
		return 2;
	}
	return (int)sink;
}
