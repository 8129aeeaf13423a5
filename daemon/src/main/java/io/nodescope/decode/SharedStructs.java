package io.nodescope.decode;

import io.nodescope.event.CgroupPath;
import io.nodescope.event.KernelFile;
import io.nodescope.event.MemcgStat;
import io.nodescope.event.MemcgStatItem;
import io.nodescope.event.StackMappings;
import io.nodescope.event.MemcgState;
import io.nodescope.event.RawStack;
import io.nodescope.event.TaskIdentity;
import io.nodescope.event.UserFrameFiles;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Optional;

import static io.nodescope.decode.SharedLayout.*;

/** Decoders of the structs every module's records embed (bpf/include/nodescope.h). */
public final class SharedStructs {
    private final long pageSize;
    /** page_counter's "no limit": PAGE_COUNTER_MAX = LONG_MAX / PAGE_SIZE on 64-bit kernels. */
    private final long unlimitedPages;

    public SharedStructs(long pageSize) {
        this.pageSize = pageSize;
        this.unlimitedPages = Long.MAX_VALUE / pageSize;
    }

    public long bootTimeNanos(RecordReader record) {
        return record.u64(HEADER_BOOT_NS);
    }

    public TaskIdentity task(RecordReader record, int at) {
        return new TaskIdentity(
                record.s32(at + TASK_TGID),
                record.s32(at + TASK_PID),
                record.s32(at + TASK_UID),
                record.u64(at + TASK_MEMCG_ID),
                record.cString(at + TASK_COMM, COMM_LEN));
    }

    public MemcgState memcg(RecordReader record, int at) {
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

    /** Empty where the probe did not read the counters (memcg_id 0). */
    public Optional<MemcgStat> memcgStat(RecordReader record, int at) {
        long memcgId = record.u64(at + MEMCG_STAT_ID);
        if (memcgId == 0) {
            return Optional.empty();
        }
        EnumMap<MemcgStatItem, Long> values = new EnumMap<>(MemcgStatItem.class);
        for (MemcgStatItem item : MemcgStatItem.values()) {
            // The kernel sums per-CPU deltas, which can leave a counter briefly negative; its own
            // readers (memcg_page_state) show those as 0.
            long counted = Math.max(0, record.u64(at + MEMCG_STAT_VALUES + item.ordinal() * Long.BYTES));
            values.put(item, switch (item.kernelUnit()) {
                case PAGES -> bytes(counted);
                case KIB -> counted * 1024;
                case BYTES, EVENTS -> counted;
            });
        }
        return Optional.of(new MemcgStat(memcgId, values));
    }

    public CgroupPath cgroupPath(RecordReader record, int at) {
        int depth = (int) Math.min(record.u32(at + CGROUP_PATH_DEPTH), CGROUP_PATH_LEVELS);
        List<String> names = new ArrayList<>(depth);
        List<Long> ids = new ArrayList<>(depth);
        for (int level = 0; level < depth; level++) {
            names.add(record.cString(at + CGROUP_PATH_NAMES + level * CGROUP_NAME_LEN, CGROUP_NAME_LEN));
            ids.add(record.u64(at + CGROUP_PATH_IDS + level * Long.BYTES));
        }
        return new CgroupPath(names, ids, record.u32(at + CGROUP_PATH_TRUNCATED) != 0);
    }

    /** bpf_get_stack returns the bytes it wrote, or -errno. */
    public RawStack stack(RecordReader record, int bytesAt, int framesAt) {
        int written = record.s32(bytesAt);
        if (written < 0) {
            return new RawStack(List.of(), -written);
        }
        int frames = Math.min(written / Long.BYTES, MAX_STACK_DEPTH);
        return new RawStack(Arrays.stream(record.u64Array(framesAt, frames)).boxed().toList(), 0);
    }

    /**
     * struct ns_user_frames at: where each of the stack's first frameCount frames lies;
     * {@link UserFrameFiles#NONE} when the kernel located no frame and saw no error.
     */
    public UserFrameFiles userFrameFiles(RecordReader record, int at, int frameCount) {
        int fileCount = (int) Math.min(record.u32(at + USER_FRAMES_FILE_COUNT), USER_FILES);
        int lookupError = -record.s32(at + USER_FRAMES_ERROR);
        if (fileCount == 0 && lookupError == 0) {
            return UserFrameFiles.NONE;
        }
        List<KernelFile> files = new ArrayList<>(fileCount);
        for (int slot = 0; slot < fileCount; slot++) {
            files.add(kernelFile(record, at + USER_FRAMES_FILES + slot * USER_FILE_BYTES));
        }
        List<Optional<UserFrameFiles.FileLocation>> frames = new ArrayList<>(frameCount);
        for (int frame = 0; frame < frameCount; frame++) {
            int slot = record.u8(at + USER_FRAMES_FRAME_FILE + frame);
            if (slot == NO_FILE || slot >= fileCount) {
                frames.add(Optional.empty());
                continue;
            }
            long offset = record.u64(at + USER_FRAMES_VMA_OFFSET + frame * Long.BYTES)
                    + record.u64(at + USER_FRAMES_VMA_PGOFF + frame * Long.BYTES) * pageSize;
            frames.add(Optional.of(new UserFrameFiles.FileLocation(files.get(slot), offset)));
        }
        return new UserFrameFiles(frames, lookupError);
    }

    /** struct ns_stack_mappings at; {@link StackMappings#NONE} when the kernel looked nothing up. */
    public StackMappings stackMappings(RecordReader record, int at) {
        int fileCount = (int) Math.min(record.u32(at + STACK_MAPPINGS_FILE_COUNT), USER_FILES);
        int mappingCount = (int) Math.min(record.u32(at + STACK_MAPPINGS_MAPPING_COUNT), STACK_MAPPINGS);
        int lookups = (int) record.u32(at + STACK_MAPPINGS_LOOKUPS);
        int lookupError = -record.s32(at + STACK_MAPPINGS_ERROR);
        if (lookups == 0 && lookupError == 0) {
            return StackMappings.NONE;
        }
        List<KernelFile> files = new ArrayList<>(fileCount);
        for (int slot = 0; slot < fileCount; slot++) {
            files.add(kernelFile(record, at + STACK_MAPPINGS_FILES + slot * USER_FILE_BYTES));
        }
        List<StackMappings.Mapping> mappings = new ArrayList<>(mappingCount);
        for (int index = 0; index < mappingCount; index++) {
            int mapping = at + STACK_MAPPINGS_MAPPINGS + index * STACK_MAPPING_BYTES;
            int slot = record.u8(mapping + STACK_MAPPING_FILE);
            if (slot < fileCount) {
                mappings.add(new StackMappings.Mapping(record.u64(mapping + STACK_MAPPING_START),
                        record.u64(mapping + STACK_MAPPING_END),
                        record.u64(mapping + STACK_MAPPING_PGOFF) * pageSize, files.get(slot)));
            }
        }
        return new StackMappings(mappings, lookups, (int) record.u32(at + STACK_MAPPINGS_SKIPPED), lookupError);
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

    public long bytes(long pages) {
        return pages * pageSize;
    }

    private long limitBytes(long pages) {
        return pages >= unlimitedPages ? MemcgState.UNLIMITED : pages * pageSize;
    }
}
