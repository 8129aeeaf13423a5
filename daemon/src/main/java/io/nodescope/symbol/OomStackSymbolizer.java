package io.nodescope.symbol;

import io.nodescope.event.OomKill;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * The symbolize stage for OOM kills, in its two steps: {@link #capture} on the ring thread the
 * moment the kill arrives (the trigger may be the victim, whose mappings vanish within
 * milliseconds), {@link #symbolize} later on the span thread, where indexing a large library
 * (tens of milliseconds for libjvm.so) cannot hold up draining the rings.
 */
public final class OomStackSymbolizer {
    private final Symbolizer symbolizer;

    public OomStackSymbolizer(Symbolizer symbolizer) {
        this.symbolizer = symbolizer;
    }

    /**
     * Loads and indexes, at start, what the first kill would otherwise pay for while its victim
     * dies: this stage's classes, and libc's index (most triggers map the same libc file, which
     * the cache then shares).
     */
    public void warmUp() {
        long libcAddress = Linker.nativeLinker().defaultLookup().find("malloc")
                .map(MemorySegment::address).orElse(0L);
        try (ProcessSnapshot self = symbolizer.snapshot((int) ProcessHandle.current().pid())) {
            symbolizer.symbolizeUser(self, List.of(libcAddress));
        }
        symbolizer.symbolizeKernel(List.of());
    }

    public CapturedStacks capture(OomKill kill) {
        return CapturedStacks.of(symbolizer, kill);
    }

    /** Names both stacks and closes the capture; inlined calls (Go) become frames of their own. */
    public TriggerStacks symbolize(OomKill kill, CapturedStacks captured) {
        try (captured) {
            List<Frame> user = captured.isEmpty() ? TriggerStacks.unresolved(kill).user()
                    : captured.symbolizeUser(symbolizer, kill.triggerUserStack().addresses()).stream()
                            .flatMap(List::stream).toList();
            return new TriggerStacks(symbolizer.symbolizeKernel(kill.triggerKernelStack().addresses()), user);
        }
    }
}
