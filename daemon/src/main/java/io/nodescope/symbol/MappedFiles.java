package io.nodescope.symbol;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Read-only mappings of files to parse. Mapping, not reading: the page cache already holds the hot
 * libraries, and a parser touches only the pages of the sections it reads.
 */
final class MappedFiles {
    /** A ByteBuffer indexes with an int; bigger files (rare: a debug file of a browser) are refused. */
    static final long MAX_FILE_BYTES = Integer.MAX_VALUE;

    private MappedFiles() {}

    static ByteBuffer map(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            return map(channel);
        }
    }

    /** The mapping outlives the channel: closing the channel after this returns is fine. */
    static ByteBuffer map(FileChannel channel) throws IOException {
        long size = channel.size();
        if (size > MAX_FILE_BYTES) {
            throw new IOException("file of " + size + " bytes is over the " + MAX_FILE_BYTES + " byte cap");
        }
        return channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
    }
}
