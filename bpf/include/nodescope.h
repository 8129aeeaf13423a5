/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by every nodescope BPF program and mirrored by the Java decoders (daemon/.../decode). */
#ifndef NODESCOPE_H
#define NODESCOPE_H

#define NS_COMM_LEN 16
#define NS_MAX_STACK_DEPTH 64

/* Ring indices for the per-ring kernel-side drop counters (map ring_drops). */
enum ns_ring {
	NS_RING_OOM = 0,
	NS_RING_COUNT = 1,
};

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

#endif
