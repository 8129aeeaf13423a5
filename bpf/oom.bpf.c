// SPDX-License-Identifier: GPL-2.0
/* OOM kills and the deaths that follow them, on a dedicated low-volume ring that must not lose.
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

char LICENSE[] SEC("license") = "GPL";

/* How far up the cgroup tree to look for the memcg whose limit was hit. Kubelet layouts are
 * 4-6 levels deep (kubepods/burstable/pod/container); 16 covers nested (kind) nodes too. */
#define NS_MAX_MEMCG_DEPTH 16
/* A memcg counts as "at its limit" when fewer pages than this remain. Charges are batched
 * (MEMCG_CHARGE_BATCH = 64 pages) and a THP fault charges 512 pages at once. */
#define NS_NEAR_LIMIT_PAGES 1024

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1024 * 1024); /* about 110 kill records of 9.5 KB: a burst of kills */
} oom_events SEC(".maps");

/* Records that could not be reserved, per ring (enum ns_ring). Read by the daemon's /metrics. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NS_RING_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} ring_drops SEC(".maps");

/* Unused pointers that put the record layouts into this object's BTF, where the Java decoder's
 * layout test reads their offsets (clang emits BTF only for types a global refers to). */
struct ns_oom_kill_event *ns_oom_kill_event_layout __attribute__((unused));
struct ns_process_exit_event *ns_process_exit_event_layout __attribute__((unused));

/* Pre-5.19 kernels keep rss counters as atomics in struct mm_rss_stat. */
struct mm_rss_stat___old {
	atomic_long_t count[4];
} __attribute__((preserve_access_index));
struct mm_struct___old {
	struct mm_rss_stat___old rss_stat;
} __attribute__((preserve_access_index));

/* 6.15 renamed kernfs_node.parent to __parent (now RCU-protected). */
struct kernfs_node___old {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

static __always_inline struct kernfs_node *kernfs_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(kn->__parent))
		return BPF_CORE_READ(kn, __parent);
	return BPF_CORE_READ((struct kernfs_node___old *)kn, parent);
}

static __always_inline void count_drop(__u32 ring)
{
	__u64 *drops = bpf_map_lookup_elem(&ring_drops, &ring);
	if (drops)
		__sync_fetch_and_add(drops, 1);
}

/* Reserve a record and zero its first zeroed_bytes (a constant: BPF has no memset call; what
 * is not zeroed here must be written in full, as bpf_get_stack does with its buffer). */
#define RESERVE(type, zeroed_bytes, event_kind, layout_version)                                                  \
	({                                                                            \
		type *rec = bpf_ringbuf_reserve(&oom_events, sizeof(type), 0);       \
		if (!rec) {                                                           \
			count_drop(NS_RING_OOM);                                      \
		} else {                                                              \
			__builtin_memset(rec, 0, zeroed_bytes);                        \
			rec->hdr.kind = event_kind;                                       \
			rec->hdr.version = layout_version;                                 \
			rec->hdr.size = sizeof(type);                                 \
			rec->hdr.boot_ns = bpf_ktime_get_boot_ns();                   \
		}                                                                     \
		rec;                                                                  \
	})

static __always_inline struct mem_cgroup *task_memcg(struct task_struct *task)
{
	struct cgroup_subsys_state *css = BPF_CORE_READ(task, cgroups, subsys[memory_cgrp_id]);
	return css ? container_of(css, struct mem_cgroup, css) : NULL;
}

static __always_inline __u64 memcg_id(struct mem_cgroup *memcg)
{
	return memcg ? BPF_CORE_READ(memcg, css.cgroup, kn, id) : 0;
}

static __always_inline __u64 memory_event(struct mem_cgroup *memcg, int event)
{
	return BPF_CORE_READ(memcg, memory_events[event].counter);
}

static __always_inline void read_memcg(struct ns_memcg *out, struct mem_cgroup *memcg)
{
	if (!memcg)
		return;
	out->id = memcg_id(memcg);
	out->usage_pages = BPF_CORE_READ(memcg, memory.usage.counter);
	out->limit_pages = BPF_CORE_READ(memcg, memory.max);
	out->failcnt = BPF_CORE_READ(memcg, memory.failcnt);
	out->events_oom = memory_event(memcg, bpf_core_enum_value(enum memcg_memory_event, MEMCG_OOM));
	out->events_oom_kill =
		memory_event(memcg, bpf_core_enum_value(enum memcg_memory_event, MEMCG_OOM_KILL));
	if (bpf_core_field_exists(memcg->memsw)) {
		out->memsw_usage_pages = BPF_CORE_READ(memcg, memsw.usage.counter);
		out->memsw_limit_pages = BPF_CORE_READ(memcg, memsw.max);
	}
}

