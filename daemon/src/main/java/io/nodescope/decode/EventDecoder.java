package io.nodescope.decode;

import io.nodescope.event.CgroupPath;
import io.nodescope.event.KernelFile;
import io.nodescope.event.MemcgState;
import io.nodescope.event.NodeEvent;
import io.nodescope.event.OomConstraint;
import io.nodescope.event.OomKill;
import io.nodescope.event.ProbeSource;
import io.nodescope.event.ProcessExit;
import io.nodescope.event.RawStack;
import io.nodescope.event.TaskIdentity;
import io.nodescope.event.UserFrameFiles;
import io.nodescope.event.VictimMemory;
import io.nodescope.metrics.Counter;
import io.nodescope.metrics.MetricsRegistry;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static io.nodescope.decode.EventLayout.*;

/**
 * Turns one ring record into an event record. A record this build does not understand (unknown
 * kind, other layout version, wrong size) is counted and skipped, never guessed at: a daemon
 * older than its BPF objects must not report wrong numbers.
 */
public final class EventDecoder {
    private static final System.Logger LOG = System.getLogger("nodescope.decode");

    private final long pageSize;
    /** page_counter's "no limit": PAGE_COUNTER_MAX = LONG_MAX / PAGE_SIZE on 64-bit kernels. */
    private final long unlimitedPages;
    private final Counter undecodable;
    private volatile boolean warnedUndecodable;

    public EventDecoder(long pageSize, MetricsRegistry metrics) {
        this.pageSize = pageSize;
        this.unlimitedPages = Long.MAX_VALUE / pageSize;
        this.undecodable = metrics.counter("nodescope_events_undecodable_total",
                "Ring records skipped because their kind, version or size is unknown to this build");
    }

    /** The event in [offset, offset + length) of buffer (native order), or empty if undecodable. */
    public Optional<NodeEvent> decode(ByteBuffer buffer, int offset, int length) {
        RecordReader record = new RecordReader(buffer, offset, length);
        if (length < HEADER_BYTES) {
            return skip("record of " + length + " bytes is shorter than the header");
        }
        int kind = record.u16(HEADER_KIND);
        int version = record.u16(HEADER_VERSION);
        long size = record.u32(HEADER_SIZE);
        return switch (kind) {
            case KIND_OOM_KILL -> checked(record, "oom kill", version, OOM_VERSION, size, OOM_BYTES)
                    ? Optional.of(oomKill(record)) : Optional.empty();
            case KIND_PROCESS_EXIT -> checked(record, "process exit", version, EXIT_VERSION, size, EXIT_BYTES)
                    ? Optional.of(processExit(record)) : Optional.empty();
            default -> skip("unknown event kind " + kind);
        };
    }

    public long undecodableCount() {
        return undecodable.get();
    }

    private boolean checked(RecordReader record, String what, int version, int expectedVersion, long size,
                            int expectedSize) {
        if (version != expectedVersion || size != expectedSize || record.length() < expectedSize) {
            skip(what + " record version " + version + " size " + size + " (ring length " + record.length()
                    + "); this build decodes version " + expectedVersion + " size " + expectedSize);
            return false;
        }
        return true;
    }

    private Optional<NodeEvent> skip(String why) {
        undecodable.increment();
        if (!warnedUndecodable) {
            warnedUndecodable = true;
            LOG.log(System.Logger.Level.WARNING, "skipping undecodable ring records (counted in "
                    + "nodescope_events_undecodable_total); first: {0}. Are the BPF objects from another build?", why);
        }
        return Optional.empty();
    }

    private OomKill oomKill(RecordReader record) {
        int flags = record.s32(OOM_FLAGS);
        RawStack userStack = stack(record, OOM_USER_STACK_BYTES, OOM_USER_STACK);
        boolean constrained = (flags & OOM_F_MEMCG_CONSTRAINED) != 0;
        return new OomKill(
                record.u64(HEADER_BOOT_NS),
                (flags & OOM_F_TP_BTF) != 0 ? ProbeSource.TP_BTF : ProbeSource.TRACEPOINT,
                task(record, OOM_VICTIM),
                record.s32(OOM_VICTIM_OOM_SCORE_ADJ),
                new VictimMemory(
                        bytes(record.u64(OOM_VICTIM_TOTAL_VM_PAGES)),
                        bytes(record.u64(OOM_VICTIM_RSS_ANON_PAGES)),
                        bytes(record.u64(OOM_VICTIM_RSS_FILE_PAGES)),
                        bytes(record.u64(OOM_VICTIM_RSS_SHMEM_PAGES)),
                        record.u64(OOM_VICTIM_PGTABLES_BYTES)),
                (flags & OOM_F_VICTIM_MEMCG) != 0 ? Optional.of(memcg(record, OOM_VICTIM_MEMCG)) : Optional.empty(),
                constrained ? OomConstraint.MEMCG : OomConstraint.GLOBAL,
                constrained ? Optional.of(memcg(record, OOM_CONSTRAINING_MEMCG)) : Optional.empty(),
                task(record, OOM_TRIGGER),
                stack(record, OOM_KERNEL_STACK_BYTES, OOM_KERNEL_STACK),
                userStack,
                (flags & OOM_F_VICTIM_MEMCG) != 0 ? Optional.of(cgroupPath(record, OOM_VICTIM_MEMCG_PATH))
                        : Optional.empty(),
                userFrameFiles(record, userStack.addresses().size()));
    }

