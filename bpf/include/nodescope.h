/* SPDX-License-Identifier: GPL-2.0 */
/* Record layouts shared by every nodescope probe module and mirrored by the Java decoders
 * (io.nodescope.decode.SharedLayout); a layout test checks each against the objects' BTF. */
#ifndef NODESCOPE_H
#define NODESCOPE_H

#define NS_COMM_LEN 16
#define NS_MAX_STACK_DEPTH 64

/* Record kinds are unique across modules: one drain loop per ring dispatches on them, and a
 * recording mixes every module's events. A new module takes the next free number. */
enum ns_event_kind {
	NS_EVENT_OOM_KILL = 1,
	NS_EVENT_PROCESS_EXIT = 2,
};

/* Every record on a nodescope ring starts with this header so one drain loop can dispatch. */
struct ns_event_header {
	__u16 kind;      /* enum ns_event_kind */
	__u16 version;   /* layout version of the record that follows; bumped on any change */
	__u32 size;      /* sizeof the whole record, header included */
	__u64 boot_ns;   /* bpf_ktime_get_boot_ns(): CLOCK_BOOTTIME, counts suspend */
};

/* Who a task is, as the kernel knows it at the moment of the event. */
struct ns_task {
	__u32 tgid;      /* process id */
	__u32 pid;       /* thread id */
	__u32 uid;
	__u32 _pad;
	__u64 memcg_id;  /* kernfs id of the task's memory cgroup = inode of its directory; 0 unknown */
	char comm[NS_COMM_LEN];
};

#define NS_CGROUP_PATH_LEVELS 8
#define NS_CGROUP_NAME_LEN 96 /* "cri-containerd-<64 hex>.scope" is 84 */

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

/* A memory cgroup's memory.stat breakdown (hierarchical, like the files and the kernel's OOM
 * report), read from memcg->vmstats in the kernel's own units: pages unless the name says bytes
 * or KiB. The kernel flushes these counters right before printing its OOM report, so at
 * mark_victim they equal that report. memcg_id 0: not read (no memcg, or a kernel whose counter
 * layout memcg.h does not know). */
struct ns_memcg_stat {
	__u64 memcg_id;
	__s64 anon;              /* NR_ANON_MAPPED: v1 rss, v2 anon */
	__s64 file;              /* NR_FILE_PAGES: v1 cache, v2 file */
	__s64 kernel;            /* MEMCG_KMEM: all kernel memory charged (slab, stacks, page tables...) */
	__s64 kernel_stack_kb;   /* NR_KERNEL_STACK_KB */
	__s64 pagetables;        /* NR_PAGETABLE */
	__s64 sec_pagetables;    /* NR_SECONDARY_PAGETABLE */
	__s64 percpu_bytes;      /* MEMCG_PERCPU_B */
	__s64 sock;              /* MEMCG_SOCK */
	__s64 vmalloc;           /* MEMCG_VMALLOC */
	__s64 shmem;             /* NR_SHMEM */
	__s64 file_mapped;       /* NR_FILE_MAPPED */
	__s64 file_dirty;        /* NR_FILE_DIRTY */
	__s64 file_writeback;    /* NR_WRITEBACK */
	__s64 anon_thp;          /* NR_ANON_THPS */
	__s64 inactive_anon;     /* the LRU lists */
	__s64 active_anon;
	__s64 inactive_file;
	__s64 active_file;
	__s64 unevictable;
	__s64 slab_reclaimable_bytes;   /* NR_SLAB_RECLAIMABLE_B */
	__s64 slab_unreclaimable_bytes; /* NR_SLAB_UNRECLAIMABLE_B */
	__s64 swap;              /* MEMCG_SWAP */
	__s64 workingset_refault_anon;  /* events: pages read back in shortly after eviction */
	__s64 workingset_refault_file;
};

#define NS_USER_FILES 6          /* distinct files a stack's user frames are looked up in */
#define NS_FILE_PATH_LEVELS 16
#define NS_FILE_NAME_LEN 64
#define NS_NO_FILE 0xff          /* ns_user_frames.frame_file: the frame is in no recorded file */

/* A file user frames lie in, as the task's memory map said at the event: the daemon names those
 * frames from this file even when the process (and its /proc entries) is gone by the time it
 * looks. Names run from the file up to the root of its filesystem, innermost first; the daemon
 * finds where that filesystem is mounted in /proc/1/mountinfo and checks dev and inode. */
struct ns_user_file {
	__u32 dev;       /* the filesystem's kernel dev_t: major << 20 | minor */
	__u16 depth;     /* names recorded */
	__u16 truncated; /* a name or the path did not fit: the path cannot be used */
	__u64 ino;
	char names[NS_FILE_PATH_LEVELS][NS_FILE_NAME_LEN];
};

/* Where each frame of a user stack lies, from the task's VMAs at the event (frame_files.h).
 * Only the first file_count files and the frames the stack holds are meaningful. */
struct ns_user_frames {
	__s32 error;        /* 0, or the first bpf_find_vma error (-EBUSY: the mmap lock was taken) */
	__u32 file_count;
	__u8 frame_file[NS_MAX_STACK_DEPTH];        /* index into files, or NS_NO_FILE */
	__u64 frame_vma_offset[NS_MAX_STACK_DEPTH]; /* address - vm_start */
	__u64 frame_vma_pgoff[NS_MAX_STACK_DEPTH];  /* vm_pgoff: the mapping's file offset, in pages */
	struct ns_user_file files[NS_USER_FILES];
};

#define NS_STACK_MAPPINGS 16     /* executable file mappings a captured user stack is unwound through */

/* One executable file-backed VMA the task had at the event. */
struct ns_stack_mapping {
	__u64 start;
	__u64 end;
	__u64 pgoff;     /* vm_pgoff: the file offset at start, in pages */
	__u8 file;       /* index into ns_stack_mappings.files */
	__u8 _pad[7];
};

/* The executable file mappings a captured user stack (user_stack.h) needs to be unwound and named,
 * found in the kernel at the event (stack_mappings.h): those holding rip or a stack word that could
 * be a return address. Only the first mapping_count mappings and file_count files are meaningful. */
struct ns_stack_mappings {
	__s32 error;          /* 0, or the first bpf_find_vma error other than "no VMA there" */
	__u32 file_count;
	__u32 mapping_count;
	__u32 lookups;        /* bpf_find_vma calls made */
	__u32 skipped;        /* candidate words not looked up (lookup cap) or mappings not recorded (no slot) */
	__u32 _pad;
	struct ns_stack_mapping mappings[NS_STACK_MAPPINGS];
	struct ns_user_file files[NS_USER_FILES];
};

#endif
