import io.nodescope.bpf.BpfObject;
import io.nodescope.ringbuf.MappedRing;
import io.nodescope.ringbuf.RecordHandler;
import io.nodescope.ringbuf.RingPoller;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import me.bechberger.ebpf.bpf.raw.Lib;

/**
 * Java side of the ring drain benchmark: MappedRing + RingPoller on ringbench.bpf.o, run exactly
 * like ring_consumer.c (same arguments, same per-record work, same RESULT line).
 * usage: java -cp daemon/target/nodescope.jar bench/RingDrainBench.java OBJECT LOADGEN EVENTS RUNS LOAD_CPU WAKEUP_MIN_BYTES
 */
public final class RingDrainBench {
    /** struct bench_record (ringbench.h): seq at offset 24. */
    private static final int SEQ_OFFSET = 24;
    /** Slots of the counters map (enum bench_counter). */
    private static final int PRODUCED = 0;
    private static final int DROPPED = 1;

    /** The same work per record as ring_consumer.c's on_record: read seq, check it grows, count. */
    private static final class SequenceCheck implements RecordHandler {
        long consumed;
        long lastSeq;
        long outOfOrder;

        @Override
        public void onRecord(ByteBuffer buffer, int offset, int length) {
            long seq = buffer.getLong(offset + SEQ_OFFSET);
            if (consumed != 0 && seq <= lastSeq) {
                outOfOrder++;
            }
            lastSeq = seq;
            consumed++;
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: RingDrainBench OBJECT LOADGEN EVENTS RUNS LOAD_CPU WAKEUP_MIN_BYTES");
            System.exit(2);
        }
        String loadgen = args[1];
        long events = Long.parseLong(args[2]);
        int runs = Integer.parseInt(args[3]);
        String loadCpu = args[4];
        long wakeupMinBytes = Long.parseLong(args[5]);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

        try (BpfObject object = BpfObject.openFile(Path.of(args[0]))) {
            object.load();
            object.attach("on_sys_enter");
            int configFd = object.mapFd("run_config");
            try (MappedRing ring = MappedRing.map("records", object.mapFd("records"), object.mapMaxEntries("records"));
                 RingPoller poller = new RingPoller();
                 Arena arena = Arena.ofConfined()) {
                SequenceCheck check = new SequenceCheck();
                poller.add(ring, check);
                MemorySegment key = arena.allocate(ValueLayout.JAVA_INT);
                MemorySegment config = arena.allocate(16, 8);   // struct bench_config
                for (int run = 0; run <= runs; run++) {
                    long calls = run == 0 ? events / 5 : events;
                    Process load = new ProcessBuilder(loadgen, Long.toString(calls), loadCpu)
                            .redirectError(ProcessBuilder.Redirect.INHERIT).start();
                    check.consumed = 0;
                    check.outOfOrder = 0;
                    long produced0 = object.readArrayU64("counters", PRODUCED);
                    long dropped0 = object.readArrayU64("counters", DROPPED);
                    config.set(ValueLayout.JAVA_INT, 0, (int) load.pid());
                    config.set(ValueLayout.JAVA_LONG, 8, wakeupMinBytes);
                    updateConfig(configFd, key, config);

                    long thread0 = threads.getCurrentThreadCpuTime();
                    long process0 = os.getProcessCpuTime();
                    long start = System.nanoTime();
                    long last = start;
                    long produced;
                    long dropped;
                    long polls = 0;
                    load.getOutputStream().write('g');
                    load.getOutputStream().flush();
                    while (true) {
                        polls++;
                        if (poller.poll(10) > 0) {
                            last = System.nanoTime();
                        }
                        if (!load.isAlive()) {
                            produced = object.readArrayU64("counters", PRODUCED) - produced0;
                            dropped = object.readArrayU64("counters", DROPPED) - dropped0;
                            if (check.consumed + dropped >= produced) {
                                break;
                            }
                        }
                    }
                    double threadNs = threads.getCurrentThreadCpuTime() - thread0;
                    double processNs = os.getProcessCpuTime() - process0;
                    String[] loadOutput = new String(load.getInputStream().readAllBytes()).trim().split(" ");
                    double loadSeconds = Long.parseLong(loadOutput[0]) / 1e9;
                    config.set(ValueLayout.JAVA_INT, 0, 0);
                    updateConfig(configFd, key, config);

                    System.out.printf("RESULT consumer=java-mapped wakeup_min_bytes=%d run=%d events=%d produced=%d"
                                    + " drops=%d out_of_order=%d thread_ns_per_event=%.2f process_ns_per_event=%.2f"
                                    + " events_per_s=%.0f load_events_per_s=%.0f events_per_poll=%.1f%n",
                            wakeupMinBytes, run, check.consumed, produced, dropped, check.outOfOrder,
                            threadNs / check.consumed, processNs / check.consumed,
                            check.consumed / ((last - start) / 1e9), Long.parseLong(loadOutput[1]) / loadSeconds,
                            (double) check.consumed / polls);
                }
            }
        }
    }

    private static void updateConfig(int configFd, MemorySegment key, MemorySegment config) {
        if (Lib.bpf_map_update_elem(configFd, key, config, 0) != 0) {
            throw new IllegalStateException("cannot update run_config");
        }
    }
}
