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
#define NS_MAX_CPUS 4096        /* bpf_per_cpu_ptr ends the walk at the last possible CPU */

struct ns_memcg_state_copy {
	long state[NS_MEMCG_STATE_SLOTS];
	long pending[NS_MEMCG_STATE_SLOTS];  /* children's flushed deltas not yet added here */
	long cpu_state[NS_MEMCG_STATE_SLOTS];
	long cpu_prev[NS_MEMCG_STATE_SLOTS];
};

/* Where a CPU's copy of per-CPU data lies: this map's one element, looked up for that CPU, minus
 * the element's per-CPU pointer (struct bpf_array.pptrs[0]). A per-CPU kernel variable would do
 * as well, but kallsyms here lists no data symbols for libbpf to find it by. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} ns_cpu_offset_probe SEC(".maps");

struct ns_unflushed {
	struct ns_memcg_state_copy *scratch;
	void *percpu;       /* memcg->vmstats_percpu, a per-CPU pointer */
	void *probe_percpu; /* ns_cpu_offset_probe's element, a per-CPU pointer */
	int slots;
};

/* A map or map value pointer's kernel address as a plain number. The verifier forbids arithmetic
 * between such pointers and unknown numbers; read back from the stack slot it was spilled to, the
 * address is just a number (a privileged program may hold kernel addresses). */
static __always_inline unsigned long ns_address(void *pointer)
{
	unsigned long address = 0;
	bpf_probe_read_kernel(&address, sizeof(address), &pointer);
	return address;
}

/* One CPU's updates since the last flush (state - state_prev), added to the totals. */
static long ns_add_unflushed(__u32 cpu, struct ns_unflushed *ctx)
{
	__u32 zero = 0;
	void *copy = bpf_map_lookup_percpu_elem(&ns_cpu_offset_probe, &zero, cpu);
	if (!copy)
		return 1; /* past the last possible CPU */
	void *percpu = ctx->percpu + (ns_address(copy) - (unsigned long)ctx->probe_percpu);
	int bytes = ctx->slots * sizeof(long);
	if (bytes <= 0 || bytes > sizeof(ctx->scratch->cpu_state))
		return 1;
	if (bpf_probe_read_kernel(ctx->scratch->cpu_state, bytes,
				  percpu + bpf_core_field_offset(struct memcg_vmstats_percpu, state)) ||
	    bpf_probe_read_kernel(ctx->scratch->cpu_prev, bytes,
				  percpu + bpf_core_field_offset(struct memcg_vmstats_percpu, state_prev)))
		return 1;
	for (int i = 0; i < NS_MEMCG_STATE_SLOTS && i < ctx->slots; i++)
		ctx->scratch->state[i] += ctx->scratch->cpu_state[i] - ctx->scratch->cpu_prev[i];
	return 0;
}

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
	if (bpf_probe_read_kernel(scratch->state, slots * sizeof(long), &vmstats->state) ||
	    bpf_probe_read_kernel(scratch->pending, slots * sizeof(long), &vmstats->state_pending))
		return;
	/* vmstats->state is what the last flush left. The kernel flushes right before it prints its
	 * OOM report, but that report is rate limited node-wide (10 per 5 s): in a burst of kills
	 * the counters lag by up to 2 s (the periodic flush). So add what the flush would: this
	 * memcg's per-CPU updates since it, and its children's deltas already handed up to it.
	 * Updates still on a child's own CPUs are not added (none for a leaf cgroup). */
	for (int i = 0; i < NS_MEMCG_STATE_SLOTS && i < slots; i++)
		scratch->state[i] += scratch->pending[i];
	struct ns_unflushed unflushed = {
		.scratch = scratch,
		.percpu = BPF_CORE_READ(memcg, vmstats_percpu),
		.slots = slots,
	};
	unsigned long probe_address = ns_address(&ns_cpu_offset_probe);
	if (probe_address)
		bpf_probe_read_kernel(&unflushed.probe_percpu, sizeof(unflushed.probe_percpu),
				      (void *)probe_address + bpf_core_field_offset(struct bpf_array, pptrs));
	if (unflushed.percpu && unflushed.probe_percpu)
		bpf_loop(NS_MAX_CPUS, ns_add_unflushed, &unflushed, 0);
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
