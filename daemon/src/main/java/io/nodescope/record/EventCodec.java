package io.nodescope.record;

import com.google.protobuf.InvalidProtocolBufferException;
import io.nodescope.event.NodeEvent;
import io.nodescope.proto.v1.Event;

/**
 * How one module's event type is written to a recording and read back: its case of the
 * {@code nodescope.v1.Event} oneof, field for field (the shared parts through {@link SharedProtos}).
 */
public interface EventCodec<E extends NodeEvent> {
    Class<E> type();

    /** The oneof case this event type owns. */
    Event.KindCase kind();

    void write(E event, Event.Builder builder);

    /**
     * @throws InvalidProtocolBufferException when a field holds a value no writer of this format
     *                                        produces, so the record cannot be trusted
     */
    E read(Event event) throws InvalidProtocolBufferException;
}