    /** {@link UserFrameFiles#NONE} when the kernel located no frame and saw no error. */
    private UserFrameFiles userFrameFiles(RecordReader record, int frameCount) {
        int fileCount = (int) Math.min(record.u32(OOM_USER_FILE_COUNT), USER_FILES);
        int lookupError = -record.s32(OOM_USER_FILES_ERROR);
        if (fileCount == 0 && lookupError == 0) {
            return UserFrameFiles.NONE;
        }
        List<KernelFile> files = new ArrayList<>(fileCount);
        for (int slot = 0; slot < fileCount; slot++) {
            files.add(kernelFile(record, OOM_USER_FILES + slot * USER_FILE_BYTES));
        }
        List<Optional<UserFrameFiles.FileLocation>> frames = new ArrayList<>(frameCount);
        for (int frame = 0; frame < frameCount; frame++) {
            int slot = record.u8(OOM_USER_FRAME_FILE + frame);
            if (slot == NO_FILE || slot >= fileCount) {
                frames.add(Optional.empty());
                continue;
            }
            long offset = record.u64(OOM_USER_FRAME_VMA_OFFSET + frame * Long.BYTES)
                    + record.u64(OOM_USER_FRAME_VMA_PGOFF + frame * Long.BYTES) * pageSize;
            frames.add(Optional.of(new UserFrameFiles.FileLocation(files.get(slot), offset)));
        }
        return new UserFrameFiles(frames, lookupError);
    }

    /** The kernel records names innermost first; the event keeps them outermost first, as a path reads. */
    private static KernelFile kernelFile(RecordReader record, int at) {
        int depth = Math.min(record.u16(at + USER_FILE_DEPTH), FILE_PATH_LEVELS);
        List<String> names = new ArrayList<>(depth);
        for (int level = depth - 1; level >= 0; level--) {
            names.add(record.cString(at + USER_FILE_NAMES + level * FILE_NAME_LEN, FILE_NAME_LEN));
        }
        return KernelFile.ofKernelDevice(record.u32(at + USER_FILE_DEV), record.u64(at + USER_FILE_INO), names,
                record.u16(at + USER_FILE_TRUNCATED) != 0);
    }

    private static CgroupPath cgroupPath(RecordReader record, int at) {
        int depth = (int) Math.min(record.u32(at + CGROUP_PATH_DEPTH), CGROUP_PATH_LEVELS);
        List<String> names = new ArrayList<>(depth);
        List<Long> ids = new ArrayList<>(depth);
        for (int level = 0; level < depth; level++) {
            names.add(record.cString(at + CGROUP_PATH_NAMES + level * CGROUP_NAME_LEN, CGROUP_NAME_LEN));
            ids.add(record.u64(at + CGROUP_PATH_IDS + level * Long.BYTES));
        }
        return new CgroupPath(names, ids, record.u32(at + CGROUP_PATH_TRUNCATED) != 0);
    }

    private ProcessExit processExit(RecordReader record) {
        return new ProcessExit(
                record.u64(HEADER_BOOT_NS),
                task(record, EXIT_TASK),
                record.s32(EXIT_CODE),
                (record.s32(EXIT_FLAGS) & EXIT_F_OOM_VICTIM) != 0);
    }

    private static TaskIdentity task(RecordReader record, int at) {
        return new TaskIdentity(
                record.s32(at + TASK_TGID),
                record.s32(at + TASK_PID),
                record.s32(at + TASK_UID),
                record.u64(at + TASK_MEMCG_ID),
                record.cString(at + TASK_COMM, COMM_LEN));
    }

    private MemcgState memcg(RecordReader record, int at) {
        return new MemcgState(
                record.u64(at + MEMCG_ID),
                bytes(record.u64(at + MEMCG_USAGE_PAGES)),
                limitBytes(record.u64(at + MEMCG_LIMIT_PAGES)),
                record.u64(at + MEMCG_FAILCNT),
                record.u64(at + MEMCG_EVENTS_OOM),
                record.u64(at + MEMCG_EVENTS_OOM_KILL),
                bytes(record.u64(at + MEMCG_MEMSW_USAGE_PAGES)),
                limitBytes(record.u64(at + MEMCG_MEMSW_LIMIT_PAGES)));
    }

    /** bpf_get_stack returns the bytes it wrote, or -errno. */
    private static RawStack stack(RecordReader record, int bytesAt, int framesAt) {
        int written = record.s32(bytesAt);
        if (written < 0) {
            return new RawStack(java.util.List.of(), -written);
        }
        int frames = Math.min(written / Long.BYTES, MAX_STACK_DEPTH);
        return new RawStack(Arrays.stream(record.u64Array(framesAt, frames)).boxed().toList(), 0);
    }

    private long bytes(long pages) {
        return pages * pageSize;
    }

    private long limitBytes(long pages) {
        return pages >= unlimitedPages ? MemcgState.UNLIMITED : pages * pageSize;
    }
}
