// SPDX-License-Identifier: GPL-2.0
/* OOM kills, on a dedicated low-volume ring that must not lose (the victims' deaths come from the
 * process exit module, bpf/exit.bpf.c, on its own ring).
 *
 * mark_victim fires inside __oom_kill_process after the victim was chosen and SIGKILLed.
 * `current` there is the task whose allocation ran the OOM killer (the trigger), often a
 * different process from the victim. Two attachments of the same logic, chosen at load time
 * by the daemon's feature probe: tp_btf (the victim's task_struct at hand, so its memcg can be
 * read) and the classic tracepoint (only the fields the tracepoint formats).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "oom.h"
#include "include/ring.h"
#include "include/task.h"
#include "include/memcg.h"
#include "include/frame_files.h"
#include "include/stack_mappings.h"

char LICENSE[] SEC("license") = "GPL";

/* How far up the cgroup tree to look for the memcg whose limit was hit. Kubelet layouts are
 * 4-6 levels deep (kubepods/burstable/pod/container); 16 covers nested (kind) nodes too. */
#define NS_MAX_MEMCG_DEPTH 16
/* A memcg counts as "at its limit" when fewer pages than this remain. Charges are batched
 * (MEMCG_CHARGE_BATCH = 64 pages) and a THP fault charges 512 pages at once. Set by the daemon
 * before load (--oom-near-limit-pages). */
const volatile __u64 near_limit_pages = 1024;
#define NS_RING_OOM 0 /* oom_events' slot in ring_drops */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	/* About 125 kill records of 32.9 KB (16 KiB of it the trigger's stack copy): a burst of kills,
	 * such as one per container of a pod whose memory limit the pod shares. */
	__uint(max_entries, 4 * 1024 * 1024);
} oom_events SEC(".maps");

/* memcg->vmstats->state is copied here whole before it is picked apart: too big for the stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ns_memcg_state_copy);
} memcg_state_scratch SEC(".maps");

/* Unused pointers that put the record layouts into this object's BTF, where the Java decoder's
 * layout test reads their offsets (clang emits BTF only for types a global refers to). */
struct ns_oom_kill_event *ns_oom_kill_event_layout __attribute__((unused));

/* Pre-5.19 kernels keep rss counters as atomics in struct mm_rss_stat. */
struct mm_rss_stat___old {
	atomic_long_t count[4];
} __attribute__((preserve_access_index));
struct mm_struct___old {
	struct mm_rss_stat___old rss_stat;
} __attribute__((preserve_access_index));

static __always_inline bool near_limit(__u64 usage, __u64 limit)
{
	return limit > 0 && usage + near_limit_pages >= limit;
}

/* The memcg OOM ran for is the one whose limit the trigger's charge hit: the trigger's own
 * memcg or an ancestor (a pod-level limit kills inside a container). mark_victim does not pass
 * it, so find the nearest memcg on the trigger's path that is at its memory (or v1 memsw)
 * limit. None found: the OOM was global (or cpuset/mempolicy-constrained). */
static __always_inline struct mem_cgroup *constraining_memcg(struct mem_cgroup *memcg)
{
	for (int depth = 0; depth < NS_MAX_MEMCG_DEPTH && memcg; depth++) {
		if (near_limit(BPF_CORE_READ(memcg, memory.usage.counter), BPF_CORE_READ(memcg, memory.max)))
			return memcg;
		if (bpf_core_field_exists(memcg->memsw) &&
		    near_limit(BPF_CORE_READ(memcg, memsw.usage.counter), BPF_CORE_READ(memcg, memsw.max)))
			return memcg;
		struct cgroup_subsys_state *parent = BPF_CORE_READ(memcg, css.parent);
		memcg = parent ? container_of(parent, struct mem_cgroup, css) : NULL;
	}
	return NULL;
}

/* The trigger's registers, stack copy and the mappings that stack runs through. A global function,
 * so the verifier checks it once on its own: inlined next to the memcg stat read it pushed the
 * mark_victim program past the verifier's 1M-instruction budget. */
__noinline int capture_trigger_state(struct ns_oom_kill_event *e)
{
	if (!e)
		return 0;
	ns_capture_user_stack(&e->trigger_user_state);
	ns_find_stack_mappings(&e->trigger_stack_mappings, &e->trigger_user_state);
	return 0;
}

/* Trigger identity, constraint and stacks: the same for both attachments. Returns the
 * constraining memcg, NULL for a global OOM. */
static __always_inline struct mem_cgroup *fill_trigger(void *ctx, struct ns_oom_kill_event *e)
{
	ns_fill_current(&e->trigger);
	struct mem_cgroup *limited = constraining_memcg(ns_task_memcg(bpf_get_current_task_btf()));
	if (limited) {
		e->flags |= NS_OOM_F_MEMCG_CONSTRAINED;
		ns_read_memcg(&e->constraining_memcg, limited);
	}
	e->kernel_stack_bytes = bpf_get_stack(ctx, e->kernel_stack, sizeof(e->kernel_stack), 0);
	e->user_stack_bytes =
		bpf_get_stack(ctx, e->user_stack, sizeof(e->user_stack), BPF_F_USER_STACK);
	int frames = e->user_stack_bytes > 0 ? e->user_stack_bytes / sizeof(__u64) : 0;
	ns_locate_user_frames(&e->user_frames, e->user_stack, frames);
	capture_trigger_state(e);
	return limited;
}

