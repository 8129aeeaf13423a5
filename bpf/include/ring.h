/* SPDX-License-Identifier: GPL-2.0 */
/* Reserving ring records with drop accounting. Included once by each probe module's object, so
 * every object gets its own ring_drops map: slot N counts the records its ring N (numbered by the
 * module, 0 for a module's only ring) could not reserve. The daemon exports it per ring. */
#ifndef NODESCOPE_RING_H
#define NODESCOPE_RING_H

#define NS_MAX_RINGS_PER_MODULE 4

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NS_MAX_RINGS_PER_MODULE);
	__type(key, __u32);
	__type(value, __u64);
} ring_drops SEC(".maps");

static __always_inline void ns_count_drop(__u32 ring_index)
{
	__u64 *drops = bpf_map_lookup_elem(&ring_drops, &ring_index);
	if (drops)
		__sync_fetch_and_add(drops, 1);
}

/* Reserve a record on ring (a BPF_MAP_TYPE_RINGBUF map; its drops counted in slot ring_index)
 * and zero its first zeroed_bytes (a constant: BPF has no memset call; what is not zeroed here
 * must be written in full, as bpf_get_stack does with its buffer). NULL when the ring is full. */
#define NS_RESERVE(ring, ring_index, type, zeroed_bytes, event_kind, layout_version)         \
	({                                                                                  \
		type *rec = bpf_ringbuf_reserve(&ring, sizeof(type), 0);                    \
		if (!rec) {                                                                 \
			ns_count_drop(ring_index);                                          \
		} else {                                                                    \
			__builtin_memset(rec, 0, zeroed_bytes);                             \
			rec->hdr.kind = event_kind;                                         \
			rec->hdr.version = layout_version;                                  \
			rec->hdr.size = sizeof(type);                                       \
			rec->hdr.boot_ns = bpf_ktime_get_boot_ns();                         \
		}                                                                           \
		rec;                                                                        \
	})

#endif
