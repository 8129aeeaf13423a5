package io.nodescope.decode;

import io.nodescope.event.NodeEvent;

import java.util.Objects;

/**
 * One kind of ring record a module's BPF object writes: what the header must say for this build
 * to decode it, and how. A record whose version or size differs is skipped and counted, never
 * guessed at: a daemon older than its BPF objects must not report wrong numbers.
 *
 * @param kind    enum ns_event_kind (bpf/include/nodescope.h), unique across modules
 * @param name    for log lines ("oom kill")
 * @param version the layout version this build decodes
 * @param size    sizeof the record
 * @param type    the event type it decodes to (record/replay must have a codec for it)
 */
public record RecordFormat(int kind, String name, int version, int size, Class<? extends NodeEvent> type,
                           Decoder decoder) {
    public RecordFormat {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(decoder, "decoder");
    }

    /** Turns a checked record into its event; runs on the ring's drain thread, so it only copies. */
    @FunctionalInterface
    public interface Decoder {
        NodeEvent decode(RecordReader record, SharedStructs shared);
    }
}
