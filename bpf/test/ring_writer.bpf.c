// SPDX-License-Identifier: GPL-2.0
/* Test program for the ring consumer (daemon's MappedRingIT): writes a requested number of
 * records when run through BPF_PROG_TEST_RUN, so a test knows exactly what is on the ring. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

/* The test_run ctx_in: how many records, and which of them to discard instead of submitting. */
struct ring_writer_args {
	__u32 count;
	__u32 discard_every;   /* 0: none; n: every record whose seq % n == n - 1 */
};

/* Every record starts with this; the reserved size (12 or 24) says how much padding follows. */
struct ring_record {
	__u64 seq;
	__u32 size;   /* bytes reserved, for the reader to compare with the length it sees */
};

/* Two sizes whose header + payload round differently to 8 bytes: 8 + 12 -> 24, 8 + 24 -> 32. */
#define SMALL_RECORD_SIZE 12
#define LARGE_RECORD_SIZE 24

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);   /* one page: a few hundred records lap it */
} records SEC(".maps");

/* Records bpf_ringbuf_reserve refused because the ring was full; an array so tests read it by index. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} dropped SEC(".maps");

__u64 next_seq = 0;

/* Inlined so that size is a constant at each call, as bpf_ringbuf_reserve requires. */
static __always_inline long write_one(__u64 seq, __u32 size, bool discard)
{
	struct ring_record *r = bpf_ringbuf_reserve(&records, size, 0);
	if (!r)
		return -1;
	r->seq = seq;
	r->size = size;
	if (discard)
		bpf_ringbuf_discard(r, 0);
	else
		bpf_ringbuf_submit(r, 0);
	return 0;
}

struct loop_state {
	__u32 discard_every;
	__u64 *drops;
};

static long write_next(__u32 index, struct loop_state *state)
{
	__u64 seq = next_seq++;
	bool discard = state->discard_every && seq % state->discard_every == state->discard_every - 1;
	long err = seq & 1 ? write_one(seq, LARGE_RECORD_SIZE, discard)
			   : write_one(seq, SMALL_RECORD_SIZE, discard);
	if (err)
		__sync_fetch_and_add(state->drops, 1);
	return 0;
}

SEC("syscall")
int write_records(struct ring_writer_args *args)
{
	__u32 zero = 0;
	struct loop_state state = {
		.discard_every = args->discard_every,
		.drops = bpf_map_lookup_elem(&dropped, &zero),
	};

	if (!state.drops)
		return 1;
	/* bpf_loop (5.17+) rather than a bounded for: the verifier walks the callback once. */
	bpf_loop(args->count, write_next, &state, 0);
	return 0;
}
