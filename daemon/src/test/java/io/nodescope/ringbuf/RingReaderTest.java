package io.nodescope.ringbuf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RingReaderTest {
    /** Copies what the handler saw, since the buffer is only valid during the call. */
    private static final class Collector implements RecordHandler {
        final List<byte[]> records = new ArrayList<>();

        @Override
        public void onRecord(ByteBuffer buffer, int offset, int length) {
            assertEquals(ByteOrder.nativeOrder(), buffer.order());
            byte[] copy = new byte[length];
            buffer.get(offset, copy);
            records.add(copy);
        }
    }

    private static byte[] pattern(int length, int seed) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (seed + i);
        }
        return bytes;
    }

    @Test
    void handsOverCommittedRecordsInOrderWithTheirPayload() {
        SyntheticRing ring = new SyntheticRing(4096);
        ring.write(16, 1);
        ring.write(3, 50);
        ring.write(0, 0);
        RingReader reader = ring.reader();
        Collector collector = new Collector();

        assertEquals(3, reader.drain(collector));

        assertEquals(3, collector.records.size());
        assertArrayEquals(pattern(16, 1), collector.records.get(0));
        assertArrayEquals(pattern(3, 50), collector.records.get(1));
        assertArrayEquals(new byte[0], collector.records.get(2));
        assertEquals(3, reader.recordsRead());
    }

    @Test
    void advancesByHeaderPlusPayloadRoundedToEightBytes() {
        SyntheticRing ring = new SyntheticRing(4096);
        ring.write(1, 0);    // 8 + 1 -> 16
        ring.write(8, 0);    // 8 + 8 -> 16
        ring.write(13, 0);   // 8 + 13 -> 24
        RingReader reader = ring.reader();

        reader.drain(new Collector());

        assertEquals(56, ring.consumerPosition());
        assertEquals(ring.producerPosition(), ring.consumerPosition());
    }

    @Test
    void recordThatWrapsAroundTheEndIsContiguousThroughTheSecondMapping() {
        SyntheticRing ring = new SyntheticRing(64);
        RingReader reader = ring.reader();
        Collector collector = new Collector();
        ring.write(32, 0);                 // occupies [0, 40)
        reader.drain(collector);
        ring.write(40, 7);                 // [40, 88): wraps 24 bytes past the end of 64
        ring.write(8, 100);                // [88, 104) = offset 24 after the wrap

        assertEquals(2, reader.drain(collector));

        assertArrayEquals(pattern(40, 7), collector.records.get(1));
        assertArrayEquals(pattern(8, 100), collector.records.get(2));
        assertEquals(104, ring.consumerPosition());
    }

    @Test
    void positionsKeepGrowingOverManyLapsOfTheRing() {
        SyntheticRing ring = new SyntheticRing(128);
        RingReader reader = ring.reader();
        Collector collector = new Collector();
        int written = 0;
        for (int lap = 0; lap < 50; lap++) {
            for (int i = 0; i < 3; i++) {
                ring.write(12 + i, written++);
            }
            reader.drain(collector);
        }

        assertEquals(written, collector.records.size());
        assertArrayEquals(pattern(14, written - 1), collector.records.get(written - 1));
        assertEquals(ring.producerPosition(), ring.consumerPosition());
        assertEquals(50 * (24 + 24 + 24), ring.consumerPosition());
    }

    @Test
    void busyRecordStopsTheBatchAndIsResumedOnTheNextDrain() {
        SyntheticRing ring = new SyntheticRing(4096);
        ring.write(8, 1);
        long busy = ring.reserve(8, 2);
        ring.write(8, 3);                  // committed, but behind the busy one
        RingReader reader = ring.reader();
        Collector collector = new Collector();

        assertEquals(1, reader.drain(collector));
        assertEquals(busy, ring.consumerPosition());
        assertEquals(0, reader.drain(collector));

        ring.submit(busy);
        assertEquals(2, reader.drain(collector));
        assertArrayEquals(pattern(8, 2), collector.records.get(1));
        assertArrayEquals(pattern(8, 3), collector.records.get(2));
        assertEquals(ring.producerPosition(), ring.consumerPosition());
    }

    @Test
    void discardedRecordsAreSkippedAndCounted() {
        SyntheticRing ring = new SyntheticRing(4096);
        ring.write(8, 1);
        ring.discard(ring.reserve(8, 2));
        ring.discard(ring.reserve(24, 3));
        ring.write(8, 4);
        RingReader reader = ring.reader();
        Collector collector = new Collector();

        assertEquals(2, reader.drain(collector));

        assertArrayEquals(pattern(8, 1), collector.records.get(0));
        assertArrayEquals(pattern(8, 4), collector.records.get(1));
        assertEquals(2, reader.discardedRecords());
        assertEquals(2, reader.recordsRead());
        assertEquals(ring.producerPosition(), ring.consumerPosition());
    }

    @Test
    void consumerPositionIsPublishedOncePerDrainNotPerRecord() {
        SyntheticRing ring = new SyntheticRing(4096);
        for (int i = 0; i < 5; i++) {
            ring.write(16, i);
        }
        RingReader reader = ring.reader();
        List<Long> publishedDuringDrain = new ArrayList<>();

        reader.drain((buffer, offset, length) -> publishedDuringDrain.add(ring.consumerPosition()));

        assertEquals(List.of(0L, 0L, 0L, 0L, 0L), publishedDuringDrain);
        assertEquals(5 * 24, ring.consumerPosition());
    }

    @Test
    void aFailingHandlerConsumesTheRecordItFailedOnAndThoseBefore() {
        SyntheticRing ring = new SyntheticRing(4096);
        ring.write(8, 1);
        ring.write(8, 2);
        ring.write(8, 3);
        RingReader reader = ring.reader();
        Collector collector = new Collector();
        RecordHandler failsOnSecond = (buffer, offset, length) -> {
            if (buffer.get(offset) == 2) {
                throw new IllegalStateException("cannot decode");
            }
            collector.onRecord(buffer, offset, length);
        };

        assertThrows(IllegalStateException.class, () -> reader.drain(failsOnSecond));

        assertEquals(32, ring.consumerPosition());
        assertEquals(2, reader.recordsRead());
        assertEquals(1, reader.drain(failsOnSecond));
        assertArrayEquals(pattern(8, 3), collector.records.get(1));
    }

    @Test
    void emptyDrainLeavesTheConsumerPositionAlone() {
        SyntheticRing ring = new SyntheticRing(4096);
        RingReader reader = ring.reader();
        ring.setConsumerPosition(-1);      // a store here would overwrite the marker

        assertEquals(0, reader.drain(new Collector()));
        assertEquals(-1, ring.consumerPosition());
    }

    @Test
    void startsAtThePositionAPreviousConsumerPublished() {
        SyntheticRing ring = new SyntheticRing(4096);
        ring.write(8, 1);
        long second = ring.write(8, 2);
        ring.setConsumerPosition(second);
        Collector collector = new Collector();

        assertEquals(1, ring.reader().drain(collector));
        assertArrayEquals(pattern(8, 2), collector.records.get(0));
    }

    @Test
    void lengthLargerThanTheRingIsCorruptionAndSkipsToTheProducer() {
        SyntheticRing ring = new SyntheticRing(4096);
        ring.write(8, 1);
        long corrupt = ring.write(8, 2);
        ring.corruptLength(corrupt, 1 << 20);
        ring.write(8, 3);
        RingReader reader = ring.reader();
        Collector collector = new Collector();

        assertEquals(1, reader.drain(collector));

        assertEquals(1, reader.corruptRecords());
        assertEquals(ring.producerPosition(), ring.consumerPosition());
        ring.write(8, 4);
        assertEquals(1, reader.drain(collector));
        assertArrayEquals(pattern(8, 4), collector.records.get(1));
    }

    @Test
    void lengthRunningPastTheProducerPositionIsCorruption() {
        SyntheticRing ring = new SyntheticRing(4096);
        long corrupt = ring.write(8, 1);
        ring.corruptLength(corrupt, 64);   // fits the ring, but the producer only published 16 bytes
        RingReader reader = ring.reader();

        assertEquals(0, reader.drain(new Collector()));

        assertEquals(1, reader.corruptRecords());
        assertEquals(0, reader.recordsRead());
        assertEquals(ring.producerPosition(), ring.consumerPosition());
    }

    @Test
    void rejectsADataAreaThatIsNotMappedTwice() {
        SyntheticRing ring = new SyntheticRing(4096);
        ByteBuffer single = ring.data.slice(0, 4096).order(ByteOrder.nativeOrder());

        assertThrows(IllegalArgumentException.class,
                () -> new RingReader(ring.consumerPage, ring.producerPage, single, 4096));
    }

    @Test
    void rejectsASizeThatIsNotAPowerOfTwo() {
        SyntheticRing ring = new SyntheticRing(4096);

        assertThrows(IllegalArgumentException.class,
                () -> new RingReader(ring.consumerPage, ring.producerPage, ring.data, 3000));
    }
}