/* Names from the memcg's directory up to (not including) the hierarchy's root. */
static __always_inline void read_cgroup_path(struct ns_cgroup_path *out, struct mem_cgroup *memcg)
{
	/* Zeroed slot by slot: one memset of the whole struct is too large for BPF. */
	out->depth = 0;
	out->truncated = 0;
	for (int level = 0; level < NS_CGROUP_PATH_LEVELS; level++) {
		out->ids[level] = 0;
		__builtin_memset(out->names[level], 0, sizeof(out->names[level]));
	}
	struct kernfs_node *kn = memcg ? BPF_CORE_READ(memcg, css.cgroup, kn) : NULL;
	for (int level = 0; level < NS_CGROUP_PATH_LEVELS; level++) {
		struct kernfs_node *parent = kn ? kernfs_parent(kn) : NULL;
		if (!parent)
			return; /* kn is the root (or absent): the path is complete */
		out->ids[level] = BPF_CORE_READ(kn, id);
		bpf_probe_read_kernel_str(out->names[level], sizeof(out->names[level]), BPF_CORE_READ(kn, name));
		out->depth = level + 1;
		kn = parent;
	}
	out->truncated = kn && kernfs_parent(kn) != NULL;
}

static __always_inline bool near_limit(__u64 usage, __u64 limit)
{
	return limit > 0 && usage + NS_NEAR_LIMIT_PAGES >= limit;
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

static __always_inline void fill_current(struct ns_task *out)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct task_struct *current = bpf_get_current_task_btf();
	out->tgid = pid_tgid >> 32;
	out->pid = (__u32)pid_tgid;
	out->uid = (__u32)bpf_get_current_uid_gid();
	out->memcg_id = memcg_id(task_memcg(current));
	bpf_get_current_comm(out->comm, sizeof(out->comm));
}

/* Names from the file up to the root of its filesystem (not across mounts: the daemon maps the
 * filesystem to its mount point itself, which also covers overlayfs, whose VMAs hold the real
 * file of a lower or upper layer). */
static __always_inline void read_file_path(struct ns_user_file *out, struct file *file)
{
	struct dentry *dentry = BPF_CORE_READ(file, f_path.dentry);
	out->depth = 0;
	out->truncated = 0;
	for (int level = 0; level < NS_FILE_PATH_LEVELS; level++) {
		struct dentry *parent = dentry ? BPF_CORE_READ(dentry, d_parent) : NULL;
		if (!parent || parent == dentry)
			return; /* dentry is the filesystem's root: the path is complete */
		if (BPF_CORE_READ(dentry, d_name.len) >= NS_FILE_NAME_LEN)
			break;
		bpf_probe_read_kernel_str(out->names[level], NS_FILE_NAME_LEN, BPF_CORE_READ(dentry, d_name.name));
		out->depth = level + 1;
		dentry = parent;
	}
	out->truncated = 1;
}

/* The slot of the file with this dev and inode, added if new; -1 when every slot is taken. */
static __always_inline int user_file_slot(struct ns_oom_kill_event *e, __u32 dev, __u64 ino, struct file *file)
{
	__u32 count = e->user_file_count;
	for (int slot = 0; slot < NS_USER_FILES && slot < count; slot++) {
		if (e->user_files[slot].dev == dev && e->user_files[slot].ino == ino)
			return slot;
	}
	barrier_var(count); /* keeps the bound check below on the very value used as the index */
	if (count >= NS_USER_FILES)
		return -1;
	struct ns_user_file *added = &e->user_files[count];
	added->dev = dev;
	added->ino = ino;
	read_file_path(added, file);
	e->user_file_count = count + 1;
	return count;
}

struct vma_lookup {
	__u64 start;
	__u64 pgoff;
	struct file *file;
};

static long read_vma(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct vma_lookup *lookup = data;
	lookup->start = BPF_CORE_READ(vma, vm_start);
	lookup->pgoff = BPF_CORE_READ(vma, vm_pgoff);
	lookup->file = BPF_CORE_READ(vma, vm_file);
	return 0;
}

/* The trigger is often the victim, gone with its /proc/pid/maps before the daemon reads the
 * event: so the file and offset of each user frame are taken here, from the live VMAs. */
