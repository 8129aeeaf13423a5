package io.nodescope.ringbuf;

import io.nodescope.bpf.BpfObject;
import io.nodescope.bpf.BpfSetupException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import me.bechberger.ebpf.bpf.raw.Lib;

/**
 * bpf/test/ring_writer.bpf.o loaded into the kernel: writes records with consecutive sequence
 * numbers onto its ring when asked, through BPF_PROG_TEST_RUN, so a test knows what is there.
 */
final class RingWriter implements AutoCloseable {
    static final String RING = "records";
    /** Payload sizes the program alternates between: even sequence numbers small, odd large. */
    static final int SMALL_RECORD_SIZE = 12;
    static final int LARGE_RECORD_SIZE = 24;

    /** struct bpf_test_run_opts (libbpf 1.1 and rawbpf agree): sz at 0, ctx_in at 32, ctx_size_in at 48. */
    private static final long TEST_RUN_OPTS_SIZE = 80;
    private static final long CTX_IN_OFFSET = 32;
    private static final long CTX_SIZE_IN_OFFSET = 48;
    private static final long RETVAL_OFFSET = 56;

    private final BpfObject object;

    RingWriter() throws BpfSetupException {
        String bpfDir = System.getenv().getOrDefault("NODESCOPE_BPF_DIR", "../build/bpf");
        object = BpfObject.openFile(Path.of(bpfDir, "test", "ring_writer.bpf.o"));
        try {
            object.load();
        } catch (BpfSetupException e) {
            object.close();
            throw e;
        }
    }

    MappedRing mapRing(String name) throws Exception {
        return MappedRing.map(name, object.mapFd(RING), object.mapMaxEntries(RING));
    }

    /** Runs the program once: count records, every discardEvery-th discarded (0: none). */
    void write(int count, int discardEvery) throws BpfSetupException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment args = arena.allocate(8);
            args.set(ValueLayout.JAVA_INT, 0, count);
            args.set(ValueLayout.JAVA_INT, 4, discardEvery);
            MemorySegment opts = arena.allocate(TEST_RUN_OPTS_SIZE, 8);
            opts.set(ValueLayout.JAVA_LONG, 0, TEST_RUN_OPTS_SIZE);
            opts.set(ValueLayout.ADDRESS, CTX_IN_OFFSET, args);
            opts.set(ValueLayout.JAVA_INT, CTX_SIZE_IN_OFFSET, (int) args.byteSize());
            int result = Lib.bpf_prog_test_run_opts(object.programFd("write_records"), opts);
            if (result != 0 || opts.get(ValueLayout.JAVA_INT, RETVAL_OFFSET) != 0) {
                throw new IllegalStateException("test run of write_records failed: " + result
                        + ", program returned " + opts.get(ValueLayout.JAVA_INT, RETVAL_OFFSET));
            }
        }
    }

    /** Records the kernel refused because the ring was full. */
    long drops() throws BpfSetupException {
        return object.readArrayU64("dropped", 0);
    }

    @Override
    public void close() {
        object.close();
    }
}
