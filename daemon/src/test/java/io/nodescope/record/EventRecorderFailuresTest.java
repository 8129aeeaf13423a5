package io.nodescope.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventRecorderFailuresTest {
    @TempDir
    Path dir;

    @Test
    void missingDirectoryIsNamed() {
        Path missing = dir.resolve("no-such-dir");
        Path file = missing.resolve("events.nsrec");
        assertEquals("cannot record to " + file + ": directory " + missing + " does not exist", createFailure(file));
    }

    @Test
    void aDirectoryIsNotAFile() {
        assertEquals("cannot record to " + dir + ": Is a directory", createFailure(dir));
    }

    @Test
    void aFullDeviceFailsAtCreateBecauseTheHeaderIsFlushedThere() {
        Path full = Path.of("/dev/full");
        assumeTrue(Files.isWritable(full), "/dev/full is not available");
        assertEquals("cannot record to /dev/full: No space left on device", createFailure(full));
    }

    @Test
    void recordingAfterCloseIsCountedNotThrown() throws IOException {
        Path file = dir.resolve("closed.nsrec");
        EventRecorder recorder = EventRecorder.create(file, TestEvents.CODECS, "n", "k", 0);
        recorder.record(TestEvents.oomVictimExit());
        recorder.close();

        recorder.record(TestEvents.abortWithCoreDump());
        recorder.close();

        assertEquals(1, recorder.eventsWritten());
        assertEquals(1, recorder.failures());
        assertEquals(List.of(TestEvents.oomVictimExit()), RecordReplayRoundTripTest.readAll(file));
    }

    @Test
    void aWriteErrorStopsTheRecordingAndCountsEveryLostEvent() throws IOException {
        var disk = new DiskThatFills();
        var recorder = new EventRecorder(disk, "test disk", TestEvents.CODECS, RecordingFormat.header("n", "k", 0));
        recorder.record(TestEvents.oomVictimExit());
        disk.full = true;

        for (int i = 1; i < EventRecorder.FLUSH_EVERY_EVENTS; i++) {
            recorder.record(TestEvents.abortWithCoreDump());
        }
        assertEquals(EventRecorder.FLUSH_EVERY_EVENTS, recorder.failures(), "the failed flush lost its batch");

        recorder.record(TestEvents.abortWithCoreDump());
        recorder.close();

        assertEquals(0, recorder.eventsWritten());
        assertEquals(EventRecorder.FLUSH_EVERY_EVENTS + 1, recorder.failures());
        assertEquals(1, disk.failedWrites, "stopped writing after the first failure");
    }

    private static String createFailure(Path file) {
        return assertThrows(IOException.class, () -> EventRecorder.create(file, TestEvents.CODECS, "n", "k", 0).close()).getMessage();
    }

    /** Swallows the header, then fails every write once {@link #full} is set, like a disk running out of space. */
    private static final class DiskThatFills extends OutputStream {
        boolean full;
        int failedWrites;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            if (full) {
                failedWrites++;
                throw new IOException("No space left on device");
            }
        }
    }
}
