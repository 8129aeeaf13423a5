package io.nodescope.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nodescope.event.NodeEvent;
import io.nodescope.module.exit.ProcessExit;
import io.nodescope.event.TaskIdentity;
import io.nodescope.proto.v1.Event;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordReplayRoundTripTest {
    private static final long OFFSET_NANOS = 1_700_000_000_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void everyEventKindComesBackEqual() throws IOException {
        Path file = dir.resolve("all.nsrec");
        try (EventRecorder recorder = EventRecorder.create(file, TestEvents.CODECS, "node-a", "6.8.0-45-generic", OFFSET_NANOS)) {
            TestEvents.allKinds().forEach(recorder::record);
        }

        assertEquals(TestEvents.allKinds(), readAll(file));
    }

    @Test
    void headerComesBackAndTurnsBootTimesIntoWallClockTimes() throws IOException {
        Path file = dir.resolve("header.nsrec");
        EventRecorder.create(file, TestEvents.CODECS, "node-b", "5.15.0-1071-aws", OFFSET_NANOS).close();

        try (EventReplay replay = EventReplay.open(file, TestEvents.CODECS)) {
            assertEquals("node-b", replay.hostname());
            assertEquals("5.15.0-1071-aws", replay.kernelRelease());
            assertEquals(OFFSET_NANOS, replay.bootToWallOffsetNanos());
            assertEquals(Instant.ofEpochSecond(1_700_000_001, 500), replay.wallClockTime(1_000_000_500L));
            assertEquals(Optional.empty(), replay.next());
        }
    }

    @Test
    void unlimitedLimitsAndAbsentMemcgsStayOffTheWire() {
        var unlimited = TestEvents.CODECS.toProto(TestEvents.unlimitedAndAllZeroMemcgs()).getOomKill();
        assertFalse(unlimited.getVictimMemcg().hasLimitBytes());
        assertFalse(unlimited.getVictimMemcg().hasMemswLimitBytes());
        assertTrue(unlimited.hasConstrainingMemcg(), "an all-zero memcg is still present");
        assertTrue(unlimited.getConstrainingMemcg().hasLimitBytes(), "a zero limit is a limit");

        var global = TestEvents.CODECS.toProto(TestEvents.globalOomWithoutMemcgs()).getOomKill();
        assertFalse(global.hasVictimMemcg());
        assertFalse(global.hasConstrainingMemcg());
    }

    @Test
    void eachKindLandsInItsOwnOneofCase() {
        assertEquals(Event.KindCase.OOM_KILL, TestEvents.CODECS.toProto(TestEvents.memcgOomWithEveryField()).getKindCase());
        assertEquals(Event.KindCase.PROCESS_EXIT, TestEvents.CODECS.toProto(TestEvents.oomVictimExit()).getKindCase());
    }

    @Test
    void concurrentRecordersLoseNothing() throws Exception {
        Path file = dir.resolve("concurrent.nsrec");
        int threads = 8;
        int eventsPerThread = 500;
        EventRecorder recorder = EventRecorder.create(file, TestEvents.CODECS, "node-c", "6.1", 0);
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            for (int thread = 0; thread < threads; thread++) {
                int tgid = thread;
                pool.submit(() -> {
                    for (int tid = 0; tid < eventsPerThread; tid++) {
                        recorder.record(new ProcessExit(tid, new TaskIdentity(tgid, tid, 0, 0, "t"), 9, false));
                    }
                });
            }
        }
        recorder.close();
        assertEquals((long) threads * eventsPerThread, recorder.eventsWritten());
        assertEquals(0, recorder.failures());

        Set<String> distinct = new TreeSet<>();
        for (NodeEvent event : readAll(file)) {
            TaskIdentity task = ((ProcessExit) event).task();
            distinct.add(task.tgid() + "/" + task.tid());
        }
        assertEquals(threads * eventsPerThread, distinct.size());
    }

    @Test
    void aQuietRecorderStillFlushesWithinTheInterval() throws Exception {
        Path file = dir.resolve("quiet.nsrec");
        try (EventRecorder recorder = EventRecorder.create(file, TestEvents.CODECS, "node-d", "6.1", 0)) {
            recorder.record(TestEvents.oomVictimExit());
            long deadline = System.nanoTime() + 5 * EventRecorder.FLUSH_INTERVAL_MILLIS * 1_000_000;
            while (recorder.eventsWritten() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }

            assertEquals(1, recorder.eventsWritten());
            assertEquals(List.of(TestEvents.oomVictimExit()), readAll(file), "readable while still recording");
        }
    }

    static List<NodeEvent> readAll(Path file) throws IOException {
        List<NodeEvent> events = new ArrayList<>();
        try (EventReplay replay = EventReplay.open(file, TestEvents.CODECS)) {
            for (Optional<NodeEvent> event = replay.next(); event.isPresent(); event = replay.next()) {
                events.add(event.get());
            }
        }
        return events;
    }
}
