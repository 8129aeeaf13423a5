/* SPDX-License-Identifier: GPL-2.0 */
/* The OOM kill module's record. Decoded by io.nodescope.module.oom.OomKillFormat; a layout test
 * checks its offsets against this object's BTF. */
#ifndef NODESCOPE_OOM_H
#define NODESCOPE_OOM_H

#include "include/nodescope.h"
#include "include/user_stack.h"

#define NS_OOM_KILL_VERSION 4

/* ns_oom_kill_event.flags */
#define NS_OOM_F_TP_BTF          (1u << 0) /* filled from tp_btf/mark_victim (task_struct at hand) */
#define NS_OOM_F_VICTIM_MEMCG    (1u << 1) /* victim_memcg was read */
#define NS_OOM_F_MEMCG_CONSTRAINED (1u << 2) /* a memcg on the trigger's path was at its limit */

struct ns_oom_kill_event {
	struct ns_event_header hdr;
	__u32 flags;                 /* NS_OOM_F_* */
	__s32 victim_oom_score_adj;
	struct ns_task victim;       /* the task chosen to die */
	__u64 victim_total_vm_pages;
	__u64 victim_rss_anon_pages;
	__u64 victim_rss_file_pages;
	__u64 victim_rss_shmem_pages;
	__u64 victim_pgtables_bytes;
	struct ns_memcg victim_memcg;
	struct ns_memcg constraining_memcg; /* nearest memcg at its limit on the trigger's path */
	struct ns_task trigger;      /* current: the task whose allocation ran the OOM killer */
	/* memory.stat of the constraining memcg (the one the kernel's OOM report prints), or of the
	 * victim's memcg for a global OOM; memcg_id says which. tp_btf only. */
	struct ns_memcg_stat memcg_stat;
	__s32 kernel_stack_bytes;    /* bpf_get_stack result: bytes written, or -errno */
	__s32 user_stack_bytes;
	__u64 kernel_stack[NS_MAX_STACK_DEPTH];
	__u64 user_stack[NS_MAX_STACK_DEPTH];
	/* After the stacks: not in the zeroed prefix, ns_read_cgroup_path() zeroes it itself. */
	struct ns_cgroup_path victim_memcg_path; /* tp_btf only (flag NS_OOM_F_VICTIM_MEMCG) */
	struct ns_user_frames user_frames;       /* where each of user_stack's frames lies */
	/* The trigger's registers and stack, unwound by the daemon from call frame information (complete
	 * where frame pointers are not: -fomit-frame-pointer code, frameless leaves, libc's memset),
	 * through the mappings recorded next to it. user_stack above is the fallback. */
	struct ns_user_stack trigger_user_state;
	struct ns_stack_mappings trigger_stack_mappings;
};

#endif
