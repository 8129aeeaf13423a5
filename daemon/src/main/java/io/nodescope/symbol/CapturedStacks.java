package io.nodescope.symbol;

import io.nodescope.event.StackMappings;
import io.nodescope.event.UserFrameFiles;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a user stack needs to be unwound and named later, taken when the event arrives. Unwinding,
 * where the event captured the thread's registers and stack, runs through the executable mappings
 * the kernel recorded with them, completed by the live process's maps. Naming the frame-pointer
 * stack (the fallback) has two sources: the files
 * the kernel located the frames in at the event (exact, and still there after the process, e.g. an
 * OOM victim, is gone: so they are looked up later, off the ring thread), and the
 * live process's maps, read now and only when some frame was not located that way (JIT code,
 * named by the process's perf map while it lives). Closed by {@link StackSymbolizer#symbolize};
 * a capture that is never symbolized must be closed.
 */
public final class CapturedStacks implements AutoCloseable {
    /** Nothing captured (a replay, or no user stack): frames keep their bare addresses. */
    public static final CapturedStacks NONE = new CapturedStacks(0, UserFrameFiles.NONE, Optional.empty(),
            StackMappings.NONE, Optional.empty());

    private final int pid;
    private final UserFrameFiles frameFiles;
    private final Optional<UserStack> userState;
    private final StackMappings stackMappings;
    private final Optional<ProcessSnapshot> live;

    private CapturedStacks(int pid, UserFrameFiles frameFiles, Optional<UserStack> userState,
                           StackMappings stackMappings, Optional<ProcessSnapshot> live) {
        this.pid = pid;
        this.frameFiles = frameFiles;
        this.userState = userState;
        this.stackMappings = stackMappings;
        this.live = live;
    }

    /** A user stack as unwinding found it, named. */
    record Unwound(UnwoundStack stack, List<Frame> frames) {}

    static CapturedStacks of(Symbolizer symbolizer, int pid, List<Long> addresses, UserFrameFiles frameFiles,
                             Optional<UserStack> userState, StackMappings stackMappings) {
        if (addresses.isEmpty() && userState.isEmpty()) {
            return NONE;
        }
        // A path the kernel had to truncate cannot be found on the host: such a frame needs the
        // live maps as much as one in no file (a layer directory of podman, CRI-O or Docker is
        // named by 64 hex digits, longer than the kernel side records).
        boolean someFrameUnlocated = frameFiles.frames().size() < addresses.size()
                || frameFiles.frames().stream().anyMatch(frame -> frame.isEmpty() || frame.get().file().truncated());
        boolean someMappingUnrecorded = userState.isPresent() && stackMappings.incomplete();
        Optional<ProcessSnapshot> live = someFrameUnlocated || someMappingUnrecorded
                ? Optional.of(symbolizer.snapshot(pid)) : Optional.empty();
        return new CapturedStacks(pid, frameFiles, userState, stackMappings, live);
    }

    /**
     * The captured stack unwound from call frame information and named, where that succeeded: it
     * reached the thread's first frame, or found at least the frame-pointer stack's frame count.
     */
    Optional<Unwound> unwind(Symbolizer symbolizer, int framePointerFrames) {
        if (userState.isEmpty()) {
            return Optional.empty();
        }
        try (ProcessSnapshot mapped = symbolizer.snapshotWithStackMappings(pid, stackMappings, live)) {
            UnwoundStack unwound = symbolizer.unwindUser(mapped, userState.get());
            boolean succeeded = !unwound.addresses().isEmpty() && (unwound.end() == UnwoundStack.End.OUTERMOST
                    || unwound.addresses().size() >= framePointerFrames);
            if (!succeeded) {
                return Optional.empty();
            }
            // Each frame shows its return address and is named at the unwinder's lookup address.
            List<Frame> frames = symbolizer.symbolizeUnwound(mapped, unwound).stream().flatMap(List::stream).toList();
            return Optional.of(new Unwound(unwound, frames));
        }
    }

    /**
     * Per address, the frames named from the kernel's file where they got a function name, else from
     * the live maps, else whatever the kernel's file gave (module and offset at least).
     */
    List<List<Frame>> symbolizeUser(Symbolizer symbolizer, List<Long> addresses) {
        Optional<List<List<Frame>>> kernelNamed = Optional.empty();
        if (frameFiles.anyLocated()) {
            try (ProcessSnapshot fromKernelFiles = symbolizer.snapshotFromKernelFiles(pid, addresses, frameFiles)) {
                kernelNamed = Optional.of(symbolizer.symbolizeUserWithInlinedFrames(fromKernelFiles, addresses));
            }
        }
        Optional<List<List<Frame>>> liveNamed = live.map(
                snapshot -> symbolizer.symbolizeUserWithInlinedFrames(snapshot, addresses));
        List<List<Frame>> frames = new ArrayList<>(addresses.size());
        for (int i = 0; i < addresses.size(); i++) {
            int frame = i;
            Optional<List<Frame>> fromKernel = kernelNamed.map(named -> named.get(frame));
            Optional<List<Frame>> fromLive = liveNamed.map(named -> named.get(frame));
            if (fromKernel.isPresent() && named(fromKernel.get())) {
                frames.add(fromKernel.get());
            } else if (fromLive.isPresent() && (named(fromLive.get()) || fromKernel.isEmpty())) {
                frames.add(fromLive.get());
            } else {
                frames.add(fromKernel.or(() -> fromLive).orElseThrow());
            }
        }
        return frames;
    }

    boolean isEmpty() {
        return !frameFiles.anyLocated() && live.isEmpty();
    }

    private static boolean named(List<Frame> frames) {
        return frames.stream().anyMatch(frame -> frame.function().isPresent());
    }

    @Override
    public void close() {
        live.ifPresent(ProcessSnapshot::close);
    }
}
