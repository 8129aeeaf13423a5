package io.nodescope.ringbuf;

import java.nio.ByteBuffer;

/** Receives one committed record; buffer is native-order, the record is at [offset, offset+length) and valid only during the call. */
@FunctionalInterface
public interface RecordHandler {
    void onRecord(ByteBuffer buffer, int offset, int length);
}
