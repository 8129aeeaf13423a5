/* SPDX-License-Identifier: GPL-2.0 */
/* The file and offset of each user stack frame, from the current task's VMAs at the event: the
 * task is often gone, with its /proc/pid/maps, before the daemon reads the event. */
#ifndef NODESCOPE_FRAME_FILES_H
#define NODESCOPE_FRAME_FILES_H

#include "nodescope.h"

/* Names from the file up to the root of its filesystem (not across mounts: the daemon maps the
 * filesystem to its mount point itself, which also covers overlayfs, whose VMAs hold the real
 * file of a lower or upper layer). */
static __always_inline void ns_read_file_path(struct ns_user_file *out, struct file *file)
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

/* The slot in files[NS_USER_FILES] (*file_count of them used) of the file with this dev and inode,
 * added if new; -1 when every slot is taken. Shared by every table of files a record keeps
 * (ns_user_frames, ns_stack_mappings). */
static __always_inline int ns_user_file_slot(struct ns_user_file *files, __u32 *file_count, __u32 dev, __u64 ino,
					     struct file *file)
{
	__u32 count = *file_count;
	for (int slot = 0; slot < NS_USER_FILES && slot < count; slot++) {
		if (files[slot].dev == dev && files[slot].ino == ino)
			return slot;
	}
	barrier_var(count); /* keeps the bound check below on the very value used as the index */
	if (count >= NS_USER_FILES)
		return -1;
	struct ns_user_file *added = &files[count];
	added->dev = dev;
	added->ino = ino;
	ns_read_file_path(added, file);
	*file_count = count + 1;
	return count;
}

/* The slot of a VMA's file, by its filesystem's device and its inode. */
static __always_inline int ns_vma_file_slot(struct ns_user_file *files, __u32 *file_count, struct file *file)
{
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	return ns_user_file_slot(files, file_count, BPF_CORE_READ(inode, i_sb, s_dev), BPF_CORE_READ(inode, i_ino), file);
}

struct ns_vma_lookup {
	__u64 start;
	__u64 end;
	__u64 pgoff;
	__u64 flags;   /* vm_flags */
	struct file *file;
};

static long ns_read_vma(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct ns_vma_lookup *lookup = data;
	lookup->start = BPF_CORE_READ(vma, vm_start);
	lookup->end = BPF_CORE_READ(vma, vm_end);
	lookup->pgoff = BPF_CORE_READ(vma, vm_pgoff);
	lookup->flags = BPF_CORE_READ(vma, vm_flags);
	lookup->file = BPF_CORE_READ(vma, vm_file);
	return 0;
}

/* Locates the first frames of stack (return addresses as bpf_get_stack wrote them) in the current
 * task's memory map. Writes every field of out. */
static __always_inline void ns_locate_user_frames(struct ns_user_frames *out, const __u64 *stack, int frames)
{
	struct task_struct *current = bpf_get_current_task_btf();
	out->error = 0;
	out->file_count = 0;
	for (int i = 0; i < NS_MAX_STACK_DEPTH; i++) {
		out->frame_file[i] = NS_NO_FILE;
		out->frame_vma_offset[i] = 0;
		out->frame_vma_pgoff[i] = 0;
	}
	/* A constant after CO-RE relocation: before 5.17 the verifier never sees the helper call,
	 * and frames are named from /proc/pid/maps only, as long as the task lives. */
	if (!bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_find_vma))
		return;
	for (int i = 0; i < NS_MAX_STACK_DEPTH && i < frames; i++) {
		struct ns_vma_lookup lookup = {};
		long error = bpf_find_vma(current, stack[i], ns_read_vma, &lookup, 0);
		if (error) {
			if (!out->error)
				out->error = error;
			continue;
		}
		struct file *file = lookup.file;
		if (!file)
			continue; /* anonymous memory (JIT code): the perf map names it while it exists */
		int slot = ns_vma_file_slot(out->files, &out->file_count, file);
		if (slot < 0)
			continue; /* more files than slots: the frame keeps its address only */
		out->frame_file[i] = slot;
		out->frame_vma_offset[i] = stack[i] - lookup.start;
		out->frame_vma_pgoff[i] = lookup.pgoff;
	}
}

#endif
