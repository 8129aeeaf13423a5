package io.nodescope.event;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A file as the kernel knew it at an event: its filesystem's device, its inode, and its path from
 * that filesystem's root (not from any mount point: where the filesystem is mounted is looked up
 * later, in mountinfo).
 *
 * @param namesFromRoot the path's names, outermost first
 * @param truncated     a name or the path was too long for the kernel side: the path is incomplete
 */
public record KernelFile(int deviceMajor, int deviceMinor, long inode, List<String> namesFromRoot, boolean truncated) {
    public KernelFile {
        namesFromRoot = List.copyOf(Objects.requireNonNull(namesFromRoot, "namesFromRoot"));
    }

    /** The kernel's internal dev_t (major << 20 | minor), as in struct super_block.s_dev. */
    public static KernelFile ofKernelDevice(long kernelDevice, long inode, List<String> namesFromRoot,
                                            boolean truncated) {
        return new KernelFile((int) (kernelDevice >>> 20), (int) (kernelDevice & 0xfffff), inode, namesFromRoot,
                truncated);
    }

    /** "/usr/lib/libc.so.6" within its filesystem; empty when truncated. */
    public Optional<String> pathInFilesystem() {
        return truncated ? Optional.empty() : Optional.of("/" + String.join("/", namesFromRoot));
    }
}
