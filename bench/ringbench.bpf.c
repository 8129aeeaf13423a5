// SPDX-License-Identifier: GPL-2.0
/* Ring drain benchmark load: one record per syscall of the target process. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "ringbench.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} records SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bench_config);
} run_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BENCH_COUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

static __always_inline __u64 *counter(__u32 slot)
{
	return bpf_map_lookup_elem(&counters, &slot);
}

SEC("tracepoint/raw_syscalls/sys_enter")
int on_sys_enter(struct trace_event_raw_sys_enter *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 zero = 0;
	struct bench_config *cfg = bpf_map_lookup_elem(&run_config, &zero);
	if (!cfg || cfg->target_tgid != pid_tgid >> 32)
		return 0;
	__u64 *produced = counter(BENCH_PRODUCED), *dropped = counter(BENCH_DROPPED);
	if (!produced || !dropped)
		return 0;

	__u64 seq = __sync_fetch_and_add(produced, 1);
	struct bench_record *r = bpf_ringbuf_reserve(&records, sizeof(*r), 0);
	if (!r) {
		__sync_fetch_and_add(dropped, 1);
		return 0;
	}
	r->ts_ns = bpf_ktime_get_ns();
	r->tgid = pid_tgid >> 32;
	r->tid = (__u32)pid_tgid;
	r->syscall_nr = ctx->id;
	r->seq = seq;

	/* Adaptive (0): the kernel wakes the consumer when a commit finds it caught up.
	 * Batched: no wake-up until wakeup_min_bytes are waiting, so a fast producer costs one
	 * epoll wake-up per batch, not per record; the consumer's poll timeout fetches the tail. */
	__u64 flags = 0;
	if (cfg->wakeup_min_bytes)
		flags = bpf_ringbuf_query(&records, BPF_RB_AVAIL_DATA) >= cfg->wakeup_min_bytes
			? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
	bpf_ringbuf_submit(r, flags);
	return 0;
}
