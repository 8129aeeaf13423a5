/* SPDX-License-Identifier: GPL-2.0 */
/* OOM kills and the process exits that follow them. Decoded by io.nodescope.decode.OomKillDecoder
 * and ProcessExitDecoder; a layout test checks their offsets against this object's BTF. */
#ifndef NODESCOPE_OOM_H
#define NODESCOPE_OOM_H

#include "include/nodescope.h"

#define NS_OOM_KILL_VERSION 3
#define NS_PROCESS_EXIT_VERSION 1

/* ns_oom_kill_event.flags */
#define NS_OOM_F_TP_BTF          (1u << 0) /* filled from tp_btf/mark_victim (task_struct at hand) */
#define NS_OOM_F_VICTIM_MEMCG    (1u << 1) /* victim_memcg was read */
#define NS_OOM_F_MEMCG_CONSTRAINED (1u << 2) /* a memcg on the trigger's path was at its limit */

/* ns_process_exit_event.flags */
#define NS_EXIT_F_OOM_VICTIM     (1u << 0) /* the process was marked as an OOM victim */
#define NS_EXIT_F_SIGNALED       (1u << 1) /* killed by a signal (exit_code & 0x7f) */

#define NS_CGROUP_PATH_LEVELS 8
#define NS_CGROUP_NAME_LEN 96 /* "cri-containerd-<64 hex>.scope" is 84 */

#define NS_USER_FILES 6          /* distinct files the trigger's user frames are looked up in */
#define NS_FILE_PATH_LEVELS 16
#define NS_FILE_NAME_LEN 64
#define NS_NO_FILE 0xff          /* ns_oom_kill_event.user_frame_file: the frame is in no recorded file */

/* A file the trigger's user frames lie in, as its memory map said at the kill: the daemon names
 * those frames from this file even when the process (and its /proc entries) is gone by the time
 * it looks. Names run from the file up to the root of its filesystem, innermost first; the
 * daemon finds where that filesystem is mounted in /proc/1/mountinfo and checks dev and inode. */
struct ns_user_file {
	__u32 dev;       /* the filesystem's kernel dev_t: major << 20 | minor */
	__u16 depth;     /* names recorded */
	__u16 truncated; /* a name or the path did not fit: the path cannot be used */
	__u64 ino;
	char names[NS_FILE_PATH_LEVELS][NS_FILE_NAME_LEN];
};

/* A cgroup's path read from kernfs at the moment of the event, innermost level first: the
 * directory may be removed (the container reaped) before the daemon could look it up. */
struct ns_cgroup_path {
	__u32 depth;     /* levels below the hierarchy's root recorded in names/ids */
	__u32 truncated; /* deeper than NS_CGROUP_PATH_LEVELS: the outermost levels are missing */
	__u64 ids[NS_CGROUP_PATH_LEVELS];
	char names[NS_CGROUP_PATH_LEVELS][NS_CGROUP_NAME_LEN];
};

/* One memory cgroup's counters, in pages, read with CO-RE at the moment of the event. */
struct ns_memcg {
	__u64 id;            /* kernfs id; 0 = none */
	__u64 usage_pages;   /* memory.usage_in_bytes / memory.current */
	__u64 limit_pages;   /* memory.limit_in_bytes / memory.max; PAGE_COUNTER_MAX = unlimited */
	__u64 failcnt;       /* memory.failcnt (v1 counts it; v2 keeps it at 0) */
	__u64 events_oom;    /* memory.events oom: times the limit was hit and OOM ran */
	__u64 events_oom_kill; /* memory.events oom_kill: this kill included (6.18 counts before marking) */
	__u64 memsw_usage_pages; /* v1 memory+swap; 0 where the kernel has no memsw counter */
	__u64 memsw_limit_pages;
};

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
	__s32 kernel_stack_bytes;    /* bpf_get_stack result: bytes written, or -errno */
	__s32 user_stack_bytes;
	__u64 kernel_stack[NS_MAX_STACK_DEPTH];
	__u64 user_stack[NS_MAX_STACK_DEPTH];
	/* After the stacks: not in the zeroed prefix, read_cgroup_path() zeroes it itself. */
	struct ns_cgroup_path victim_memcg_path; /* tp_btf only (flag NS_OOM_F_VICTIM_MEMCG) */
	/* Where each user frame lies, from the trigger's VMAs (written by locate_user_frames). Only
	 * the first user_file_count files and the frames user_stack holds are meaningful. */
	__s32 user_files_error;  /* 0, or the first bpf_find_vma error (-EBUSY: the mmap lock was taken) */
	__u32 user_file_count;
	__u8 user_frame_file[NS_MAX_STACK_DEPTH];        /* index into user_files, or NS_NO_FILE */
	__u64 user_frame_vma_offset[NS_MAX_STACK_DEPTH]; /* address - vm_start */
	__u64 user_frame_vma_pgoff[NS_MAX_STACK_DEPTH];  /* vm_pgoff: the mapping's file offset, in pages */
	struct ns_user_file user_files[NS_USER_FILES];
};

struct ns_process_exit_event {
	struct ns_event_header hdr;
	struct ns_task task;         /* the thread that ended the thread group */
	__u32 exit_code;             /* wait(2) status: exit status << 8 | terminating signal */
	__u32 flags;                 /* NS_EXIT_F_* */
};

#endif
