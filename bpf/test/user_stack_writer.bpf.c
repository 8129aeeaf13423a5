// SPDX-License-Identifier: GPL-2.0
/* Test program for bpf/include/user_stack.h (the daemon's UserStackSnapshotIT): at the exit of a
 * read(2) by the process the test names, writes the thread's user registers and stack onto a ring,
 * for the Java unwinder to turn into the stack gdb shows. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "include/user_stack.h"

char LICENSE[] SEC("license") = "GPL";

#define READ_SYSCALL 0   /* x86-64 __NR_read */

struct user_stack_record {
	__u32 tid;
	__u32 _pad;
	struct ns_user_stack user;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} records SEC(".maps");

/* The process to watch, written by the test: key 0, its tgid. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} target SEC(".maps");

SEC("tp_btf/sys_exit")
int BPF_PROG(capture_at_read_exit, struct pt_regs *regs, long ret)
{
	__u32 zero = 0;
	__u32 *tgid = bpf_map_lookup_elem(&target, &zero);
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	if (!tgid || *tgid == 0 || (pid_tgid >> 32) != *tgid || regs->orig_ax != READ_SYSCALL)
		return 0;
	struct user_stack_record *record = bpf_ringbuf_reserve(&records, sizeof(*record), 0);
	if (!record)
		return 0;
	record->tid = (__u32)pid_tgid;
	record->_pad = 0;
	ns_capture_user_stack(&record->user);
	bpf_ringbuf_submit(record, 0);
	return 0;
}
