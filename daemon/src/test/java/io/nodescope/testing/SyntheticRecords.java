package io.nodescope.testing;

import static io.nodescope.decode.SharedLayout.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Ring records written field by field at the offsets of the record layouts, in native order as
 * the kernel writes them. Each record sits at a non-zero offset in a larger buffer so a decoder
 * that ignores the record's start shows.
 */
public final class SyntheticRecords {
    public static final int AT = 24;

    private final ByteBuffer buffer;
    private final int length;

    private SyntheticRecords(int length) {
        this.length = length;
        this.buffer = ByteBuffer.allocate(AT + length + 32).order(ByteOrder.nativeOrder());
        // Garbage around the record: a decoder reading outside it gets 0x5a bytes.
        for (int i = 0; i < buffer.capacity(); i++) {
            buffer.put(i, (byte) 0x5a);
        }
        for (int i = 0; i < length; i++) {
            buffer.put(AT + i, (byte) 0);
        }
    }

    /** A zeroed record of kind, version and size with its header written. */
    public static SyntheticRecords of(int kind, int version, int bytes) {
        return new SyntheticRecords(bytes).header(kind, version, bytes);
    }

    public static SyntheticRecords raw(int length) {
        return new SyntheticRecords(length);
    }

    public ByteBuffer buffer() {
        return buffer;
    }

    public int length() {
        return length;
    }

    public SyntheticRecords header(int kind, int version, long size) {
        return u16(HEADER_KIND, kind).u16(HEADER_VERSION, version).u32(HEADER_SIZE, size);
    }

    public SyntheticRecords u16(int offset, int value) {
        buffer.putShort(AT + offset, (short) value);
        return this;
    }

    public SyntheticRecords u32(int offset, long value) {
        buffer.putInt(AT + offset, (int) value);
        return this;
    }

    public SyntheticRecords s32(int offset, int value) {
        buffer.putInt(AT + offset, value);
        return this;
    }

    public SyntheticRecords u64(int offset, long value) {
        buffer.putLong(AT + offset, value);
        return this;
    }

    public SyntheticRecords comm(int offset, String comm) {
        byte[] bytes = comm.getBytes(StandardCharsets.UTF_8);
        buffer.put(AT + offset, bytes, 0, Math.min(bytes.length, COMM_LEN));
        return this;
    }

    public SyntheticRecords task(int at, int tgid, int pid, int uid, long memcgId, String comm) {
        return s32(at + TASK_TGID, tgid).s32(at + TASK_PID, pid).s32(at + TASK_UID, uid)
                .u64(at + TASK_MEMCG_ID, memcgId).comm(at + TASK_COMM, comm);
    }

    /** Memcg counters in pages, in field order. */
    public SyntheticRecords memcg(int at, long id, long usagePages, long limitPages, long failcnt, long oom, long oomKill,
                           long memswUsagePages, long memswLimitPages) {
        return u64(at + MEMCG_ID, id).u64(at + MEMCG_USAGE_PAGES, usagePages).u64(at + MEMCG_LIMIT_PAGES, limitPages)
                .u64(at + MEMCG_FAILCNT, failcnt).u64(at + MEMCG_EVENTS_OOM, oom)
                .u64(at + MEMCG_EVENTS_OOM_KILL, oomKill).u64(at + MEMCG_MEMSW_USAGE_PAGES, memswUsagePages)
                .u64(at + MEMCG_MEMSW_LIMIT_PAGES, memswLimitPages);
    }

    public SyntheticRecords stack(int bytesAt, int framesAt, long... frames) {
        s32(bytesAt, frames.length * Long.BYTES);
        for (int i = 0; i < frames.length; i++) {
            u64(framesAt + i * Long.BYTES, frames[i]);
        }
        return this;
    }

    /** A kernel-read cgroup path: names and ids innermost first. */
    public SyntheticRecords cgroupPath(int at, boolean truncated, String[] names, long[] ids) {
        u32(at + CGROUP_PATH_DEPTH, names.length).u32(at + CGROUP_PATH_TRUNCATED, truncated ? 1 : 0);
        for (int level = 0; level < names.length; level++) {
            byte[] name = names[level].getBytes(StandardCharsets.UTF_8);
            buffer.put(AT + at + CGROUP_PATH_NAMES + level * CGROUP_NAME_LEN, name, 0,
                    Math.min(name.length, CGROUP_NAME_LEN - 1));
            u64(at + CGROUP_PATH_IDS + level * Long.BYTES, ids[level]);
        }
        return this;
    }

    /** A file the kernel located user frames in (struct ns_user_frames at framesAt): kernel dev_t, inode, names innermost first. */
    public SyntheticRecords userFile(int framesAt, int slot, long kernelDevice, long inode, boolean truncated,
                                     String... namesInnermostFirst) {
        int at = framesAt + USER_FRAMES_FILES + slot * USER_FILE_BYTES;
        u32(at + USER_FILE_DEV, kernelDevice).u16(at + USER_FILE_DEPTH, namesInnermostFirst.length)
                .u16(at + USER_FILE_TRUNCATED, truncated ? 1 : 0).u64(at + USER_FILE_INO, inode);
        for (int level = 0; level < namesInnermostFirst.length; level++) {
            byte[] name = namesInnermostFirst[level].getBytes(StandardCharsets.UTF_8);
            buffer.put(AT + at + USER_FILE_NAMES + level * FILE_NAME_LEN, name, 0, Math.min(name.length, FILE_NAME_LEN - 1));
        }
        return this;
    }

    /** Where user frame {@code frame} lies: file slot (NO_FILE for none), offset in its VMA, the VMA's pgoff. */
    public SyntheticRecords userFrame(int framesAt, int frame, int slot, long vmaOffset, long pgoff) {
        buffer.put(AT + framesAt + USER_FRAMES_FRAME_FILE + frame, (byte) slot);
        return u64(framesAt + USER_FRAMES_VMA_OFFSET + frame * Long.BYTES, vmaOffset)
                .u64(framesAt + USER_FRAMES_VMA_PGOFF + frame * Long.BYTES, pgoff);
    }
}
