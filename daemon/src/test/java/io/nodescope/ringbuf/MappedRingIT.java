package io.nodescope.ringbuf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import io.nodescope.testing.RequiresRoot;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** MappedRing and RingPoller against a real kernel ring, filled by bpf/test/ring_writer.bpf.c. */
@RequiresRoot("loads BPF programs and maps their ring buffers")
class MappedRingIT {
    /** Sequence numbers of the records handed over, after checking each record's length. */
    private static final class SequenceCollector implements RecordHandler {
        final List<Long> sequences = new ArrayList<>();

        @Override
        public void onRecord(ByteBuffer buffer, int offset, int length) {
            long sequence = buffer.getLong(offset);
            int reservedSize = buffer.getInt(offset + 8);
            int expectedSize = (sequence & 1) == 0 ? RingWriter.SMALL_RECORD_SIZE : RingWriter.LARGE_RECORD_SIZE;
            assertEquals(expectedSize, reservedSize, "record " + sequence);
            assertEquals(expectedSize, length, "record " + sequence);
            sequences.add(sequence);
        }
    }

    private static List<Long> range(long from, long to) {
        List<Long> sequence = new ArrayList<>();
        for (long i = from; i < to; i++) {
            sequence.add(i);
        }
        return sequence;
    }

    private RingWriter writer;

    @BeforeEach
    void loadWriter() throws Exception {
        writer = new RingWriter();
    }

    @AfterEach
    void closeWriter() {
        if (writer != null) {
            writer.close();
        }
    }

    @Test
    void drainsEveryRecordExactlyOnceWhileTheRingLapsManyTimes() throws Exception {
        SequenceCollector collector = new SequenceCollector();
        try (MappedRing ring = writer.mapRing("records")) {
            for (int round = 0; round < 40; round++) {
                writer.write(100, 0);   // ~2.8 KiB of a 4 KiB ring: 40 rounds lap it ~27 times
                assertEquals(100, ring.drain(collector));
            }
            assertEquals(range(0, 4000), collector.sequences);
            assertEquals(4000, ring.recordsRead());
            assertEquals(0, ring.discardedRecords());
            assertEquals(0, ring.corruptRecords());
        }
        assertEquals(0, writer.drops());
    }

    @Test
    void discardedRecordsAreSkippedAndCounted() throws Exception {
        SequenceCollector collector = new SequenceCollector();
        try (MappedRing ring = writer.mapRing("records")) {
            for (int round = 0; round < 3; round++) {
                writer.write(99, 3);
                ring.drain(collector);
            }
            List<Long> expected = range(0, 297).stream().filter(sequence -> sequence % 3 != 2).toList();
            assertEquals(expected, collector.sequences);
            assertEquals(99, ring.discardedRecords());
            assertEquals(198, ring.recordsRead());
        }
    }

    @Test
    void aFullRingDropsInTheKernelAndTheReaderGetsExactlyWhatFit() throws Exception {
        SequenceCollector collector = new SequenceCollector();
        try (MappedRing ring = writer.mapRing("records")) {
            writer.write(300, 0);   // 300 records need ~8.2 KiB; the ring holds 4 KiB
            int drained = ring.drain(collector);
            long drops = writer.drops();

            assertTrue(drops > 0, "the ring should have overflowed");
            assertEquals(300, drained + drops);
            assertEquals(range(0, drained), collector.sequences);
        }
    }

    @Test
    void pollerWaitsForDataAndDrainsEachRingIntoItsOwnHandler() throws Exception {
        SequenceCollector quietCollector = new SequenceCollector();
        SequenceCollector busyCollector = new SequenceCollector();
        try (RingWriter busyWriter = new RingWriter();
             MappedRing quiet = writer.mapRing("quiet");
             MappedRing busy = busyWriter.mapRing("busy");
             RingPoller poller = new RingPoller()) {
            poller.add(quiet, quietCollector);
            poller.add(busy, busyCollector);
            assertEquals(0, poller.poll(0));

            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                try {
                    busyWriter.write(10, 0);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            // Either the records are already there or the kernel's wake-up ends the wait; the
            // long timeout only bounds a broken wake-up.
            int handed = 0;
            while (handed < 10) {
                handed += poller.poll(60_000);
            }
            writing.join();

            assertEquals(range(0, 10), busyCollector.sequences);
            assertEquals(List.of(), quietCollector.sequences);
        }
    }
}
