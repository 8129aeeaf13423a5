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

/* Where memcg->vmstats->state keeps a counter. Since 6.10 the array is compacted: the node items
 * the kernel's memcg_node_stat_items[] lists, in that order, then memcg_stat_items[]
 * (MEMCG_SWAP..MEMCG_NR_STAT-1). The head of memcg_node_stat_items[] below (up to
 * NR_SECONDARY_PAGETABLE) has no config-dependent entries; its tail does, so the memcg items are
 * found counting back from the array's end. Before 6.10 the array was indexed by the enum value
 * itself (MEMCG_NR_STAT slots). Checked against the kernel's own OOM report on 6.18
 * (OomIncidentIT). */
enum ns_memcg_node_slot {
	NS_SLOT_INACTIVE_ANON, NS_SLOT_ACTIVE_ANON, NS_SLOT_INACTIVE_FILE, NS_SLOT_ACTIVE_FILE,
	NS_SLOT_UNEVICTABLE, NS_SLOT_SLAB_RECLAIMABLE_B, NS_SLOT_SLAB_UNRECLAIMABLE_B,
	NS_SLOT_WORKINGSET_REFAULT_ANON, NS_SLOT_WORKINGSET_REFAULT_FILE,
	NS_SLOT_WORKINGSET_ACTIVATE_ANON, NS_SLOT_WORKINGSET_ACTIVATE_FILE,
	NS_SLOT_WORKINGSET_RESTORE_ANON, NS_SLOT_WORKINGSET_RESTORE_FILE, NS_SLOT_WORKINGSET_NODERECLAIM,
	NS_SLOT_ANON_MAPPED, NS_SLOT_FILE_MAPPED, NS_SLOT_FILE_PAGES, NS_SLOT_FILE_DIRTY,
	NS_SLOT_WRITEBACK, NS_SLOT_SHMEM, NS_SLOT_SHMEM_THPS, NS_SLOT_FILE_THPS, NS_SLOT_ANON_THPS,
	NS_SLOT_KERNEL_STACK_KB, NS_SLOT_PAGETABLE, NS_SLOT_SECONDARY_PAGETABLE,
	NS_NODE_SLOTS_KNOWN,
};

#define NS_MEMCG_STATE_SLOTS 64 /* 40 on 6.18; more than any kernel's MEMCG_NR_STAT so far */

struct ns_memcg_state_copy {
	long state[NS_MEMCG_STATE_SLOTS];
};

static __always_inline void ns_read_memcg_stat(struct ns_memcg_stat *out, struct mem_cgroup *memcg,
					       struct ns_memcg_state_copy *scratch)
{
	if (!memcg || bpf_core_field_size(memcg->vmstats) != sizeof(void *))
		return; /* before 6.8 the counters were embedded in a layout not handled here */
	struct memcg_vmstats *vmstats = BPF_CORE_READ(memcg, vmstats);
	if (!vmstats)
		return;
	int slots = bpf_core_field_size(vmstats->state) / sizeof(long);
	int memcg_items = bpf_core_enum_value(enum memcg_stat_item, MEMCG_NR_STAT) -
			  bpf_core_enum_value(enum memcg_stat_item, MEMCG_SWAP);
	if (slots > NS_MEMCG_STATE_SLOTS || slots < NS_NODE_SLOTS_KNOWN + memcg_items)
		return;
	if (bpf_probe_read_kernel(scratch->state, slots * sizeof(long), &vmstats->state))
		return;
	bool by_enum = slots == bpf_core_enum_value(enum memcg_stat_item, MEMCG_NR_STAT);
	int tail = by_enum ? bpf_core_enum_value(enum memcg_stat_item, MEMCG_SWAP) : slots - memcg_items;
#define NS_NODE(slot, item) \
	scratch->state[(by_enum ? bpf_core_enum_value(enum node_stat_item, item) : (slot)) & (NS_MEMCG_STATE_SLOTS - 1)]
#define NS_MEMCG(item) \
	scratch->state[(tail + bpf_core_enum_value(enum memcg_stat_item, item) - \
			bpf_core_enum_value(enum memcg_stat_item, MEMCG_SWAP)) & (NS_MEMCG_STATE_SLOTS - 1)]
	out->anon = NS_NODE(NS_SLOT_ANON_MAPPED, NR_ANON_MAPPED);
	out->file = NS_NODE(NS_SLOT_FILE_PAGES, NR_FILE_PAGES);
	out->kernel = NS_MEMCG(MEMCG_KMEM);
	out->kernel_stack_kb = NS_NODE(NS_SLOT_KERNEL_STACK_KB, NR_KERNEL_STACK_KB);
	out->pagetables = NS_NODE(NS_SLOT_PAGETABLE, NR_PAGETABLE);
	out->sec_pagetables = NS_NODE(NS_SLOT_SECONDARY_PAGETABLE, NR_SECONDARY_PAGETABLE);
	out->percpu_bytes = NS_MEMCG(MEMCG_PERCPU_B);
	out->sock = NS_MEMCG(MEMCG_SOCK);
	out->vmalloc = NS_MEMCG(MEMCG_VMALLOC);
	out->shmem = NS_NODE(NS_SLOT_SHMEM, NR_SHMEM);
	out->file_mapped = NS_NODE(NS_SLOT_FILE_MAPPED, NR_FILE_MAPPED);
	out->file_dirty = NS_NODE(NS_SLOT_FILE_DIRTY, NR_FILE_DIRTY);
	out->file_writeback = NS_NODE(NS_SLOT_WRITEBACK, NR_WRITEBACK);
	out->anon_thp = NS_NODE(NS_SLOT_ANON_THPS, NR_ANON_THPS);
	out->inactive_anon = NS_NODE(NS_SLOT_INACTIVE_ANON, NR_INACTIVE_ANON);
	out->active_anon = NS_NODE(NS_SLOT_ACTIVE_ANON, NR_ACTIVE_ANON);
	out->inactive_file = NS_NODE(NS_SLOT_INACTIVE_FILE, NR_INACTIVE_FILE);
	out->active_file = NS_NODE(NS_SLOT_ACTIVE_FILE, NR_ACTIVE_FILE);
	out->unevictable = NS_NODE(NS_SLOT_UNEVICTABLE, NR_UNEVICTABLE);
	out->slab_reclaimable_bytes = NS_NODE(NS_SLOT_SLAB_RECLAIMABLE_B, NR_SLAB_RECLAIMABLE_B);
	out->slab_unreclaimable_bytes = NS_NODE(NS_SLOT_SLAB_UNRECLAIMABLE_B, NR_SLAB_UNRECLAIMABLE_B);
	out->swap = NS_MEMCG(MEMCG_SWAP);
	out->workingset_refault_anon = NS_NODE(NS_SLOT_WORKINGSET_REFAULT_ANON, WORKINGSET_REFAULT_ANON);
	out->workingset_refault_file = NS_NODE(NS_SLOT_WORKINGSET_REFAULT_FILE, WORKINGSET_REFAULT_FILE);
#undef NS_NODE
#undef NS_MEMCG
	out->memcg_id = ns_memcg_id(memcg);
}

#endif
