package io.nodescope.record;

import com.google.protobuf.InvalidProtocolBufferException;
import io.nodescope.event.NodeEvent;
import io.nodescope.proto.v1.Event;
import io.nodescope.proto.v1.RecordingHeader;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * Reads a recording back (--replay), event by event, for the pipeline to process as if the
 * kernel had just reported them. Not thread-safe: one reader drives it.
 *
 * <p>Error messages name the file and the record: the header is record 0, the first event
 * record 1.
 */
public final class EventReplay implements AutoCloseable {
    private final Path file;
    private final InputStream in;
    private final DelimitedRecordReader records;
    private final RecordingHeader header;
    private long nextRecordIndex = 1;
    private long skippedUnknown;
    private final EventCodecs codecs;

    private EventReplay(Path file, InputStream in, EventCodecs codecs) throws IOException {
        this.codecs = codecs;
        this.file = file;
        this.in = in;
        this.records = new DelimitedRecordReader(in);
        this.header = readHeader();
    }

    /**
     * Opens {@code file} and checks its header.
     *
     * @throws IOException with a one-line message naming the file and what is wrong with it
     */
    public static EventReplay open(Path file, EventCodecs codecs) throws IOException {
        InputStream in;
        try {
            in = new BufferedInputStream(Files.newInputStream(file));
        } catch (NoSuchFileException e) {
            throw new IOException("cannot replay " + file + ": no such file", e);
        } catch (AccessDeniedException e) {
            throw new IOException("cannot replay " + file + ": permission denied", e);
        }
        try {
            return new EventReplay(file, in, codecs);
        } catch (IOException e) {
            in.close();
            throw e;
        }
    }

    private RecordingHeader readHeader() throws IOException {
        Optional<byte[]> record;
        RecordingHeader candidate;
        try {
            record = records.next();
            if (record.isEmpty()) {
                throw notARecording("empty file");
            }
            candidate = RecordingHeader.parseFrom(record.get());
        } catch (MalformedRecordException | InvalidProtocolBufferException e) {
            // Whatever the first bytes of a foreign file happen to look like, the answer is the same.
            throw notARecording("no " + RecordingFormat.FORMAT + " header");
        }
        if (!RecordingFormat.FORMAT.equals(candidate.getFormat())) {
            throw notARecording("no " + RecordingFormat.FORMAT + " header");
        }
        if (candidate.getVersion() != RecordingFormat.VERSION) {
            throw new IOException(file + " is recording format version " + candidate.getVersion()
                    + "; this nodescope reads version " + RecordingFormat.VERSION);
        }
        return candidate;
    }

    private IOException notARecording(String why) {
        return new IOException(file + " is not a nodescope recording (" + why + ")");
    }

    /**
     * The next event; empty at the end of the recording. Events of a kind this version does not
     * know are skipped and counted in {@link #skippedUnknown()}.
     *
     * @throws IOException naming the file and the record when a record is truncated or corrupt
     */
    public Optional<NodeEvent> next() throws IOException {
        while (true) {
            Optional<byte[]> record;
            try {
                record = records.next();
            } catch (MalformedRecordException e) {
                throw new IOException(file + ": record " + nextRecordIndex + " " + e.getMessage(), e);
            }
            if (record.isEmpty()) {
                return Optional.empty();
            }
            long index = nextRecordIndex++;
            Optional<NodeEvent> event;
            try {
                event = codecs.fromProto(Event.parseFrom(record.get()));
            } catch (InvalidProtocolBufferException e) {
                throw new IOException(file + ": record " + index + " is not a valid event (" + e.getMessage() + ")",
                        e);
            }
            if (event.isPresent()) {
                return event;
            }
            skippedUnknown++;
        }
    }

    /** Records holding an event type newer than this version, skipped so far. */
    public long skippedUnknown() {
        return skippedUnknown;
    }

    /** The hostname of the node the recording was made on. */
    public String hostname() {
        return header.getHostname();
    }

    /** The recording node's kernel release (uname -r). */
    public String kernelRelease() {
        return header.getKernelRelease();
    }

    /** Wall-clock minus CLOCK_BOOTTIME nanoseconds on the recording node when it started recording. */
    public long bootToWallOffsetNanos() {
        return header.getBootToWallOffsetNanos();
    }

    /** The wall-clock time the recording node would have given an event's CLOCK_BOOTTIME timestamp. */
    public Instant wallClockTime(long bootTimeNanos) {
        return Instant.ofEpochSecond(0, Math.addExact(bootTimeNanos, header.getBootToWallOffsetNanos()));
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
