/* An OOM trigger whose frame-pointer stack is useless: built -O2 -fomit-frame-pointer, and its
 * pages are faulted in by libc's memset, a leaf without a frame. Only call frame information
 * unwinds it: memset -> fill_chunk -> grow_heap -> main -> libc -> _start.
 *
 * Usage: memset-trigger TOTAL_MIB [HOLD_SECONDS]: fills TOTAL_MIB one-MiB chunks, then stays
 * HOLD_SECONDS before exiting 0. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK_BYTES (1 << 20)

volatile unsigned long sink;

/* The read after memset keeps its call from becoming a tail jump, which would drop this frame. */
__attribute__((noinline)) void fill_chunk(char *chunk, int value)
{
	memset(chunk, value, CHUNK_BYTES);
	sink += (unsigned char)chunk[CHUNK_BYTES - 1];
}

/* Chunks of 1 MiB are above malloc's mmap threshold: fresh pages, first touched by memset. */
__attribute__((noinline)) void grow_heap(long total_mib)
{
	for (long mib = 0; mib < total_mib; mib++) {
		char *chunk = malloc(CHUNK_BYTES);
		if (!chunk) {
			perror("malloc");
			exit(1);
		}
		fill_chunk(chunk, (int)(mib & 0x7f) + 1);
	}
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s TOTAL_MIB [HOLD_SECONDS]\n", argv[0]);
		return 2;
	}
	grow_heap(atol(argv[1]));
	printf("filled %s MiB\n", argv[1]);
	fflush(stdout);
	if (argc > 2)
		sleep((unsigned)atoi(argv[2]));
	return 0;
}
