package io.nodescope.decode;

import io.nodescope.event.NodeEvent;
import io.nodescope.metrics.Counter;
import io.nodescope.metrics.MetricsRegistry;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.nodescope.decode.SharedLayout.HEADER_BYTES;
import static io.nodescope.decode.SharedLayout.HEADER_KIND;
import static io.nodescope.decode.SharedLayout.HEADER_SIZE;
import static io.nodescope.decode.SharedLayout.HEADER_VERSION;

/**
 * Turns one ring record into an event through the format its header names. A record this build
 * does not understand (unknown kind, other layout version, wrong size) is counted and skipped,
 * never guessed at: a daemon older than its BPF objects must not report wrong numbers.
 */
public final class EventDecoder {
    private static final System.Logger LOG = System.getLogger("nodescope.decode");

    private final SharedStructs shared;
    private final Map<Integer, RecordFormat> formats = new HashMap<>();
    private final Counter undecodable;
    private volatile boolean warnedUndecodable;

    /** @param formats every record format of the enabled modules; kinds must be unique */
    public EventDecoder(long pageSize, MetricsRegistry metrics, List<RecordFormat> formats) {
        this.shared = new SharedStructs(pageSize);
        for (RecordFormat format : formats) {
            RecordFormat other = this.formats.putIfAbsent(format.kind(), format);
            if (other != null) {
                throw new IllegalArgumentException("record kind " + format.kind() + " claimed by both "
                        + other.name() + " and " + format.name());
            }
        }
        this.undecodable = metrics.counter("nodescope_events_undecodable_total",
                "Ring records skipped because their kind, version or size is unknown to this build");
    }

    /** The event in [offset, offset + length) of buffer (native order), or empty if undecodable. */
    public Optional<NodeEvent> decode(ByteBuffer buffer, int offset, int length) {
        RecordReader record = new RecordReader(buffer, offset, length);
        if (length < HEADER_BYTES) {
            return skip("record of " + length + " bytes is shorter than the header");
        }
        int kind = record.u16(HEADER_KIND);
        RecordFormat format = formats.get(kind);
        if (format == null) {
            return skip("unknown event kind " + kind);
        }
        int version = record.u16(HEADER_VERSION);
        long size = record.u32(HEADER_SIZE);
        if (version != format.version() || size != format.size() || record.length() < format.size()) {
            return skip(format.name() + " record version " + version + " size " + size + " (ring length "
                    + record.length() + "); this build decodes version " + format.version() + " size "
                    + format.size());
        }
        return Optional.of(format.decoder().decode(record, shared));
    }

    public long undecodableCount() {
        return undecodable.get();
    }

    private Optional<NodeEvent> skip(String why) {
        undecodable.increment();
        if (!warnedUndecodable) {
            warnedUndecodable = true;
            LOG.log(System.Logger.Level.WARNING, "skipping undecodable ring records (counted in "
                    + "nodescope_events_undecodable_total); first: {0}. Are the BPF objects from another build?", why);
        }
        return Optional.empty();
    }
}
