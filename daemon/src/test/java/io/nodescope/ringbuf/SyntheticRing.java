package io.nodescope.ringbuf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A ring laid out as the kernel lays it out, written the way bpf_ringbuf_reserve/submit/discard
 * write it, including the double mapping: every byte written to the data area is written to
 * both of its views, so a record that wraps is contiguous at its first offset.
 */
final class SyntheticRing {
    final ByteBuffer consumerPage = nativeBuffer(8);
    final ByteBuffer producerPage = nativeBuffer(8);
    final ByteBuffer data;
    final int dataSize;

    SyntheticRing(int dataSize) {
        this.dataSize = dataSize;
        this.data = nativeBuffer(2 * dataSize);
    }

    private static ByteBuffer nativeBuffer(int size) {
        // VarHandle acquire/release access needs aligned addresses: direct, 8-byte aligned.
        return ByteBuffer.allocateDirect(size + 8).alignedSlice(8).order(ByteOrder.nativeOrder());
    }

    RingReader reader() {
        return new RingReader(consumerPage, producerPage, data, dataSize);
    }

    long producerPosition() {
        return producerPage.getLong(0);
    }

    long consumerPosition() {
        return consumerPage.getLong(0);
    }

    void setConsumerPosition(long position) {
        consumerPage.putLong(0, position);
    }

    /** Reserves a record (BUSY header), fills its payload with a pattern from seed, returns its position. */
    long reserve(int length, int seed) {
        long position = producerPosition();
        writeInt(position, RingReader.BUSY_BIT | length);
        writeInt(position + 4, 0);
        for (int i = 0; i < length; i++) {
            writeByte(position + RingReader.HEADER_SIZE + i, (byte) (seed + i));
        }
        producerPage.putLong(0, position + ((RingReader.HEADER_SIZE + length + 7) & ~7));
        return position;
    }

    void submit(long position) {
        writeInt(position, readInt(position) & ~RingReader.BUSY_BIT);
    }

    void discard(long position) {
        writeInt(position, (readInt(position) & ~RingReader.BUSY_BIT) | RingReader.DISCARD_BIT);
    }

    long write(int length, int seed) {
        long position = reserve(length, seed);
        submit(position);
        return position;
    }

    /** Overwrites a committed record's length without moving the producer, as a corrupt mapping would. */
    void corruptLength(long position, int length) {
        writeInt(position, length);
    }

    private int readInt(long position) {
        return data.getInt((int) (position & (dataSize - 1)));
    }

    /** Headers sit at 8-aligned positions, so unlike payloads they never straddle the end. */
    private void writeInt(long position, int value) {
        int offset = (int) (position & (dataSize - 1));
        data.putInt(offset, value);
        data.putInt(offset + dataSize, value);
    }

    private void writeByte(long position, byte value) {
        int offset = (int) (position & (dataSize - 1));
        data.put(offset, value);
        data.put(offset + dataSize, value);
    }
}
