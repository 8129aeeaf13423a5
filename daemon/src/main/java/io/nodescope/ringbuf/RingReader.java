package io.nodescope.ringbuf;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The consumer side of the BPF ring buffer protocol (kernel/bpf/ringbuf.c), on plain buffers so
 * it runs against a synthetic ring in tests as well as against the kernel's mapping.
 *
 * <p>Layout: the consumer page holds {@code consumer_pos} (u64 at 0), the producer page holds
 * {@code producer_pos} (u64 at 0). Both positions grow forever; {@code position & mask} is the
 * offset in the data area. Each record is an 8-byte header {@code u32 len; u32 pg_off} followed
 * by the payload, padded to 8 bytes. The data area is mapped twice back to back, so a record
 * that wraps around the end is still contiguous in {@code data}.
 *
 * <p>Not thread-safe: one thread drains a ring. The counters have that one writer and are
 * volatile so that metrics can read them from any thread.
 */
final class RingReader {
    static final int BUSY_BIT = 1 << 31;
    static final int DISCARD_BIT = 1 << 30;
    static final int HEADER_SIZE = 8;
    private static final int RECORD_ALIGNMENT = 8;

    private static final VarHandle LONG =
            MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final VarHandle INT =
            MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    private final ByteBuffer consumerPage;
    private final ByteBuffer producerPage;
    private final ByteBuffer data;
    private final int dataSize;
    private final long mask;
    private long consumerPosition;
    private volatile long recordsRead;
    private volatile long discardedRecords;
    private volatile long corruptRecords;

    /**
     * @param consumerPage the writable page holding consumer_pos
     * @param producerPage the page holding producer_pos
     * @param data         the data area followed by its second mapping: 2 * dataSize bytes, native order
     * @param dataSize     the data area's size, a power of two
     */
    RingReader(ByteBuffer consumerPage, ByteBuffer producerPage, ByteBuffer data, int dataSize) {
        if (Integer.bitCount(dataSize) != 1) {
            throw new IllegalArgumentException("ring data size " + dataSize + " is not a power of two");
        }
        if (data.capacity() < 2L * dataSize) {
            throw new IllegalArgumentException("data area must be mapped twice: " + data.capacity()
                    + " < 2 * " + dataSize);
        }
        if (data.order() != ByteOrder.nativeOrder()) {
            throw new IllegalArgumentException("data buffer must be in native order");
        }
        this.consumerPage = consumerPage;
        this.producerPage = producerPage;
        this.data = data;
        this.dataSize = dataSize;
        this.mask = dataSize - 1;
        // A ring may have been drained before (a restarted consumer on a pinned map): start where it left.
        this.consumerPosition = (long) LONG.getAcquire(consumerPage, 0);
    }

    /**
     * Hands every committed record up to the producer position seen at the start to the handler.
     * Reading only up to that snapshot bounds the batch, so a producer that never pauses cannot
     * keep the consumer position unpublished (and the ring full) indefinitely.
     *
     * <p>An exception from the handler propagates after the records up to and including the one
     * it failed on are consumed and published, so a record that always fails is not retried forever.
     *
     * @return the number of records handed over
     */
    int drain(RecordHandler handler) {
        // Acquire pairs with the kernel's smp_store_release(&rb->producer_pos) in
        // __bpf_ringbuf_reserve(): every header up to this position is written (at least BUSY).
        long producerPosition = (long) LONG.getAcquire(producerPage, 0);
        long position = consumerPosition;
        int handed = 0;
        int discarded = 0;
        try {
            while (position < producerPosition) {
                int headerOffset = (int) (position & mask);
                // Acquire pairs with the xchg() on the header in bpf_ringbuf_commit(): once BUSY
                // is clear, the program's writes to the payload are visible.
                int header = (int) INT.getAcquire(data, headerOffset);
                if ((header & BUSY_BIT) != 0) {
                    break;   // reserved, not yet committed; records behind it wait for the next drain
                }
                int length = header & ~(BUSY_BIT | DISCARD_BIT);
                long recordSize = alignedRecordSize(length);
                if (recordSize > dataSize || position + recordSize > producerPosition) {
                    // The kernel never reserves more than the data area nor past producer_pos; a
                    // header saying so means the mapping is not what we think it is. Skip to the
                    // producer position so the ring keeps flowing instead of stalling here.
                    corruptRecords++;
                    position = producerPosition;
                    break;
                }
                position += recordSize;
                if ((header & DISCARD_BIT) != 0) {
                    discarded++;
                } else {
                    handed++;
                    handler.onRecord(data, headerOffset + HEADER_SIZE, length);
                }
            }
        } finally {
            publish(position, handed, discarded);
        }
        return handed;
    }

    private void publish(long position, int handed, int discarded) {
        if (position != consumerPosition) {
            // Once per drain, not per record: every consumer_pos store pulls the cache line the
            // producer reads in reserve() across cores, and a consumer that lags its published
            // position means the kernel sees "consumer caught up" (its wake-up condition) less
            // often. Release orders our reads of the records before the kernel may reuse them
            // (it reads consumer_pos with smp_load_acquire in __bpf_ringbuf_reserve()).
            LONG.setRelease(consumerPage, 0, position);
            // Store-load fence: the next drain's read of producer_pos or of a BUSY header must not
            // be satisfied before this store is visible. The kernel commits with xchg (a full
            // barrier) and then reads consumer_pos to decide whether to wake us; without the
            // fence both sides can read the other's old value (store buffering), the producer
            // skips the wake-up, we find the ring "empty" and sleep on a ring that has data.
            VarHandle.fullFence();
            consumerPosition = position;
        }
        if (handed > 0) {
            recordsRead += handed;
        }
        if (discarded > 0) {
            discardedRecords += discarded;
        }
    }

    private static long alignedRecordSize(int length) {
        return (Integer.toUnsignedLong(length) + HEADER_SIZE + RECORD_ALIGNMENT - 1) & -RECORD_ALIGNMENT;
    }

    /** Where this reader is in the ring; grows by every record consumed, discarded ones included. */
    long consumerPosition() {
        return consumerPosition;
    }

    long recordsRead() {
        return recordsRead;
    }

    long discardedRecords() {
        return discardedRecords;
    }

    /** Headers that could not be valid; each one made the reader skip to the producer position. */
    long corruptRecords() {
        return corruptRecords;
    }
}
