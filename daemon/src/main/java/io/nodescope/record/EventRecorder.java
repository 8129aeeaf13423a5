package io.nodescope.record;

import io.nodescope.event.NodeEvent;
import io.nodescope.proto.v1.RecordingHeader;
import java.io.BufferedOutputStream;
import java.io.FileNotFoundException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Writes every event it is given to a recording file (--record): a {@link RecordingHeader}, then
 * one length-delimited {@code nodescope.v1.Event} per event.
 *
 * <p>Recording must never take the daemon down: {@link #record} does not throw. The first write
 * error stops the recording (a half-written record would make the rest of the file unreadable),
 * is logged once, and every event from then on, like any event recorded after {@link #close},
 * is counted in {@link #failures()}.
 */
public final class EventRecorder implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("nodescope.record");
    private static final int BUFFER_BYTES = 64 * 1024;
    /*
     * Why flush this often: the events worth recording come right before trouble (an OOM kill can
     * be followed by the node's, or the daemon's, own death), so a crash may lose at most one
     * second or FLUSH_EVERY_EVENTS events. Both bounds are needed: the count bounds the loss in a
     * burst, and the timer flushes the last events of a burst that is followed by silence. At the
     * rate the kernel lets these events through, that is a handful of write(2) calls a second.
     */
    static final int FLUSH_EVERY_EVENTS = 64;
    static final long FLUSH_INTERVAL_MILLIS = 1000;

    private final String destination;
    private final EventCodecs codecs;
    private final OutputStream unbuffered;
    private final OutputStream buffered;
    private final ScheduledExecutorService flusher;
    private long eventsWritten;
    private long failures;
    private int unflushedEvents;
    private boolean closed;
    private boolean broken;

    /**
     * Creates (or truncates) {@code file} and writes the header, so even a recording that sees no
     * event is a valid one.
     *
     * @param bootToWallOffsetNanos wall-clock nanoseconds since the epoch minus CLOCK_BOOTTIME
     *                              nanoseconds, now: replay adds it to event timestamps
     * @throws IOException with a one-line message naming the file and the cause
     */
    public static EventRecorder create(Path file, EventCodecs codecs, String hostname, String kernelRelease,
                                       long bootToWallOffsetNanos) throws IOException {
        OutputStream out = openForWriting(file);
        try {
            return new EventRecorder(out, file.toString(), codecs,
                    RecordingFormat.header(hostname, kernelRelease, bootToWallOffsetNanos));
        } catch (IOException e) {
            out.close();
            throw new IOException("cannot record to " + file + ": " + e.getMessage(), e);
        }
    }

    // FileOutputStream, not Files.newOutputStream: the latter is an interruptible channel, and an
    // interrupt of whichever thread happens to be recording would close the file for good.
    private static OutputStream openForWriting(Path file) throws IOException {
        try {
            return new FileOutputStream(file.toFile());
        } catch (FileNotFoundException e) {
            throw new IOException("cannot record to " + file + ": " + whyNotWritable(file, e), e);
        }
    }

    private static String whyNotWritable(Path file, FileNotFoundException e) {
        Path directory = file.toAbsolutePath().getParent();
        if (directory != null && !Files.isDirectory(directory)) {
            return "directory " + directory + " does not exist";
        }
        // FileOutputStream says "<path> (<strerror>)"; the path is already in our message.
        String message = String.valueOf(e.getMessage());
        int reasonStart = message.lastIndexOf(" (");
        return reasonStart >= 0 && message.endsWith(")")
                ? message.substring(reasonStart + 2, message.length() - 1)
                : message;
    }

    // Package-private so tests can record into a stream that fails on demand.
    EventRecorder(OutputStream out, String destination, EventCodecs codecs, RecordingHeader header)
            throws IOException {
        this.codecs = codecs;
        this.destination = destination;
        this.unbuffered = out;
        this.buffered = new BufferedOutputStream(out, BUFFER_BYTES);
        header.writeDelimitedTo(this.buffered);
        this.buffered.flush();
        this.flusher = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("nodescope-record-flush").factory());
        flusher.scheduleAtFixedRate(this::flushPending, FLUSH_INTERVAL_MILLIS, FLUSH_INTERVAL_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    /** Appends {@code event}; never throws, a loss is counted in {@link #failures()}. Thread-safe. */
    public synchronized void record(NodeEvent event) {
        if (closed || broken) {
            failures++;
            return;
        }
        unflushedEvents++;
        try {
            codecs.toProto(event).writeDelimitedTo(buffered);
            if (unflushedEvents >= FLUSH_EVERY_EVENTS) {
                flush();
            }
        } catch (IOException e) {
            stopAfter(e);
        }
    }

    /** Events that have reached the file; those still buffered (at most a second's) are not counted yet. */
    public synchronized long eventsWritten() {
        return eventsWritten;
    }

    /**
     * Events lost: those buffered when a write failed, and every event recorded after a failure or
     * after {@link #close()}.
     */
    public synchronized long failures() {
        return failures;
    }

    private synchronized void flushPending() {
        if (!closed && !broken && unflushedEvents > 0) {
            try {
                flush();
            } catch (IOException e) {
                stopAfter(e);
            }
        }
    }

    private void flush() throws IOException {
        buffered.flush();
        eventsWritten += unflushedEvents;
        unflushedEvents = 0;
    }

    // Counts every buffered event as lost: the stream cannot say how much of the buffer got out.
    private void stopAfter(IOException e) {
        broken = true;
        failures += unflushedEvents;
        unflushedEvents = 0;
        LOG.log(System.Logger.Level.WARNING, "recording to {0} stopped after {1} events: {2}; "
                + "later events are counted as failures", destination, eventsWritten, e.getMessage());
    }

    /**
     * Flushes what is buffered and closes the file. A failing final flush is logged and counted like
     * any other write error. Events recorded afterwards count as failures.
     */
    @Override
    public void close() throws IOException {
        // shutdown, not shutdownNow: a flush in progress finishes rather than being interrupted.
        flusher.shutdown();
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (!broken) {
                try {
                    flush();
                } catch (IOException e) {
                    stopAfter(e);
                }
            }
            // Closes beneath the buffer: after a failed write it holds the tail of a broken record.
            try {
                unbuffered.close();
            } catch (IOException e) {
                throw new IOException("cannot finish recording " + destination + ": " + e.getMessage(), e);
            }
        }
    }
}
