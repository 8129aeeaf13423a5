/* SPDX-License-Identifier: GPL-2.0 */
/* The executable file mappings a captured user stack (user_stack.h) runs through, read from the
 * current task's VMAs at the event: the daemon unwinds the stack from these files' call frame
 * information after the task, and its /proc/pid/maps, is gone (an OOM victim that triggered its
 * own kill dies within milliseconds). Which mappings: the one holding rip, and the one holding
 * each 8-byte word of the stack copy that could be a return address. Most words are not (saved
 * stack and heap pointers, integers): a word in a mapping already recorded, or in a remembered
 * range that holds no file code, costs no lookup, and the lookups are capped. */
#ifndef NODESCOPE_STACK_MAPPINGS_H
#define NODESCOPE_STACK_MAPPINGS_H

#include "nodescope.h"
#include "user_stack.h"
#include "frame_files.h"

/* bpf_find_vma calls per stack. A C program's stack words fall in a handful of VMAs (its stack,
 * heap, the executable's and libc's text), so a few dozen lookups find every mapping; the cap
 * bounds the time a stack of distinct heap pointers or integers could take (each lookup takes the
 * mmap lock and walks the maple tree). */
#define NS_STACK_MAPPING_LOOKUPS 256
/* Ranges remembered as holding no file code (stack, heap, data, anonymous or JIT memory). */
#define NS_UNRECORDED_RANGES 8
/* Where x86-64 user space ends (47-bit addresses): a word above cannot be a user return address. */
#define NS_USER_ADDRESS_END (1ULL << 47)
#define NS_VM_EXEC 0x4ULL
#define NS_ENOENT 2

struct ns_mapping_scan {
	struct ns_stack_mappings *out;
	const struct ns_user_stack *stack;
	struct task_struct *task;
	__u64 unrecorded_start[NS_UNRECORDED_RANGES];
	__u64 unrecorded_end[NS_UNRECORDED_RANGES];
};

static __always_inline bool ns_in_recorded_range(struct ns_mapping_scan *scan, __u64 address)
{
	/* Every slot, used or not (unused ones are zeroed, empty ranges), without a branch per slot:
	 * that keeps the verifier's paths through the scan few. */
	struct ns_stack_mappings *out = scan->out;
	bool found = false;
	for (int i = 0; i < NS_STACK_MAPPINGS; i++)
		found |= address - out->mappings[i].start < out->mappings[i].end - out->mappings[i].start;
	for (int i = 0; i < NS_UNRECORDED_RANGES; i++)
		found |= address - scan->unrecorded_start[i] < scan->unrecorded_end[i] - scan->unrecorded_start[i];
	return found;
}

/* Records the executable file mapping holding address, if any and not recorded yet. */
static __always_inline void ns_record_mapping(struct ns_mapping_scan *scan, __u64 address)
{
	struct ns_stack_mappings *out = scan->out;
	if (address < NS_USER_PAGE_BYTES || address >= NS_USER_ADDRESS_END || ns_in_recorded_range(scan, address))
		return;
	if (out->lookups >= NS_STACK_MAPPING_LOOKUPS) {
		out->skipped++;
		return;
	}
	out->lookups++;
	struct ns_vma_lookup lookup = {};
	long error = bpf_find_vma(scan->task, address, ns_read_vma, &lookup, 0);
	if (error) {
		if (error != -NS_ENOENT && !out->error)
			out->error = error;
		return;
	}
	if (!(lookup.flags & NS_VM_EXEC) || !lookup.file) {
		/* The slot from the range's address, not a round-robin counter: a counter on the stack is a
		 * value the verifier tracks exactly, and would walk the loop's every iteration. */
		__u32 slot = (lookup.start >> 12) % NS_UNRECORDED_RANGES;
		scan->unrecorded_start[slot] = lookup.start;
		scan->unrecorded_end[slot] = lookup.end;
		return;
	}
	__u32 count = out->mapping_count;
	int file = count < NS_STACK_MAPPINGS ? ns_vma_file_slot(out->files, &out->file_count, lookup.file) : -1;
	barrier_var(count); /* keeps the bound check below on the very value used as the index */
	if (file < 0 || count >= NS_STACK_MAPPINGS) {
		out->skipped++;
		return;
	}
	struct ns_stack_mapping *mapping = &out->mappings[count];
	mapping->start = lookup.start;
	mapping->end = lookup.end;
	mapping->pgoff = lookup.pgoff;
	mapping->file = file;
	out->mapping_count = count + 1;

}

static long ns_scan_stack_word(__u64 index, void *data)
{
	struct ns_mapping_scan *scan = data;
	if (index >= NS_USER_STACK_BYTES / sizeof(__u64) || index * sizeof(__u64) + sizeof(__u64) > scan->stack->valid_bytes)
		return 1;
	ns_record_mapping(scan, *(const __u64 *)(scan->stack->stack + index * sizeof(__u64)));
	return 0;
}

/* Fills *out with the mappings stack (captured from the current task) needs. Writes every field
 * of out that is meaningful. */
static __always_inline void ns_find_stack_mappings(struct ns_stack_mappings *out, const struct ns_user_stack *stack)
{
	out->error = 0;
	out->file_count = 0;
	out->mapping_count = 0;
	out->lookups = 0;
	out->skipped = 0;
	out->_pad = 0;
	__builtin_memset(out->mappings, 0, sizeof(out->mappings));
	/* Constants after CO-RE relocation: before 5.17 the verifier never sees the helper calls, and
	 * the stack is unwound through the live process's maps only, as long as it lives. */
	if (!bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_find_vma)
	    || !bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_loop))
		return;
	if (!stack->valid_bytes)
		return;
	struct ns_mapping_scan scan = {
		.out = out,
		.stack = stack,
		.task = bpf_get_current_task_btf(),
	};
	ns_record_mapping(&scan, stack->regs.rip);
	bpf_loop(NS_USER_STACK_BYTES / sizeof(__u64), ns_scan_stack_word, &scan, 0);
}

#endif
