package io.nodescope.event;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where each of the trigger's user frames lay in a file, read in the kernel from its memory map
 * at the kill. It names those frames when the process, and its /proc/pid/maps, is gone before the
 * daemon looks, which is the usual case when the trigger is the victim.
 *
 * @param frames      one per user stack frame, in the stack's order: empty for a frame in anonymous
 *                    memory (JIT code), with no mapping found, or in more files than the kernel
 *                    side records
 * @param lookupError 0, or the positive errno of the kernel's first failed mapping lookup
 */
public record UserFrameFiles(List<Optional<FileLocation>> frames, int lookupError) {
    /** Nothing recorded (a classic-tracepoint kill, an older recording, a test). */
    public static final UserFrameFiles NONE = new UserFrameFiles(List.of(), 0);

    public UserFrameFiles {
        frames = List.copyOf(Objects.requireNonNull(frames, "frames"));
    }

    /** @param offset the frame's offset from the start of the file */
    public record FileLocation(KernelFile file, long offset) {
        public FileLocation {
            Objects.requireNonNull(file, "file");
        }
    }

    public boolean anyLocated() {
        return frames.stream().anyMatch(Optional::isPresent);
    }
}
