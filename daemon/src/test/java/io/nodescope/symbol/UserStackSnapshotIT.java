package io.nodescope.symbol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nodescope.bpf.BpfObject;
import io.nodescope.metrics.MetricsRegistry;
import io.nodescope.ringbuf.MappedRing;
import io.nodescope.testing.RequiresRoot;
import io.nodescope.testing.RequiresTools;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import me.bechberger.ebpf.bpf.raw.Lib;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The kernel-to-Java path of bpf/include/user_stack.h: bpf/test/user_stack_writer.bpf.c copies a
 * thread's user registers and stack at the exit of its read(2), the thread's process exits, and the
 * unwinder turns the copy into exactly the stack gdb showed for the thread blocked in that read.
 */
@RequiresRoot("loads a BPF program and attaches gdb with ptrace")
@RequiresTools(value = {"gcc", "gdb"}, install = "apt-get install gcc gdb")
class UserStackSnapshotIT {
    /** struct user_stack_record: tid, _pad, then struct ns_user_stack. */
    private static final int USER_STACK_OFFSET = 8;

    private record Captured(int tid, ByteBuffer record) {}

    /** NS_USER_STACK_BYTES of each build of the test program: the default and both bounds. */
    @ParameterizedTest
    @CsvSource({"user_stack_writer.bpf.o, 16384", "user_stack_writer_8k.bpf.o, 8192",
            "user_stack_writer_32k.bpf.o, 32768"})
    void aSnapshotTakenAtSyscallExitUnwindsToGdbsStackAfterTheProcessExited(String object, int stackBytes)
            throws Exception {
        Symbolizer symbolizer = Symbolizer.create(Path.of("/proc"), new MetricsRegistry());
        Process process = UnwindTestProgram.start("syscall", "ready");
        try (ProcessSnapshot snapshot = symbolizer.snapshot((int) process.pid());
             BpfObject writer = BpfObject.openFile(Path.of(System.getenv().getOrDefault("NODESCOPE_BPF_DIR",
                     "../build/bpf"), "test", object))) {
            GdbCapture.ThreadState blocked = GdbCapture.attach(process.pid()).getFirst();
            writer.load();
            setTarget(writer, (int) process.pid());
            writer.attach("capture_at_read_exit");
            try (MappedRing ring = MappedRing.map("records", writer.mapFd("records"), writer.mapMaxEntries("records"))) {
                process.getOutputStream().write('x'); // The read returns; the program then exits.
                process.getOutputStream().flush();
                assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the program exits after its read");
                List<Captured> records = new ArrayList<>();
                ring.drain((buffer, offset, length) -> {
                    ByteBuffer copy = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
                    copy.put(0, buffer, offset, length);
                    records.add(new Captured(copy.getInt(0), copy));
                });
                assertEquals(1, records.size(), "one read exit");
                Captured captured = records.getFirst();
                UserStack stack = UserStack.decode(captured.record(), USER_STACK_OFFSET, stackBytes);

                assertEquals(blocked.tid(), captured.tid());
                assertEquals(blocked.stack().registers().rsp(), stack.registers().rsp());
                // Page by page up to the first unmapped page, as gdb's 16 KiB copy did: the main
                // thread's stack ends a few KiB above its rsp, so both stop there, or at 8 KiB.
                int gdbCopied = blocked.stack().stack().remaining();
                assertTrue(gdbCopied < 16384, "the stack's end is within gdb's copy: " + gdbCopied);
                assertEquals(Math.min(gdbCopied, stackBytes), stack.stack().remaining());
                UnwoundStack unwound = symbolizer.unwindUser(snapshot, stack);
                assertEquals(blocked.gdbPcs(), unwound.addresses(), blocked.describe());
                assertEquals(UnwoundStack.End.OUTERMOST, unwound.end());
                List<String> names = symbolizer.symbolizeUnwound(snapshot, unwound).stream().map(List::getLast)
                        .map(frame -> frame.function().orElse("??")).toList();
                assertEquals(List.of("blocks_in_read", "main"), names.subList(1, 3), names.toString());
            }
        } finally {
            process.destroyForcibly().waitFor();
        }
    }

    private static void setTarget(BpfObject writer, int tgid) throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment value = arena.allocate(ValueLayout.JAVA_INT);
            value.set(ValueLayout.JAVA_INT, 0, tgid);
            int result = Lib.bpf_map_update_elem(writer.mapFd("target"), key, value, 0);
            assertEquals(0, result, "bpf_map_update_elem(target)");
        }
    }
}
