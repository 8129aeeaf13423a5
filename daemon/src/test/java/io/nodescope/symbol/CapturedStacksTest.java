package io.nodescope.symbol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nodescope.event.KernelFile;
import io.nodescope.event.RawStack;
import io.nodescope.event.StackMappings;
import io.nodescope.event.UserFrameFiles;
import io.nodescope.metrics.MetricsRegistry;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which user stack an event's span shows: the one unwound from its registers and stack copy where
 * unwinding got at least as far as the frame-pointer stack, else the frame-pointer stack. A process
 * already gone (an empty fake /proc), its files nowhere to be found.
 */
class CapturedStacksTest {
    private static final int GONE_PID = 99999;
    private static final UserStack AT_AN_UNMAPPED_PC = new UserStack(
            new UserStack.Registers(0x42, 0x7ffd0000, 0, 0, 0, 0, 0, 0), ByteBuffer.allocate(64));

    @TempDir
    Path proc;

    private StackSymbolizer stacks() {
        return new StackSymbolizer(Symbolizer.create(proc, proc, new MetricsRegistry()));
    }

    @Test
    void aShorterUnwoundStackLeavesTheFramePointerStack() {
        RawStack framePointers = new RawStack(List.of(0x1000L, 0x2000L), 0);
        StackSymbolizer stacks = stacks();

        NamedStacks named = stacks.symbolize(stacks.capture(GONE_PID, framePointers, UserFrameFiles.NONE,
                Optional.of(AT_AN_UNMAPPED_PC), StackMappings.NONE), RawStack.EMPTY, framePointers);

        assertEquals(Optional.empty(), named.unwoundUser());
        assertEquals(List.of("0x1000", "0x2000"), named.user().stream().map(Frame::toStackLine).toList());
    }

    /** Mappings recorded in a file the host does not have: the pc stays a bare address, nothing fails. */
    @Test
    void anUnwoundStackThroughFilesNotFoundKeepsItsAddresses() {
        KernelFile elsewhere = new KernelFile(7, 7, 1234, List.of("not", "here"), false);
        StackMappings mappings = new StackMappings(List.of(new StackMappings.Mapping(0, 0x1000, 0, elsewhere)), 5, 0, 0);
        StackSymbolizer stacks = stacks();

        NamedStacks named = stacks.symbolize(stacks.capture(GONE_PID, RawStack.EMPTY, UserFrameFiles.NONE,
                Optional.of(AT_AN_UNMAPPED_PC), mappings), RawStack.EMPTY, RawStack.EMPTY);

        assertEquals(Optional.of(new RawStack(List.of(0x42L), 0)), named.unwoundUser());
        assertEquals(List.of("0x42"), named.user().stream().map(Frame::toStackLine).toList());
        assertTrue(named.kernel().isEmpty());
    }
}
