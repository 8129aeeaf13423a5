package io.nodescope.symbol;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Which file, independent of the path and of any pid: the same libc seen from a hundred containers
 * through a hundred /proc/pid/root paths is one entry, and a file replaced in place (new mtime or
 * size) is a new one. This is what makes the caches safe under pid reuse.
 */
record FileIdentity(long device, long inode, long modifiedNanos, long size) {
    /** stat() of the path, following links (a /proc/pid/map_files entry stats as its target). */
    static FileIdentity of(Path path) throws IOException {
        Map<String, Object> stat = Files.readAttributes(path, "unix:dev,ino,lastModifiedTime,size");
        return new FileIdentity((Long) stat.get("dev"), (Long) stat.get("ino"),
                ((FileTime) stat.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS), (Long) stat.get("size"));
    }
}
