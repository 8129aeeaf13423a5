package io.nodescope.symbol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class FrameTest {
    @Test
    void stackLineNamesFunctionModuleAndSource() {
        Frame frame = new Frame(0x5600000011c4L, Optional.of("allocate_chunks"), 0x1c, Optional.of("/usr/bin/oom-alloc"),
                0x11c4, Optional.of("oom-alloc.c"), 42);
        assertEquals("allocate_chunks+0x1c (/usr/bin/oom-alloc+0x11c4) oom-alloc.c:42", frame.toStackLine());
    }

    @Test
    void unresolvedFrameKeepsModuleAndOffset() {
        assertEquals("0x7f3c1a0291c4 (/usr/lib/libc.so.6+0x291c4)",
                Frame.unresolved(0x7f3c1a0291c4L, Optional.of("/usr/lib/libc.so.6"), 0x291c4).toStackLine());
    }
}
