// oom-alloc: allocates and touches memory until its memory cgroup OOM-kills it.
//
// The victim for nodescope's OOM demo and integration tests. The call chain
// main -> run_workload -> allocate_chunks -> touch_pages is what an OOM span's
// user stack should show, so every function is non-inlined, non-cloned and
// keeps its frame pointer (see demo/build-oom-alloc.sh). The pages are touched
// by our own loop, not memset: the charge that triggers the OOM then faults in
// touch_pages itself, and a frame-pointer walk never has to start inside libc.
//
// Usage: oom-alloc [-c chunk-MiB] [-t total-MiB] [-p pause-seconds] [-i interval-ms] [-H hold-seconds]
// -i sleeps that long after each chunk: a leak rather than a spike.
// -H keeps the memory for that long after reaching the total: a process that holds memory
// (the bigger one the OOM killer picks) or one that stays alive after triggering a kill.
// Exit status: 0 when the total was reached without a kill, 1 when malloc
// failed, 2 on bad usage. A SIGKILL from the OOM killer is the expected end.
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define MIB (1024UL * 1024UL)
#define PAGE_STRIDE 4096UL

// A cap even when none is asked for: run outside a memory cgroup by mistake,
// the program stops at 1 GiB instead of pushing the whole node into the global OOM killer.
#define DEFAULT_TOTAL_MIB 1024UL
#define DEFAULT_CHUNK_MIB 1UL

struct chunk {
	struct chunk *next;
};

struct workload {
	unsigned long chunk_mib;
	unsigned long total_mib;
	unsigned int pause_seconds;
	unsigned int interval_ms;
	unsigned int hold_seconds;
};

// One write per page makes the kernel fault in and charge every page to the memcg;
// volatile keeps the compiler from dropping writes nobody reads.
__attribute__((noinline, noclone)) void touch_pages(char *memory, size_t bytes)
{
	// The OOM faults here, so this leaf must push its own frame or a frame-pointer walk
	// skips its caller allocate_chunks. gcc 12 omits leaf frames even with
	// -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer; using the frame address forces one.
	__asm__ volatile("" : : "r"(__builtin_frame_address(0)));
	volatile char *page = memory;
	for (size_t offset = 0; offset < bytes; offset += PAGE_STRIDE)
		page[offset] = 1;
}

// Chunks stay linked from the list so the memory is live until the process dies.
__attribute__((noinline, noclone)) struct chunk *allocate_chunks(const struct workload *work)
{
	struct chunk *chunks = NULL;
	size_t chunk_bytes = work->chunk_mib * MIB;

	for (unsigned long allocated_mib = 0; allocated_mib + work->chunk_mib <= work->total_mib;) {
		char *memory = malloc(chunk_bytes);
		if (memory == NULL) {
			fprintf(stderr, "oom-alloc: malloc of %lu MiB failed after %lu MiB\n",
				work->chunk_mib, allocated_mib);
			exit(1);
		}
		touch_pages(memory, chunk_bytes);
		struct chunk *chunk = (struct chunk *)memory;
		chunk->next = chunks;
		chunks = chunk;
		allocated_mib += work->chunk_mib;
		printf("oom-alloc: touched %lu MiB\n", allocated_mib);
		if (work->interval_ms > 0)
			usleep(work->interval_ms * 1000U);
	}
	return chunks;
}

__attribute__((noinline, noclone)) int run_workload(const struct workload *work)
{
	printf("oom-alloc: pid %d, chunks of %lu MiB, up to %lu MiB\n",
	       (int)getpid(), work->chunk_mib, work->total_mib);
	if (work->pause_seconds > 0) {
		printf("oom-alloc: pausing %u s before allocating\n", work->pause_seconds);
		sleep(work->pause_seconds);
	}
	struct chunk *chunks = allocate_chunks(work);
	printf("oom-alloc: reached %lu MiB without being killed\n", work->total_mib);
	if (work->hold_seconds > 0) {
		printf("oom-alloc: holding it for %u s\n", work->hold_seconds);
		sleep(work->hold_seconds);
	}
	return chunks != NULL ? 0 : 1;
}

static int parse_count(const char *text, unsigned long *count)
{
	char *end;
	*count = strtoul(text, &end, 10);
	return *text != '\0' && *end == '\0';
}

static int usage(const char *program)
{
	fprintf(stderr, "usage: %s [-c chunk-MiB] [-t total-MiB] [-p pause-seconds] [-i interval-ms] [-H hold-seconds]\n",
		program);
	return 2;
}

int main(int argc, char **argv)
{
	struct workload work = {
		.chunk_mib = DEFAULT_CHUNK_MIB,
		.total_mib = DEFAULT_TOTAL_MIB,
		.pause_seconds = 0,
		.hold_seconds = 0,
	};
	unsigned long pause_seconds = 0;
	unsigned long hold_seconds = 0;
	unsigned long interval_ms = 0;
	int option;

	while ((option = getopt(argc, argv, "c:t:p:i:H:")) != -1) {
		int valid;
		switch (option) {
		case 'c': valid = parse_count(optarg, &work.chunk_mib) && work.chunk_mib > 0; break;
		case 't': valid = parse_count(optarg, &work.total_mib) && work.total_mib > 0; break;
		case 'p': valid = parse_count(optarg, &pause_seconds); break;
		case 'i': valid = parse_count(optarg, &interval_ms) && interval_ms <= 60000; break;
		case 'H': valid = parse_count(optarg, &hold_seconds); break;
		default: valid = 0;
		}
		if (!valid)
			return usage(argv[0]);
	}
	if (optind != argc)
		return usage(argv[0]);
	work.pause_seconds = (unsigned int)pause_seconds;
	work.hold_seconds = (unsigned int)hold_seconds;
	work.interval_ms = (unsigned int)interval_ms;

	// Line-buffered even into a pipe: a SIGKILL loses whatever stdio still holds,
	// and the last progress line is what tells how far the process got.
	setvbuf(stdout, NULL, _IOLBF, 0);
	return run_workload(&work);
}