/* The memcg the kernel's OOM report describes: the one whose limit was hit, else (a global OOM)
 * the victim's own. */
static __always_inline void read_oom_memcg_stat(struct ns_oom_kill_event *e, struct mem_cgroup *limited,
						struct mem_cgroup *victim_memcg)
{
	__u32 zero = 0;
	struct ns_memcg_state_copy *scratch = bpf_map_lookup_elem(&memcg_state_scratch, &zero);
	if (scratch)
		ns_read_memcg_stat(&e->memcg_stat, limited ? limited : victim_memcg, scratch);
}

static __always_inline __u64 rss_pages(struct mm_struct *mm, int member)
{
	if (bpf_core_field_exists(mm->rss_stat[0].count))
		return BPF_CORE_READ(mm, rss_stat[member].count);
	struct mm_struct___old *old = (void *)mm;
	return BPF_CORE_READ(old, rss_stat.count[member].counter);
}

SEC("tp_btf/mark_victim")
int BPF_PROG(oom_mark_victim_btf, struct task_struct *victim, uid_t uid)
{
	struct ns_oom_kill_event *e =
		NS_RESERVE(oom_events, NS_RING_OOM, struct ns_oom_kill_event, offsetof(struct ns_oom_kill_event, kernel_stack),
			NS_EVENT_OOM_KILL, NS_OOM_KILL_VERSION);
	if (!e)
		return 0;
	e->flags = NS_OOM_F_TP_BTF;
	e->victim.tgid = BPF_CORE_READ(victim, tgid);
	e->victim.pid = BPF_CORE_READ(victim, pid);
	e->victim.uid = uid;
	BPF_CORE_READ_STR_INTO(&e->victim.comm, victim, comm);
	e->victim_oom_score_adj = BPF_CORE_READ(victim, signal, oom_score_adj);

	struct mm_struct *mm = BPF_CORE_READ(victim, mm);
	if (mm) {
		e->victim_total_vm_pages = BPF_CORE_READ(mm, total_vm);
		e->victim_rss_anon_pages =
			rss_pages(mm, MM_ANONPAGES);
		e->victim_rss_file_pages =
			rss_pages(mm, MM_FILEPAGES);
		e->victim_rss_shmem_pages =
			rss_pages(mm, MM_SHMEMPAGES);
		e->victim_pgtables_bytes = BPF_CORE_READ(mm, pgtables_bytes.counter);
	}
	struct mem_cgroup *memcg = ns_task_memcg(victim);
	ns_read_cgroup_path(&e->victim_memcg_path, memcg);
	if (memcg) {
		e->flags |= NS_OOM_F_VICTIM_MEMCG;
		ns_read_memcg(&e->victim_memcg, memcg);
		e->victim.memcg_id = e->victim_memcg.id;
	}
	read_oom_memcg_stat(e, fill_trigger(ctx, e), memcg);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* Fallback where tp_btf is unavailable: the victim's memcg is not reachable from the
 * tracepoint's fields; the daemon resolves it from /proc while the victim still lives. */
SEC("tracepoint/oom/mark_victim")
int oom_mark_victim_tp(struct trace_event_raw_mark_victim *args)
{
	struct ns_oom_kill_event *e =
		NS_RESERVE(oom_events, NS_RING_OOM, struct ns_oom_kill_event, offsetof(struct ns_oom_kill_event, kernel_stack),
			NS_EVENT_OOM_KILL, NS_OOM_KILL_VERSION);
	if (!e)
		return 0;
	e->victim.tgid = args->pid; /* the tracepoint names the thread group leader's pid */
	e->victim.pid = args->pid;
	e->victim.uid = args->uid;
	bpf_probe_read_kernel_str(e->victim.comm, sizeof(e->victim.comm),
				  (void *)args + (args->__data_loc_comm & 0xffff));
	e->victim_oom_score_adj = args->oom_score_adj;
	e->victim_total_vm_pages = args->total_vm;
	/* The tracepoint formats rss in KiB (K(get_mm_counter())); pages here, like tp_btf. */
	e->victim_rss_anon_pages = args->anon_rss >> 2;
	e->victim_rss_file_pages = args->file_rss >> 2;
	e->victim_rss_shmem_pages = args->shmem_rss >> 2;
	e->victim_pgtables_bytes = args->pgtables << 10;
	ns_read_cgroup_path(&e->victim_memcg_path, NULL); /* zeroes it: no victim memcg here */
	fill_trigger(args, e);
	bpf_ringbuf_submit(e, 0);
	return 0;
}
