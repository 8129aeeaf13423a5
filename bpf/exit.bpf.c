// SPDX-License-Identifier: GPL-2.0
/* Process exits: the death of a thread group by a signal, or of any OOM victim (the "exit 137"
 * moment), on the module's own ring, so deaths never compete with OOM kills for ring space.
 * Ordinary exits are filtered here and never leave the kernel. `current` is the exiting task.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "exit.h"
#include "include/ring.h"
#include "include/task.h"

char LICENSE[] SEC("license") = "GPL";

#define NS_RING_EXITS 0 /* exit_events' slot in ring_drops */

/* A fork bomb dying by SIGKILL is a burst of thousands of 64-byte records: 256 KiB holds 4096. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} exit_events SEC(".maps");

/* Puts the record layout into this object's BTF for the Java layout test. */
struct ns_process_exit_event *ns_process_exit_event_layout __attribute__((unused));

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
		NS_RESERVE(exit_events, NS_RING_EXITS, struct ns_process_exit_event,
			   sizeof(struct ns_process_exit_event), NS_EVENT_PROCESS_EXIT, NS_PROCESS_EXIT_VERSION);
	if (!e)
		return;
	ns_fill_current(&e->task);
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
