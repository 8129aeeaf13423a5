package io.nodescope.symbol;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.Optional;

/**
 * A file held open from the moment its process was snapshotted until it is parsed. The open
 * descriptor is what keeps it readable after the process exits: /proc/pid/map_files and
 * /proc/pid/root vanish with the process, and a container's filesystem may be unmounted right after,
 * but an open file's inode stays readable until the last descriptor closes.
 */
final class PinnedFile<T> implements AutoCloseable {
    /** Parses a pinned file; reports its own failures and returns empty for them. */
    interface Parser<T> {
        Optional<T> parse(FileIdentity identity, FileChannel channel);
    }

    private final FileIdentity identity;
    private FileChannel channel;
    private Optional<T> parsed;

    private PinnedFile(FileIdentity identity, FileChannel channel, Optional<T> parsed) {
        this.identity = identity;
        this.channel = channel;
        this.parsed = parsed;
    }

    /** @param identity the file's stat() taken when it was opened, its cache key */
    static <T> PinnedFile<T> open(FileIdentity identity, FileChannel channel) {
        return new PinnedFile<>(identity, channel, null);
    }

    /** A file already parsed (a cache hit at snapshot time): nothing to hold open. */
    static <T> PinnedFile<T> alreadyParsed(FileIdentity identity, T value) {
        return new PinnedFile<>(identity, null, Optional.of(value));
    }

    /** The file's stat() when it was opened: its cache key. */
    FileIdentity identity() {
        return identity;
    }

    /** Parses on the first call and releases the descriptor; later calls return that first result. */
    synchronized Optional<T> get(Parser<T> parser) {
        if (parsed == null) {
            parsed = channel == null ? Optional.empty() : parser.parse(identity, channel);
            close();
        }
        return parsed;
    }

    @Override
    public synchronized void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // Closing a read-only file: nothing was written that could be lost.
            }
            channel = null;
        }
        if (parsed == null) {
            parsed = Optional.empty(); // Closed before use: the snapshot was dropped unsymbolized.
        }
    }
}
