package io.nodescope.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.nodescope.proto.v1.Event;
import io.nodescope.proto.v1.RecordingHeader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventReplayRejectsTest {
    @TempDir
    Path dir;

    @Test
    void missingFile() {
        Path file = dir.resolve("nowhere.nsrec");
        assertEquals("cannot replay " + file + ": no such file", openFailure(file));
    }

    @Test
    void emptyFile() throws IOException {
        Path file = Files.write(dir.resolve("empty.nsrec"), new byte[0]);
        assertEquals(file + " is not a nodescope recording (empty file)", openFailure(file));
    }

    @Test
    void foreignFile() throws IOException {
        Path file = Files.writeString(dir.resolve("script.sh"), "#!/bin/sh\necho hello\n");
        assertEquals(file + " is not a nodescope recording (no nodescope.v1.events header)", openFailure(file));
    }

    @Test
    void protobufThatIsNotOurHeader() throws IOException {
        Path file = write("other.nsrec", delimited(RecordingHeader.newBuilder().setFormat("otel.spans").build()));
        assertEquals(file + " is not a nodescope recording (no nodescope.v1.events header)", openFailure(file));
    }

    @Test
    void newerFormatVersion() throws IOException {
        Path file = write("v2.nsrec",
                delimited(RecordingFormat.header("n", "k", 0).toBuilder().setVersion(2).build()));
        assertEquals(file + " is recording format version 2; this nodescope reads version 1", openFailure(file));
    }

    @Test
    void truncatedLastRecordFailsAfterTheIntactOnes() throws IOException {
        Path file = dir.resolve("cut.nsrec");
        try (EventRecorder recorder = EventRecorder.create(file, TestEvents.CODECS, "n", "k", 0)) {
            TestEvents.allKinds().subList(0, 3).forEach(recorder::record);
        }
        byte[] whole = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(whole, whole.length - 5));

        try (EventReplay replay = EventReplay.open(file, TestEvents.CODECS)) {
            assertEquals(Optional.of(TestEvents.allKinds().get(0)), replay.next());
            assertEquals(Optional.of(TestEvents.allKinds().get(1)), replay.next());
            IOException failure = assertThrows(IOException.class, replay::next);
            assertTrue(failure.getMessage().matches(
                            "\\Q" + file + ": record 3 is truncated: the file ends after \\E\\d+ of its \\d+ bytes"),
                    failure.getMessage());
        }
    }

    @Test
    void oversizedLengthPrefixIsRejectedNotAllocated() throws IOException {
        var bytes = new ByteArrayOutputStream();
        bytes.writeBytes(delimited(RecordingFormat.header("n", "k", 0)));
        bytes.writeBytes(varint(RecordingFormat.MAX_RECORD_BYTES + 1L));
        Path file = write("huge.nsrec", bytes.toByteArray());

        assertEquals(file + ": record 1 declares 1048577 bytes, more than the 1048576-byte limit", nextFailure(file));
    }

    @Test
    void lengthPrefixOfTheFullSixtyFourBitsIsRejected() throws IOException {
        var bytes = new ByteArrayOutputStream();
        bytes.writeBytes(delimited(RecordingFormat.header("n", "k", 0)));
        bytes.writeBytes(varint(-1L));
        Path file = write("max.nsrec", bytes.toByteArray());

        assertEquals(file + ": record 1 declares 18446744073709551615 bytes, more than the 1048576-byte limit",
                nextFailure(file));
    }

    @Test
    void bytesThatAreNotAnEvent() throws IOException {
        var bytes = new ByteArrayOutputStream();
        bytes.writeBytes(delimited(RecordingFormat.header("n", "k", 0)));
        bytes.writeBytes(new byte[] {3, (byte) 0xff, (byte) 0xff, (byte) 0xff});
        Path file = write("corrupt.nsrec", bytes.toByteArray());

        assertTrue(nextFailure(file).startsWith(file + ": record 1 is not a valid event ("));
    }

    @Test
    void enumValueNoWriterProduces() throws IOException {
        Event tampered = TestEvents.CODECS.toProto(TestEvents.memcgOomWithEveryField()).toBuilder()
                .setOomKill(TestEvents.CODECS.toProto(TestEvents.memcgOomWithEveryField()).getOomKill().toBuilder()
                        .setSourceValue(9))
                .build();
        var bytes = new ByteArrayOutputStream();
        bytes.writeBytes(delimited(RecordingFormat.header("n", "k", 0)));
        bytes.writeBytes(delimited(tampered));
        Path file = write("enum.nsrec", bytes.toByteArray());

        assertEquals(file + ": record 1 is not a valid event (unknown probe source 9)", nextFailure(file));
    }

    @Test
    void anEventKindFromANewerWriterIsSkippedAndCounted() throws IOException {
        var bytes = new ByteArrayOutputStream();
        bytes.writeBytes(delimited(RecordingFormat.header("n", "k", 0)));
        bytes.writeBytes(delimited(TestEvents.CODECS.toProto(TestEvents.oomVictimExit())));
        bytes.writeBytes(delimited(eventOfAKindFromTheFuture()));
        bytes.writeBytes(delimited(TestEvents.CODECS.toProto(TestEvents.abortWithCoreDump())));
        Path file = write("newer.nsrec", bytes.toByteArray());

        try (EventReplay replay = EventReplay.open(file, TestEvents.CODECS)) {
            assertEquals(Optional.of(TestEvents.oomVictimExit()), replay.next());
            assertEquals(Optional.of(TestEvents.abortWithCoreDump()), replay.next());
            assertEquals(Optional.empty(), replay.next());
            assertEquals(1, replay.skippedUnknown());
        }
    }

    /** An Event whose only field is oneof case 42, which this version's Event does not declare. */
    private static byte[] eventOfAKindFromTheFuture() throws IOException {
        var bytes = new ByteArrayOutputStream();
        CodedOutputStream coded = CodedOutputStream.newInstance(bytes);
        coded.writeTag(42, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        coded.writeByteArrayNoTag("a future event".getBytes(StandardCharsets.UTF_8));
        coded.flush();
        Event parsed = Event.parseFrom(bytes.toByteArray());
        assertEquals(Event.KindCase.KIND_NOT_SET, parsed.getKindCase(), "the test must simulate an unknown kind");
        return bytes.toByteArray();
    }

    private static String openFailure(Path file) {
        return assertThrows(IOException.class, () -> EventReplay.open(file, TestEvents.CODECS).close()).getMessage();
    }

    private static String nextFailure(Path file) throws IOException {
        try (EventReplay replay = EventReplay.open(file, TestEvents.CODECS)) {
            return assertThrows(IOException.class, replay::next).getMessage();
        }
    }

    private Path write(String name, byte[] content) throws IOException {
        return Files.write(dir.resolve(name), content);
    }

    private static byte[] delimited(com.google.protobuf.MessageLite message) throws IOException {
        var bytes = new ByteArrayOutputStream();
        message.writeDelimitedTo(bytes);
        return bytes.toByteArray();
    }

    private static byte[] delimited(byte[] message) {
        var bytes = new ByteArrayOutputStream();
        bytes.writeBytes(varint(message.length));
        bytes.writeBytes(message);
        return bytes.toByteArray();
    }

    private static byte[] varint(long value) {
        var bytes = new ByteArrayOutputStream();
        try {
            CodedOutputStream coded = CodedOutputStream.newInstance(bytes);
            coded.writeUInt64NoTag(value);
            coded.flush();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return bytes.toByteArray();
    }
}
