package io.nodescope.decode;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Field access into one record of a ring, relative to its start. The ring's buffer is in native
 * byte order (set by the ring consumer); absolute gets leave its position untouched.
 */
public final class RecordReader {
    private final ByteBuffer buffer;
    private final int start;
    private final int length;

    public RecordReader(ByteBuffer buffer, int start, int length) {
        this.buffer = buffer;
        this.start = start;
        this.length = length;
    }

    public int length() {
        return length;
    }

    public int u8(int offset) {
        return Byte.toUnsignedInt(buffer.get(start + offset));
    }

    public int u16(int offset) {
        return Short.toUnsignedInt(buffer.getShort(start + offset));
    }

    public int s32(int offset) {
        return buffer.getInt(start + offset);
    }

    public long u32(int offset) {
        return Integer.toUnsignedLong(buffer.getInt(start + offset));
    }

    /** u64 fields are read as signed longs: the counters they hold stay far below 2^63. */
    public long u64(int offset) {
        return buffer.getLong(start + offset);
    }

    /** A NUL-terminated char array of the given capacity (comm). */
    public String cString(int offset, int capacity) {
        byte[] bytes = new byte[capacity];
        buffer.get(start + offset, bytes);
        int end = 0;
        while (end < capacity && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }

    /** A copy of length bytes at offset, in little-endian order: it outlives the ring's memory. */
    public ByteBuffer copy(int offset, int length) {
        byte[] bytes = new byte[length];
        buffer.get(start + offset, bytes);
        return ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    }

    public long[] u64Array(int offset, int count) {
        long[] values = new long[count];
        for (int i = 0; i < count; i++) {
            values[i] = u64(offset + i * Long.BYTES);
        }
        return values;
    }
}
