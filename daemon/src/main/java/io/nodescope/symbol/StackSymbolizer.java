package io.nodescope.symbol;

import io.nodescope.event.RawStack;
import io.nodescope.event.StackMappings;
import io.nodescope.event.UserFrameFiles;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;

/**
 * The stacks service every probe module uses, in its two steps: {@link #capture} on the ring
 * thread the moment the event arrives (the task may be gone, its mappings with it, within
 * milliseconds: an OOM victim, a crash), {@link #symbolize} later on the module's report thread,
 * where indexing a large library (tens of milliseconds for libjvm.so) cannot hold up draining
 * the rings.
 */
public final class StackSymbolizer {
    private final Symbolizer symbolizer;

    public StackSymbolizer(Symbolizer symbolizer) {
        this.symbolizer = symbolizer;
    }

    /**
     * Loads and indexes, at start, what the first event would otherwise pay for while its task
     * dies: this stage's classes, and libc's index (most processes map the same libc file, which
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

    /**
     * What naming userStack of process pid needs later, taken now.
     *
     * @param frameFiles where the kernel located the frames at the event, or {@link UserFrameFiles#NONE}
     */
    public CapturedStacks capture(int pid, RawStack userStack, UserFrameFiles frameFiles) {
        return capture(pid, userStack, frameFiles, Optional.empty(), StackMappings.NONE);
    }

    /**
     * The same, for an event that also captured the thread's registers and stack, and the
     * executable mappings they run through: its user stack is unwound from call frame information.
     */
    public CapturedStacks capture(int pid, RawStack userStack, UserFrameFiles frameFiles, Optional<UserStack> userState,
                                  StackMappings stackMappings) {
        return CapturedStacks.of(symbolizer, pid, userStack.addresses(), frameFiles, userState, stackMappings);
    }

    /**
     * Names both stacks and closes the capture; inlined calls (Go) become frames of their own. The
     * user stack is the one unwound from call frame information where that succeeded, else userStack
     * (frame pointers, from bpf_get_stack).
     */
    public NamedStacks symbolize(CapturedStacks captured, RawStack kernelStack, RawStack userStack) {
        try (captured) {
            List<Frame> kernel = symbolizer.symbolizeKernel(kernelStack.addresses());
            Optional<CapturedStacks.Unwound> unwound = captured.unwind(symbolizer, userStack.addresses().size());
            if (unwound.isPresent()) {
                return new NamedStacks(kernel, unwound.get().frames(),
                        Optional.of(new RawStack(unwound.get().stack().addresses(), 0)));
            }
            List<Frame> user = captured.isEmpty() ? NamedStacks.unresolved(RawStack.EMPTY, userStack).user()
                    : captured.symbolizeUser(symbolizer, userStack.addresses()).stream()
                            .flatMap(List::stream).toList();
            return new NamedStacks(kernel, user);
        }
    }
}
