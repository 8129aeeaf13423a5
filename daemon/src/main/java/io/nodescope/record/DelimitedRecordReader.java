package io.nodescope.record;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * Splits a stream of length-delimited records (a varint byte count, then the bytes, as
 * protobuf's writeDelimitedTo writes them) into each record's bytes.
 *
 * <p>protobuf's own parseDelimitedFrom cannot tell a clean end of file from a cut-off record
 * and trusts the length prefix up to 2 GiB; reading the prefix here lets a truncated file, a
 * corrupt prefix and an oversized one each get their own message, and bounds the allocation.
 */
final class DelimitedRecordReader {
    private static final int MAX_VARINT_BYTES = 10;

    private final InputStream in;

    DelimitedRecordReader(InputStream in) {
        this.in = in;
    }

    /** The next record's bytes; empty when the stream ends cleanly between records. */
    Optional<byte[]> next() throws IOException {
        int firstByte = in.read();
        if (firstByte == -1) {
            return Optional.empty();
        }
        long length = readLengthPrefix(firstByte);
        if (Long.compareUnsigned(length, RecordingFormat.MAX_RECORD_BYTES) > 0) {
            throw new MalformedRecordException("declares " + Long.toUnsignedString(length)
                    + " bytes, more than the " + RecordingFormat.MAX_RECORD_BYTES + "-byte limit");
        }
        byte[] record = in.readNBytes((int) length);
        if (record.length < length) {
            throw new MalformedRecordException("is truncated: the file ends after " + record.length + " of its "
                    + length + " bytes");
        }
        return Optional.of(record);
    }

    private long readLengthPrefix(int firstByte) throws IOException {
        long value = 0;
        int current = firstByte;
        for (int index = 0; index < MAX_VARINT_BYTES; index++) {
            value |= (long) (current & 0x7f) << (7 * index);
            if ((current & 0x80) == 0) {
                return value;
            }
            current = in.read();
            if (current == -1) {
                throw new MalformedRecordException("is truncated: the file ends inside its length prefix");
            }
        }
        throw new MalformedRecordException("has a length prefix longer than " + MAX_VARINT_BYTES + " bytes");
    }
}
