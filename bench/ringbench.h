/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by ringbench.bpf.c, ring_consumer.c and (by offsets) RingDrainBench.java. */
#ifndef RINGBENCH_H
#define RINGBENCH_H

/* One fixed-size record per traced syscall: 32 bytes, 40 on the ring with its header. */
struct bench_record {
	__u64 ts_ns;
	__u32 tgid;
	__u32 tid;
	__u64 syscall_nr;
	__u64 seq;   /* offset 24: consumers check it only ever grows */
};

/* Value of the one-slot "run_config" array map, set by the consumer before each run. */
struct bench_config {
	__u32 target_tgid;        /* 0: trace nothing */
	__u32 _pad;
	__u64 wakeup_min_bytes;   /* 0: kernel's adaptive wake-up; n: wake only once n bytes wait */
};

/* Slots of the "counters" u64 array map. */
enum bench_counter {
	BENCH_PRODUCED = 0,   /* records the program tried to write */
	BENCH_DROPPED = 1,    /* of which bpf_ringbuf_reserve refused: the ring was full */
	BENCH_COUNTERS = 2,
};

#endif
