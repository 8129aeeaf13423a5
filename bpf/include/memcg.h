/* SPDX-License-Identifier: GPL-2.0 */
/* A memory cgroup's counters, read with CO-RE (v1 and v2 share struct mem_cgroup). */
#ifndef NODESCOPE_MEMCG_H
#define NODESCOPE_MEMCG_H

#include "task.h"

/* v1 has no memory.events file, but the kernel keeps the same counters for both versions. */
static __always_inline __u64 ns_memory_event(struct mem_cgroup *memcg, int event)
{
	return BPF_CORE_READ(memcg, memory_events[event].counter);
}

static __always_inline void ns_read_memcg(struct ns_memcg *out, struct mem_cgroup *memcg)
{
	if (!memcg)
		return;
	out->id = ns_memcg_id(memcg);
	out->usage_pages = BPF_CORE_READ(memcg, memory.usage.counter);
	out->limit_pages = BPF_CORE_READ(memcg, memory.max);
	out->failcnt = BPF_CORE_READ(memcg, memory.failcnt);
	out->events_oom = ns_memory_event(memcg, bpf_core_enum_value(enum memcg_memory_event, MEMCG_OOM));
	out->events_oom_kill =
		ns_memory_event(memcg, bpf_core_enum_value(enum memcg_memory_event, MEMCG_OOM_KILL));
	if (bpf_core_field_exists(memcg->memsw)) {
		out->memsw_usage_pages = BPF_CORE_READ(memcg, memsw.usage.counter);
		out->memsw_limit_pages = BPF_CORE_READ(memcg, memsw.max);
	}
}

#endif
