/* SPDX-License-Identifier: GPL-2.0 */
/* Who a task is: identity, memory cgroup, the cgroup's path from kernfs. */
#ifndef NODESCOPE_TASK_H
#define NODESCOPE_TASK_H

#include "nodescope.h"

/* 6.15 renamed kernfs_node.parent to __parent (now RCU-protected). */
struct kernfs_node___old {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

static __always_inline struct kernfs_node *ns_kernfs_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(kn->__parent))
		return BPF_CORE_READ(kn, __parent);
	return BPF_CORE_READ((struct kernfs_node___old *)kn, parent);
}

/* The memory cgroup on v1 and v2 alike: bpf_get_current_cgroup_id() is the v2 id, which is the
 * root for every task on a host whose memory controller is on v1. */
static __always_inline struct mem_cgroup *ns_task_memcg(struct task_struct *task)
{
	struct cgroup_subsys_state *css = BPF_CORE_READ(task, cgroups, subsys[memory_cgrp_id]);
	return css ? container_of(css, struct mem_cgroup, css) : NULL;
}

static __always_inline __u64 ns_memcg_id(struct mem_cgroup *memcg)
{
	return memcg ? BPF_CORE_READ(memcg, css.cgroup, kn, id) : 0;
}

/* The current task, the usual subject of an event. */
static __always_inline void ns_fill_current(struct ns_task *out)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct task_struct *current = bpf_get_current_task_btf();
	out->tgid = pid_tgid >> 32;
	out->pid = (__u32)pid_tgid;
	out->uid = (__u32)bpf_get_current_uid_gid();
	out->memcg_id = ns_memcg_id(ns_task_memcg(current));
	bpf_get_current_comm(out->comm, sizeof(out->comm));
}

/* Names from the memcg's directory up to (not including) the hierarchy's root. */
static __always_inline void ns_read_cgroup_path(struct ns_cgroup_path *out, struct mem_cgroup *memcg)
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
		struct kernfs_node *parent = kn ? ns_kernfs_parent(kn) : NULL;
		if (!parent)
			return; /* kn is the root (or absent): the path is complete */
		out->ids[level] = BPF_CORE_READ(kn, id);
		bpf_probe_read_kernel_str(out->names[level], sizeof(out->names[level]), BPF_CORE_READ(kn, name));
		out->depth = level + 1;
		kn = parent;
	}
	out->truncated = kn && ns_kernfs_parent(kn) != NULL;
}

#endif
