/* SPDX-License-Identifier: GPL-2.0 */
/* The user-space state of the current task at an event, for the daemon to unwind from DWARF call
 * frame information after the task moved on or died (daemon/.../symbol/StackUnwinder): the
 * registers unwinding starts from and a copy of the stack from rsp upwards. Mirrored by the Java
 * decoder of any record that embeds it.
 *
 * For events that are emitted, never on a hot path: a 16 KiB copy costs ~1.2-1.7 us
 * (spikes/futex-unwind). Needs bpf_task_pt_regs (Linux 5.15) and bpf_get_current_task_btf (5.11);
 * without them it captures nothing (valid_bytes 0) rather than keep the program from loading. */
#ifndef NODESCOPE_USER_STACK_H
#define NODESCOPE_USER_STACK_H

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

/* The stack copy's size: a power of two from 8 to 32 KiB. Define it before including this file to
 * change it; the record that embeds struct ns_user_stack grows or shrinks with it. The stacks of
 * the glibc lock waits measured in the spike used 808-920 bytes; deep C++ or JVM stacks use more. */
#ifndef NS_USER_STACK_BYTES
#define NS_USER_STACK_BYTES 16384
#endif
_Static_assert(NS_USER_STACK_BYTES >= 8192 && NS_USER_STACK_BYTES <= 32768
	       && (NS_USER_STACK_BYTES & (NS_USER_STACK_BYTES - 1)) == 0,
	       "NS_USER_STACK_BYTES must be 8, 16 or 32 KiB");

#define NS_USER_PAGE_BYTES 4096

/* x86-64 registers at the event: the pc, the stack and frame pointers and the callee-saved ones,
 * the only registers call frame information refers to on the way up. */
struct ns_user_regs {
	__u64 rip;
	__u64 rsp;
	__u64 rbp;
	__u64 rbx;
	__u64 r12;
	__u64 r13;
	__u64 r14;
	__u64 r15;
};

struct ns_user_stack {
	struct ns_user_regs regs;
	__u32 valid_bytes;   /* bytes of stack[] copied from rsp upwards; 0: no user state (kernel thread) */
	__u32 _pad;
	__u8 stack[NS_USER_STACK_BYTES];   /* the user memory at [rsp, rsp + valid_bytes) */
};

/* Page by page, because bpf_probe_read_user zeroes its whole buffer when any byte of it faults:
 * one read of the whole stack near the top of a shallow stack would lose everything. First the
 * rest of rsp's page, then whole pages; the last bytes, when rsp was not page aligned, by one
 * page-sized read ending at the buffer's end (it overlaps bytes already copied, and gives a
 * constant offset the verifier can check). Stops at the first page that faults. */
static __always_inline __u32 ns_copy_user_stack(__u8 *stack, __u64 rsp)
{
	__u32 copied = NS_USER_PAGE_BYTES - (rsp & (NS_USER_PAGE_BYTES - 1));

	if (bpf_probe_read_user(stack, copied, (void *)rsp))
		return 0;
	for (int page = 0; page < NS_USER_STACK_BYTES / NS_USER_PAGE_BYTES; page++) {
		if (copied > NS_USER_STACK_BYTES - NS_USER_PAGE_BYTES)
			break;
		if (bpf_probe_read_user(stack + (copied & (NS_USER_STACK_BYTES - 1)), NS_USER_PAGE_BYTES,
					(void *)(rsp + copied)))
			return copied;
		copied += NS_USER_PAGE_BYTES;
	}
	if (copied < NS_USER_STACK_BYTES
	    && !bpf_probe_read_user(stack + NS_USER_STACK_BYTES - NS_USER_PAGE_BYTES, NS_USER_PAGE_BYTES,
				    (void *)(rsp + NS_USER_STACK_BYTES - NS_USER_PAGE_BYTES)))
		copied = NS_USER_STACK_BYTES;
	return copied;
}

/* Fills *out with the current task's user registers (from its pt_regs, saved at kernel entry) and
 * stack. Returns 0, or -1 with out->valid_bytes = 0 when the task has no user state (a kernel
 * thread) or the architecture is not x86-64. *out is usually inside a reserved ring record. */
static __always_inline int ns_capture_user_stack(struct ns_user_stack *out)
{
	out->valid_bytes = 0;
	out->_pad = 0;
#if defined(__TARGET_ARCH_x86)
	/* Constants after CO-RE relocation: on a kernel without these helpers (before 5.15) the
	 * verifier never sees their calls, and the event carries no user state instead of failing to load. */
	if (!bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_task_pt_regs)
	    || !bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_current_task_btf))
		return -1;
	struct task_struct *task = bpf_get_current_task_btf();
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);

	if (!regs || !BPF_CORE_READ(task, mm) || (BPF_CORE_READ(regs, cs) & 3) != 3)
		return -1;
	out->regs.rip = BPF_CORE_READ(regs, ip);
	out->regs.rsp = BPF_CORE_READ(regs, sp);
	out->regs.rbp = BPF_CORE_READ(regs, bp);
	out->regs.rbx = BPF_CORE_READ(regs, bx);
	out->regs.r12 = BPF_CORE_READ(regs, r12);
	out->regs.r13 = BPF_CORE_READ(regs, r13);
	out->regs.r14 = BPF_CORE_READ(regs, r14);
	out->regs.r15 = BPF_CORE_READ(regs, r15);
	out->valid_bytes = ns_copy_user_stack(out->stack, out->regs.rsp);
	return 0;
#else
	return -1;
#endif
}

#endif
