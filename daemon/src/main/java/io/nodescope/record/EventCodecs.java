package io.nodescope.record;

import com.google.protobuf.InvalidProtocolBufferException;
import io.nodescope.event.NodeEvent;
import io.nodescope.proto.v1.Event;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every module's {@link EventCodec}, looked up by event type (recording) and oneof case (replay). */
public final class EventCodecs {
    private final Map<Class<?>, EventCodec<?>> byType = new HashMap<>();
    private final Map<Event.KindCase, EventCodec<?>> byKind = new EnumMap<>(Event.KindCase.class);

    public EventCodecs(List<EventCodec<?>> codecs) {
        for (EventCodec<?> codec : codecs) {
            if (codec.kind() == Event.KindCase.KIND_NOT_SET) {
                throw new IllegalArgumentException(codec.type().getSimpleName() + " claims no Event case");
            }
            if (byType.put(codec.type(), codec) != null || byKind.put(codec.kind(), codec) != null) {
                throw new IllegalArgumentException("two codecs for " + codec.type().getSimpleName() + " or "
                        + codec.kind());
            }
        }
    }

    /** @throws IllegalArgumentException for an event type no module registered a codec for (a bug) */
    Event toProto(NodeEvent event) {
        EventCodec<?> codec = byType.get(event.getClass());
        if (codec == null) {
            throw new IllegalArgumentException("no recording codec for " + event.getClass().getName());
        }
        Event.Builder builder = Event.newBuilder();
        write(codec, event, builder);
        return builder.build();
    }

    private static <E extends NodeEvent> void write(EventCodec<E> codec, NodeEvent event, Event.Builder builder) {
        codec.write(codec.type().cast(event), builder);
    }

    /**
     * The event an {@link Event} carries; empty when its kind is one this build does not decode (a
     * newer writer's event type arrives as an unknown field and leaves the oneof unset; a module
     * left out of this build has no codec).
     */
    Optional<NodeEvent> fromProto(Event event) throws InvalidProtocolBufferException {
        EventCodec<?> codec = byKind.get(event.getKindCase());
        return codec == null ? Optional.empty() : Optional.of(codec.read(event));
    }

    /** Whether recordings of this event type can be written (the coverage test asks). */
    public boolean covers(Class<? extends NodeEvent> type) {
        return byType.containsKey(type);
    }
}
