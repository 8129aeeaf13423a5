package io.nodescope.symbol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Absolute-offset reads from bytes whose every offset comes from the file itself (an ELF file, one
 * of its sections, a pclntab, a perf map). Each read checks its bounds and fails with
 * {@link MalformedSymbolDataException}, so the parsers built on it never meet an unchecked
 * IndexOutOfBoundsException on hostile input. Offsets are longs because the files' offsets are
 * unsigned 32- or 64-bit values; anything outside the bytes is rejected before it is narrowed to an
 * int. Multi-byte values are read in the data's own byte order (ELF's EI_DATA), which a sub-range
 * inherits.
 */
final class BoundedReader {
    private final ByteBuffer bytes;
    private final String what;

    /** {@code what} names the data in error messages, e.g. ".gopclntab". */
    BoundedReader(ByteBuffer data, ByteOrder order, String what) {
        this.bytes = data.slice().order(order);
        this.what = what;
    }

    /** Little-endian data: the byte order of every architecture the daemon runs on. */
    static BoundedReader littleEndian(ByteBuffer data, String what) {
        return new BoundedReader(data, ByteOrder.LITTLE_ENDIAN, what);
    }

    int size() {
        return bytes.limit();
    }

    ByteOrder order() {
        return bytes.order();
    }

    String what() {
        return what;
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

    /** An unsigned integer of 1 to 8 bytes (pointer-sized fields, DW_LNE_set_address). */
    long unsigned(long offset, int width) throws MalformedSymbolDataException {
        if (width < 1 || width > 8) {
            throw malformed("field width " + width + " at offset " + offset);
        }
        int start = checked(offset, width);
        boolean littleEndian = bytes.order() == ByteOrder.LITTLE_ENDIAN;
        long value = 0;
        for (int i = 0; i < width; i++) {
            int at = littleEndian ? start + width - 1 - i : start + i;
            value = (value << 8) | Byte.toUnsignedLong(bytes.get(at));
        }
        return value;
    }

    /** A NUL-terminated string; a string that runs off the end is malformed. */
    String cString(long offset) throws MalformedSymbolDataException {
        int start = checked(offset, 1);
        int end = indexOf((byte) 0, start, bytes.limit());
        if (end < 0) {
            throw malformed("unterminated string at offset " + offset);
        }
        return text(start, end - start);
    }

    /** Length in bytes of the NUL-terminated string at offset, terminator included. */
    int cStringSize(long offset) throws MalformedSymbolDataException {
        int start = checked(offset, 1);
        int end = indexOf((byte) 0, start, bytes.limit());
        if (end < 0) {
            throw malformed("unterminated string at offset " + offset);
        }
        return end - start + 1;
    }

    /**
     * The text at offset up to the first {@code terminator}, cut at {@code maxBytes} or at the end of
     * the data, and empty when offset is outside it. Never fails: for names a damaged string table
     * must not make fatal, for lines of text files that skip what they cannot read, and for names
     * decoded lazily at lookup time, when no caller is left to report a failure to.
     */
    String textUntil(byte terminator, long offset, int maxBytes) {
        if (!contains(offset)) {
            return "";
        }
        int start = (int) offset;
        int limit = (int) Math.min(bytes.limit(), start + (long) maxBytes);
        int end = indexOf(terminator, start, limit);
        return text(start, (end < 0 ? limit : end) - start);
    }

    /** The offset of the first {@code value} at or after {@code from}, or -1 when there is none. */
    long indexOf(byte value, long from) {
        return contains(from) ? indexOf(value, (int) from, bytes.limit()) : -1;
    }

    /** Returns the offset just past {@code length} bytes at {@code offset}, once they are known to exist. */
    long skip(long offset, long length) throws MalformedSymbolDataException {
        if (length < 0 || length > bytes.limit()) {
            throw malformed("length " + length + " at offset " + offset);
        }
        if (length > 0) {
            checked(offset, (int) length);
        } else if (offset < 0 || offset > bytes.limit()) {
            throw malformed("offset " + offset + " outside " + bytes.limit());
        }
        return offset + length;
    }

    /** The sub-range [offset, offset+length) as its own reader, for data with its own bounds. */
    BoundedReader range(long offset, long length, String rangeName) throws MalformedSymbolDataException {
        skip(offset, length);
        return new BoundedReader(bytes.slice((int) offset, (int) length), bytes.order(), rangeName);
    }

    BoundedReader range(long offset, long length) throws MalformedSymbolDataException {
        return range(offset, length, what);
    }

    /** Everything from offset to the end, for tables that state no size of their own. */
    BoundedReader from(long offset) throws MalformedSymbolDataException {
        return range(offset, size() - offset);
    }

    /** The bytes as a read-only buffer in this reader's byte order, for stream decoders and checksums. */
    ByteBuffer buffer() {
        return bytes.asReadOnlyBuffer().order(bytes.order());
    }

    boolean contains(long offset) {
        return offset >= 0 && offset < bytes.limit();
    }

    MalformedSymbolDataException malformed(String detail) {
        return new MalformedSymbolDataException(what + ": " + detail);
    }

    private int indexOf(byte value, int start, int limit) {
        for (int at = start; at < limit; at++) {
            if (bytes.get(at) == value) {
                return at;
            }
        }
        return -1;
    }

    private String text(int start, int length) {
        byte[] text = new byte[length];
        bytes.get(start, text);
        return new String(text, StandardCharsets.UTF_8);
    }

    private int checked(long offset, int length) throws MalformedSymbolDataException {
        if (offset < 0 || offset > bytes.limit() - length) {
            throw malformed("read of " + length + " bytes at offset " + offset + " outside " + bytes.limit());
        }
        return (int) offset;
    }
}
