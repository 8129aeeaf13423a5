package io.nodescope.symbol;

/**
 * Sequential reads over a {@link BoundedReader}: the DWARF line program and Go's pc-value tables
 * are streams of variable-length fields. Every read advances the position by at least one byte,
 * which is what lets the parsers' loops promise to end.
 */
final class Cursor {
    /** A 64-bit value needs at most ten 7-bit groups; more is an endless continuation run. */
    private static final int MAX_LEB128_BYTES = 10;

    private final BoundedReader reader;
    private long position;

    Cursor(BoundedReader reader, long position) {
        this.reader = reader;
        this.position = position;
    }

    long position() {
        return position;
    }

    boolean atOrPast(long end) {
        return position >= end;
    }

    int u8() throws MalformedSymbolDataException {
        return reader.u8(position++);
    }

    byte s8() throws MalformedSymbolDataException {
        return (byte) reader.u8(position++);
    }

    int u16() throws MalformedSymbolDataException {
        int value = reader.u16(position);
        position += 2;
        return value;
    }

    long u32() throws MalformedSymbolDataException {
        long value = reader.u32(position);
        position += 4;
        return value;
    }

    long unsigned(int width) throws MalformedSymbolDataException {
        long value = reader.unsigned(position, width);
        position += width;
        return value;
    }

    String cString() throws MalformedSymbolDataException {
        int size = reader.cStringSize(position);
        String value = reader.cString(position);
        position += size;
        return value;
    }

    void skip(long length) throws MalformedSymbolDataException {
        position = reader.skip(position, length);
    }

    /** Unsigned LEB128 (DWARF) and Go's uvarint share one encoding. Bits past 64 are dropped. */
    long uleb128() throws MalformedSymbolDataException {
        long value = 0;
        for (int i = 0; i < MAX_LEB128_BYTES; i++) {
            int b = u8();
            value |= (long) (b & 0x7f) << (7 * i);
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw reader.malformed("LEB128 longer than " + MAX_LEB128_BYTES + " bytes before offset " + position);
    }

    long sleb128() throws MalformedSymbolDataException {
        long value = 0;
        for (int i = 0; i < MAX_LEB128_BYTES; i++) {
            int b = u8();
            int shift = 7 * i;
            value |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                if (shift + 7 < 64 && (b & 0x40) != 0) {
                    value |= -1L << (shift + 7);
                }
                return value;
            }
        }
        throw reader.malformed("LEB128 longer than " + MAX_LEB128_BYTES + " bytes before offset " + position);
    }
}
