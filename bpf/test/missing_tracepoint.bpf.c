// SPDX-License-Identifier: GPL-2.0
/* A probe module object whose program attaches to a tracepoint no kernel has: the integration
 * test of module isolation loads it next to the real modules and checks that they keep running. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} missing_events SEC(".maps");

SEC("tp_btf/nodescope_no_such_tracepoint")
int BPF_PROG(missing_tracepoint)
{
	return 0;
}
