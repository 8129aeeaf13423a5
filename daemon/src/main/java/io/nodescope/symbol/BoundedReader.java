package io.nodescope.symbol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Absolute-offset reads from a section whose every offset comes from the file itself. Each read
 * checks its bounds and fails with {@link MalformedSymbolDataException}, so the parsers built on it
 * cannot throw an unchecked IndexOutOfBoundsException on hostile input. Offsets are longs because
 * the file's offsets are unsigned 32- or 64-bit values; anything outside the section is rejected
 * before it is narrowed to an int.
 */
final class BoundedReader {
    private final ByteBuffer bytes;
    private final String what;

    /** {@code what} names the data in error messages, e.g. ".gopclntab". */
    BoundedReader(ByteBuffer section, String what) {
        this.bytes = section.slice().order(ByteOrder.LITTLE_ENDIAN);
        this.what = what;
    }

    int size() {
        return bytes.limit();
    }

    int u8(long offset) throws MalformedSymbolDataException {
        return Byte.toUnsignedInt(bytes.get(checked(offset, 1)));
    }

    int u16(long offset) throws MalformedSymbolDataException {
        return Short.toUnsignedInt(bytes.getShort(checked(offset, 2)));
    }

    /** Signed, as Go's int32 fields are; callers that need unsigned use {@link #u32}. */
    int s32(long offset) throws MalformedSymbolDataException {
        return bytes.getInt(checked(offset, 4));
    }

    long u32(long offset) throws MalformedSymbolDataException {
        return Integer.toUnsignedLong(bytes.getInt(checked(offset, 4)));
    }

    /** Unsigned 64-bit values come back as raw bits; offsets among them are range-checked on use. */
    long u64(long offset) throws MalformedSymbolDataException {
        return bytes.getLong(checked(offset, 8));
    }

    /** A little-endian unsigned integer of 1 to 8 bytes (pointer-sized fields, DW_LNE_set_address). */
    long unsigned(long offset, int width) throws MalformedSymbolDataException {
        if (width < 1 || width > 8) {
            throw malformed("field width " + width + " at offset " + offset);
        }
        int start = checked(offset, width);
        long value = 0;
        for (int i = width - 1; i >= 0; i--) {
            value = (value << 8) | Byte.toUnsignedLong(bytes.get(start + i));
        }
        return value;
    }

    /** A NUL-terminated string; a string that runs off the end of the section is malformed. */
    String cString(long offset) throws MalformedSymbolDataException {
        int start = checked(offset, 1);
        int end = start;
        while (bytes.get(end) != 0) {
            end++;
            if (end >= bytes.limit()) {
                throw malformed("unterminated string at offset " + offset);
            }
        }
        byte[] text = new byte[end - start];
        bytes.get(start, text);
        return new String(text, StandardCharsets.UTF_8);
    }

    /** Length in bytes of the NUL-terminated string at offset, terminator included. */
    int cStringSize(long offset) throws MalformedSymbolDataException {
        int start = checked(offset, 1);
        for (int end = start; end < bytes.limit(); end++) {
            if (bytes.get(end) == 0) {
                return end - start + 1;
            }
        }
        throw malformed("unterminated string at offset " + offset);
    }

    /** Returns the offset just past {@code length} bytes at {@code offset}, once they are known to exist. */
    long skip(long offset, long length) throws MalformedSymbolDataException {
        if (length < 0 || length > bytes.limit()) {
            throw malformed("length " + length + " at offset " + offset);
        }
        if (length > 0) {
            checked(offset, (int) length);
        }
        return offset + length;
    }

    /** The sub-range [offset, offset+length) as its own reader, for units with their own bounds. */
    BoundedReader range(long offset, long length) throws MalformedSymbolDataException {
        skip(offset, length);
        return new BoundedReader(bytes.slice((int) offset, (int) length), what);
    }

    boolean contains(long offset) {
        return offset >= 0 && offset < bytes.limit();
    }

    MalformedSymbolDataException malformed(String detail) {
        return new MalformedSymbolDataException(what + ": " + detail);
    }

    private int checked(long offset, int length) throws MalformedSymbolDataException {
        if (offset < 0 || offset > bytes.limit() - length) {
            throw malformed("read of " + length + " bytes at offset " + offset + " outside " + bytes.limit());
        }
        return (int) offset;
    }
}
