package io.nodescope.ringbuf;

import com.sun.jna.LastErrorException;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A BPF_MAP_TYPE_RINGBUF map mmapped into this process and drained by reading the mapping
 * directly: no native call and no callback per record.
 *
 * <p>The kernel exposes the ring through the map fd: the consumer page at offset 0 (writable, the
 * consumer publishes its position there), then at offset one page the producer page followed by
 * the data pages mapped twice (read-only; the kernel refuses writable mappings of them).
 *
 * <p>One thread drains a ring; {@link #close()} only after that thread stopped, since a record
 * read after munmap is a SIGSEGV, not an exception. The map fd stays owned by the caller.
 */
public final class MappedRing implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(MappedRing.class.getName());

    /** 2 * dataSize + one page must fit a ByteBuffer's int capacity. */
    private static final int MAX_DATA_SIZE = 1 << 29;

    private final String name;
    private final int mapFd;
    private final Mapping consumerMapping;
    private final Mapping producerMapping;
    private final RingReader reader;
    private long corruptionsReported;
    private boolean closed;

    private record Mapping(Pointer address, long length) {
        ByteBuffer buffer() {
            return address.getByteBuffer(0, length).order(ByteOrder.nativeOrder());
        }

        void unmap() {
            Libc.munmap(address, length);
        }
    }

    private MappedRing(String name, int mapFd, Mapping consumerMapping, Mapping producerMapping,
                       int pageSize, int dataSize) {
        this.name = name;
        this.mapFd = mapFd;
        this.consumerMapping = consumerMapping;
        this.producerMapping = producerMapping;
        ByteBuffer producerAndData = producerMapping.buffer();
        ByteBuffer data = producerAndData.slice(pageSize, 2 * dataSize).order(ByteOrder.nativeOrder());
        this.reader = new RingReader(consumerMapping.buffer(), producerAndData, data, dataSize);
    }

    /**
     * mmaps the ring of a BPF ringbuf map fd: consumer page RW, producer page + doubly mapped data
     * RO. dataSize = the map's max_entries (power of two). name is for errors/metrics. Errors ->
     * IOException with a one-line message.
     */
    public static MappedRing map(String name, int mapFd, int dataSize) throws IOException {
        int pageSize = Libc.getpagesize();
        if (Integer.bitCount(dataSize) != 1 || dataSize < pageSize) {
            throw new IOException("ring " + name + ": size " + dataSize
                    + " is not a power of two of at least a page (" + pageSize + "); pass the map's max_entries");
        }
        if (dataSize > MAX_DATA_SIZE) {
            throw new IOException("ring " + name + ": size " + dataSize + " exceeds " + MAX_DATA_SIZE
                    + " bytes, the largest this consumer can map; lower the map's max_entries");
        }
        Mapping consumer = mmap(name, mapFd, pageSize, Libc.PROT_READ | Libc.PROT_WRITE, 0);
        try {
            Mapping producer = mmap(name, mapFd, pageSize + 2L * dataSize, Libc.PROT_READ, pageSize);
            return new MappedRing(name, mapFd, consumer, producer, pageSize, dataSize);
        } catch (IOException | RuntimeException e) {
            consumer.unmap();
            throw e;
        }
    }

    private static Mapping mmap(String name, int mapFd, long length, int protection, long offset)
            throws IOException {
        try {
            return new Mapping(Libc.mmap(null, length, protection, Libc.MAP_SHARED, mapFd, offset), length);
        } catch (LastErrorException e) {
            throw new IOException("ring " + name + ": mmap of map fd " + mapFd + " (" + length + " bytes at "
                    + offset + ") failed: " + e.getMessage() + "; is the fd a BPF ringbuf map of that size?", e);
        }
    }

    /**
     * Hands every committed record to the handler, skips discarded ones, stops at a busy
     * (reserved, uncommitted) one; publishes the consumer position once per batch (release), not
     * per record. Returns records handed over.
     */
    public int drain(RecordHandler handler) {
        if (closed) {
            throw new IllegalStateException("ring " + name + " is closed");
        }
        int handed = reader.drain(handler);
        long corruptions = reader.corruptRecords();
        if (corruptions != corruptionsReported) {
            corruptionsReported = corruptions;
            LOG.log(Level.WARNING, "ring {0}: invalid record header, skipped to the producer position ({1} times so far)",
                    name, corruptions);
        }
        return handed;
    }

    long consumerPosition() {
        return reader.consumerPosition();
    }

    public String name() {
        return name;
    }

    public long recordsRead() {
        return reader.recordsRead();
    }

    public long discardedRecords() {
        return reader.discardedRecords();
    }

    /** Invalid record headers met; each cost the records between it and the producer position. */
    public long corruptRecords() {
        return reader.corruptRecords();
    }

    public int fd() {
        return mapFd;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        producerMapping.unmap();
        consumerMapping.unmap();
    }
}
