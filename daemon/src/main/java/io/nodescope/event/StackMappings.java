package io.nodescope.event;

import java.util.List;
import java.util.Objects;

/**
 * The executable file mappings a task's captured user stack runs through, read in the kernel from
 * its memory map at the event (the one holding the pc, and those holding stack words that could be
 * return addresses): they unwind and name the stack after the process, and its /proc/pid/maps, is
 * gone, which is the usual case when an OOM kill's trigger is its victim.
 *
 * @param mappings    sorted as the kernel found them, not by address
 * @param lookups     the kernel's mapping lookups for this stack
 * @param skipped     candidate addresses not looked up (the lookup cap) or mappings not recorded
 *                    (no slot left): where the live process's maps must complete the picture
 * @param lookupError 0, or the positive errno of the kernel's first failed lookup
 */
public record StackMappings(List<Mapping> mappings, int lookups, int skipped, int lookupError) {
    /** Nothing recorded (the classic tracepoint before 5.17, an older recording, a test). */
    public static final StackMappings NONE = new StackMappings(List.of(), 0, 0, 0);

    public StackMappings {
        mappings = List.copyOf(Objects.requireNonNull(mappings, "mappings"));
    }

    /** [start, end) of the task's address space mapped from file at fileOffset. */
    public record Mapping(long start, long end, long fileOffset, KernelFile file) {
        public Mapping {
            Objects.requireNonNull(file, "file");
        }
    }

    /** Whether the kernel may have missed a mapping the stack runs through. */
    public boolean incomplete() {
        return mappings.isEmpty() || skipped > 0 || lookupError != 0
                || mappings.stream().anyMatch(mapping -> mapping.file().truncated());
    }
}
