// Reference consumer for the ring drain benchmark: libbpf's ring_buffer__poll on ringbench.bpf.o.
// usage: ring_consumer OBJECT LOADGEN EVENTS RUNS LOAD_CPU WAKEUP_MIN_BYTES [et]
// "et" re-registers the ring edge-triggered in libbpf's epoll set, as RingPoller does: libbpf
// registers it level-triggered, which returns at once while any byte is unread.
// Prints one RESULT line per run; run 0 is a warm-up with EVENTS/5 (same as RingDrainBench.java).
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include "ringbench.h"

static struct {
	__u64 consumed;
	__u64 last_seq;
	__u64 out_of_order;
} seen;

static volatile sig_atomic_t loadgen_exited;

/* The same work per record as the Java handler: read seq, check it grows, count. */
static int on_record(void *ctx, void *data, size_t size)
{
	const struct bench_record *r = data;
	if (seen.consumed && r->seq <= seen.last_seq)
		seen.out_of_order++;
	seen.last_seq = r->seq;
	seen.consumed++;
	return 0;
}

static void on_sigchld(int sig)
{
	loadgen_exited = 1;
}

static __u64 nanos(clockid_t clock)
{
	struct timespec t;
	clock_gettime(clock, &t);
	return t.tv_sec * 1000000000ull + t.tv_nsec;
}

static __u64 process_cpu_ns(void)
{
	struct rusage u;
	getrusage(RUSAGE_SELF, &u);
	return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1000000000ull
	       + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1000ull;
}

static __u64 read_counter(int fd, __u32 slot)
{
	__u64 value;
	if (bpf_map_lookup_elem(fd, &slot, &value)) {
		perror("ring_consumer: counters lookup");
		exit(1);
	}
	return value;
}

static void die(const char *what)
{
	fprintf(stderr, "ring_consumer: %s: %s\n", what, strerror(errno));
	exit(1);
}

int main(int argc, char **argv)
{
	if (argc != 7 && !(argc == 8 && !strcmp(argv[7], "et"))) {
		fprintf(stderr, "usage: ring_consumer OBJECT LOADGEN EVENTS RUNS LOAD_CPU WAKEUP_MIN_BYTES [et]\n");
		return 2;
	}
	const char *loadgen = argv[2], *load_cpu = argv[5];
	long events = atol(argv[3]);
	int runs = atoi(argv[4]);
	__u64 wakeup_min_bytes = strtoull(argv[6], NULL, 0);

	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj))
		die("load BPF object");
	if (!bpf_program__attach(bpf_object__find_program_by_name(obj, "on_sys_enter")))
		die("attach on_sys_enter");
	int config_fd = bpf_object__find_map_fd_by_name(obj, "run_config");
	int counters_fd = bpf_object__find_map_fd_by_name(obj, "counters");
	int ring_fd = bpf_object__find_map_fd_by_name(obj, "records");
	struct ring_buffer *ring = ring_buffer__new(ring_fd, on_record, NULL, NULL);
	if (!ring)
		die("ring_buffer__new");
	int edge_triggered = argc == 8;
	/* data.fd is libbpf's index of the ring in its set: 0 for the first (and only) ring */
	struct epoll_event edge = { .events = EPOLLIN | EPOLLET, .data.fd = 0 };
	if (edge_triggered && epoll_ctl(ring_buffer__epoll_fd(ring), EPOLL_CTL_MOD, ring_fd, &edge))
		die("epoll_ctl(MOD, EPOLLET)");
	signal(SIGCHLD, on_sigchld);

	for (int run = 0; run <= runs; run++) {
		long calls = run == 0 ? events / 5 : events;
		int to_child[2], from_child[2];
		if (pipe(to_child) || pipe(from_child))
			die("pipe");
		char calls_arg[32];
		snprintf(calls_arg, sizeof(calls_arg), "%ld", calls);
		loadgen_exited = 0;
		pid_t pid = fork();
		if (pid == 0) {
			dup2(to_child[0], 0);
			dup2(from_child[1], 1);
			execl(loadgen, loadgen, calls_arg, load_cpu, (char *)NULL);
			_exit(127);
		}
		close(to_child[0]);
		close(from_child[1]);

		memset(&seen, 0, sizeof(seen));
		__u64 produced0 = read_counter(counters_fd, BENCH_PRODUCED);
		__u64 dropped0 = read_counter(counters_fd, BENCH_DROPPED);
		__u32 zero = 0;
		struct bench_config cfg = { .target_tgid = pid, .wakeup_min_bytes = wakeup_min_bytes };
		if (bpf_map_update_elem(config_fd, &zero, &cfg, BPF_ANY))
			die("config update");

		__u64 thread0 = nanos(CLOCK_THREAD_CPUTIME_ID), process0 = process_cpu_ns();
		__u64 start = nanos(CLOCK_MONOTONIC), last = start, produced, dropped, polls = 0;
		if (write(to_child[1], "g", 1) != 1)
			die("start loadgen");
		for (;;) {
			polls++;
			int got = ring_buffer__poll(ring, 10);
			/* poll only drains rings epoll reported; a tail below wakeup_min_bytes never is,
			 * and edge-triggered, libbpf can lose the kernel's wake-up: it publishes
			 * consumer_pos and re-reads producer_pos without a full fence in between */
			if (got == 0)
				got = ring_buffer__consume(ring);
			if (got > 0)
				last = nanos(CLOCK_MONOTONIC);
			if (loadgen_exited) {
				produced = read_counter(counters_fd, BENCH_PRODUCED) - produced0;
				dropped = read_counter(counters_fd, BENCH_DROPPED) - dropped0;
				if (seen.consumed + dropped >= produced)
					break;
			}
		}
		double thread_ns = nanos(CLOCK_THREAD_CPUTIME_ID) - thread0;
		double process_ns = process_cpu_ns() - process0;
		waitpid(pid, NULL, 0);
		char out[64] = "";
		long load_ns = 0, load_calls = 0;
		if (read(from_child[0], out, sizeof(out) - 1) > 0)
			sscanf(out, "%ld %ld", &load_ns, &load_calls);
		close(from_child[0]);
		close(to_child[1]);
		cfg.target_tgid = 0;
		bpf_map_update_elem(config_fd, &zero, &cfg, BPF_ANY);

		printf("RESULT consumer=%s wakeup_min_bytes=%llu run=%d events=%llu produced=%llu drops=%llu"
		       " out_of_order=%llu thread_ns_per_event=%.2f process_ns_per_event=%.2f events_per_s=%.0f"
		       " load_events_per_s=%.0f events_per_poll=%.1f\n",
		       edge_triggered ? "c-libbpf-et" : "c-libbpf", wakeup_min_bytes, run, seen.consumed, produced, dropped, seen.out_of_order,
		       thread_ns / seen.consumed, process_ns / seen.consumed,
		       seen.consumed / ((last - start) / 1e9), load_calls / (load_ns / 1e9),
		       (double)seen.consumed / polls);
		fflush(stdout);
	}
	ring_buffer__free(ring);
	bpf_object__close(obj);
	return 0;
}
