package io.nodescope.bpf;

import io.nodescope.event.ProbeSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a probe module puts into the kernel: its compiled object, the read-only globals to set
 * before load, its rings, and how to attach, as groups of alternatives tried best first.
 *
 * @param objectFile      the object's file name under bpf/ in the jar (bpf/&lt;module&gt;.bpf.c compiled)
 * @param readOnlyGlobals {@code const volatile} globals set before load (thresholds, filters)
 * @param rings           the object's ring buffers, each drained by the module's own thread
 * @param groups          what to attach; each group is attached through its first alternative that
 *                        loads and attaches
 */
public record KernelProbe(String objectFile, Map<String, Long> readOnlyGlobals, List<Ring> rings,
                          List<AttachGroup> groups) {
    public KernelProbe {
        Objects.requireNonNull(objectFile, "objectFile");
        readOnlyGlobals = Map.copyOf(readOnlyGlobals);
        rings = List.copyOf(rings);
        groups = List.copyOf(groups);
        if (groups.stream().noneMatch(AttachGroup::required)) {
            throw new IllegalArgumentException(objectFile + ": no required attach group");
        }
    }

    /**
     * A BPF_MAP_TYPE_RINGBUF map of the object.
     *
     * @param map      the map's name
     * @param dropSlot its slot in the object's ring_drops map (bpf/include/ring.h)
     */
    public record Ring(String map, int dropSlot) {
        public Ring {
            Objects.requireNonNull(map, "map");
        }
    }

    /**
     * One thing the module attaches, with its alternatives, best first.
     *
     * @param purpose      what it gives, for log lines ("OOM kills", "the victim's death")
     * @param required     the module cannot run without it; an optional group that cannot attach is
     *                     logged and the module runs without it
     * @param alternatives tried in order; the first that loads and attaches is kept
     */
    public record AttachGroup(String purpose, boolean required, List<Attachment> alternatives) {
        public AttachGroup {
            Objects.requireNonNull(purpose, "purpose");
            alternatives = List.copyOf(alternatives);
            if (alternatives.isEmpty()) {
                throw new IllegalArgumentException(purpose + ": no alternative");
            }
        }
    }

    /** One way to attach a group: its programs and which kind of attachment they are. */
    public record Attachment(ProbeSource source, List<Program> programs) {
        public Attachment {
            Objects.requireNonNull(source, "source");
            programs = List.copyOf(programs);
        }

        public static Attachment of(ProbeSource source, String... programs) {
            return new Attachment(source, List.of(programs).stream().<Program>map(Program.Tracing::new).toList());
        }
    }

    /** A program of the object and where it attaches. */
    public sealed interface Program {
        String name();

        /** Attached by its section's convention (tp_btf/..., raw_tp/..., tracepoint/...). */
        record Tracing(String name) implements Program {}

        /**
         * A uprobe at a file offset (an instruction chosen so the kernel emulates it rather than
         * single-stepping it), for every process that maps the file.
         */
        record Uprobe(String name, Path file, long fileOffset) implements Program {}
    }
}
