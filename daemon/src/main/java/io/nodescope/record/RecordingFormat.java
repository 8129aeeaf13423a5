package io.nodescope.record;

import io.nodescope.proto.v1.RecordingHeader;

/** What makes a file a nodescope recording, shared by the writer and the reader. */
final class RecordingFormat {
    static final String FORMAT = "nodescope.v1.events";
    static final int VERSION = 1;

    /**
     * The largest record a reader accepts. The largest real event, an OOM kill with two full
     * 127-frame stacks, is about 3 KiB; a length near this bound means a corrupt or foreign file,
     * and checking it before allocating keeps a hostile length prefix from costing gigabytes.
     */
    static final int MAX_RECORD_BYTES = 1 << 20;

    private RecordingFormat() {}

    static RecordingHeader header(String hostname, String kernelRelease, long bootToWallOffsetNanos) {
        return RecordingHeader.newBuilder()
                .setFormat(FORMAT)
                .setVersion(VERSION)
                .setHostname(hostname)
                .setKernelRelease(kernelRelease)
                .setBootToWallOffsetNanos(bootToWallOffsetNanos)
                .build();
    }
}