static __always_inline void locate_user_frames(struct ns_oom_kill_event *e)
{
	struct task_struct *current = bpf_get_current_task_btf();
	int frames = e->user_stack_bytes > 0 ? e->user_stack_bytes / sizeof(__u64) : 0;
	e->user_files_error = 0;
	e->user_file_count = 0;
	for (int i = 0; i < NS_MAX_STACK_DEPTH; i++) {
		e->user_frame_file[i] = NS_NO_FILE;
		e->user_frame_vma_offset[i] = 0;
		e->user_frame_vma_pgoff[i] = 0;
	}
	/* A constant after CO-RE relocation: before 5.17 the verifier never sees the helper call,
	 * and frames are named from /proc/pid/maps only, as long as the trigger lives. */
	if (!bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_find_vma))
		return;
	for (int i = 0; i < NS_MAX_STACK_DEPTH && i < frames; i++) {
		struct vma_lookup lookup = {};
		long error = bpf_find_vma(current, e->user_stack[i], read_vma, &lookup, 0);
		if (error) {
			if (!e->user_files_error)
				e->user_files_error = error;
			continue;
		}
		struct file *file = lookup.file;
		if (!file)
			continue; /* anonymous memory (JIT code): the perf map names it while it exists */
		struct inode *inode = BPF_CORE_READ(file, f_inode);
		int slot = user_file_slot(e, BPF_CORE_READ(inode, i_sb, s_dev), BPF_CORE_READ(inode, i_ino), file);
		if (slot < 0)
			continue; /* more files than slots: the frame keeps its address only */
		e->user_frame_file[i] = slot;
		e->user_frame_vma_offset[i] = e->user_stack[i] - lookup.start;
		e->user_frame_vma_pgoff[i] = lookup.pgoff;
	}
}

/* Trigger identity, constraint and stacks: the same for both attachments. */
static __always_inline void fill_trigger(void *ctx, struct ns_oom_kill_event *e)
{
	fill_current(&e->trigger);
	struct mem_cgroup *limited = constraining_memcg(task_memcg(bpf_get_current_task_btf()));
	if (limited) {
		e->flags |= NS_OOM_F_MEMCG_CONSTRAINED;
		read_memcg(&e->constraining_memcg, limited);
	}
	e->kernel_stack_bytes = bpf_get_stack(ctx, e->kernel_stack, sizeof(e->kernel_stack), 0);
	e->user_stack_bytes =
		bpf_get_stack(ctx, e->user_stack, sizeof(e->user_stack), BPF_F_USER_STACK);
	locate_user_frames(e);
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
		RESERVE(struct ns_oom_kill_event, offsetof(struct ns_oom_kill_event, kernel_stack),
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
	struct mem_cgroup *memcg = task_memcg(victim);
	read_cgroup_path(&e->victim_memcg_path, memcg);
	if (memcg) {
		e->flags |= NS_OOM_F_VICTIM_MEMCG;
		read_memcg(&e->victim_memcg, memcg);
		e->victim.memcg_id = e->victim_memcg.id;
	}
	fill_trigger(ctx, e);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* Fallback where tp_btf is unavailable: the victim's memcg is not reachable from the
 * tracepoint's fields; the daemon resolves it from /proc while the victim still lives. */
SEC("tracepoint/oom/mark_victim")
int oom_mark_victim_tp(struct trace_event_raw_mark_victim *args)
{
	struct ns_oom_kill_event *e =
		RESERVE(struct ns_oom_kill_event, offsetof(struct ns_oom_kill_event, kernel_stack),
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
	read_cgroup_path(&e->victim_memcg_path, NULL); /* zeroes it: no victim memcg here */
	fill_trigger(args, e);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* The death of a thread group by a signal, or of any OOM victim: the "exit 137" moment.
 * Only these leave the kernel; ordinary exits are filtered here. `current` is the exiting task. */
static __always_inline void report_exit(void)
{
	struct task_struct *task = bpf_get_current_task_btf();
	/* do_exit() decrements signal->live before this tracepoint: 0 means the group is dead. */
	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return;
	__u32 exit_code = BPF_CORE_READ(task, exit_code);
	__u32 flags = 0;
	if (exit_code & 0x7f)
		flags |= NS_EXIT_F_SIGNALED;
	if (BPF_CORE_READ(task, signal, oom_mm))
		flags |= NS_EXIT_F_OOM_VICTIM;
	if (!flags)
		return;

	struct ns_process_exit_event *e =
		RESERVE(struct ns_process_exit_event, sizeof(struct ns_process_exit_event),
			NS_EVENT_PROCESS_EXIT, NS_PROCESS_EXIT_VERSION);
	if (!e)
		return;
	fill_current(&e->task);
	e->exit_code = exit_code;
	e->flags = flags;
	bpf_ringbuf_submit(e, 0);
}

/* Preferred: needs no tracefs mount. Only the first argument is named: 6.16 added a second. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(process_exit_btf, struct task_struct *task)
{
	report_exit();
	return 0;
}

/* Fallback where tp_btf is refused; needs tracefs (or debugfs) mounted to find the tracepoint. */
SEC("tracepoint/sched/sched_process_exit")
int process_exit_tp(struct trace_event_raw_sched_process_template *args)
{
	report_exit();
	return 0;
}
