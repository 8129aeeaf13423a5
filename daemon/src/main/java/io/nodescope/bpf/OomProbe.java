package io.nodescope.bpf;

import io.nodescope.event.ProbeSource;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * bpf/oom.bpf.c loaded and attached: OOM kills (mark_victim) and fatal exits on the "oom_events"
 * ring.
 *
 * <p>Which attachment works is decided by trying, not by kernel version: tp_btf first (the
 * victim's task_struct, so its memcg; no tracefs needed), the classic tracepoint where tp_btf is
 * refused (no BTF for tracing, an LSM, an old kernel). The exit probe is wanted but not required:
 * without it OOM kills are still reported, only the moment of death is missing.
 */
public final class OomProbe implements AutoCloseable {
    public static final String RING_MAP = "oom_events";
    private static final String OBJECT_FILE = "oom.bpf.o";
    private static final String DROPS_MAP = "ring_drops";
    private static final int RING_INDEX = 0; // NS_RING_OOM in bpf/include/nodescope.h
    private static final String MARK_VICTIM_BTF = "oom_mark_victim_btf";
    private static final String MARK_VICTIM_TRACEPOINT = "oom_mark_victim_tp";
    private static final String PROCESS_EXIT_BTF = "process_exit_btf";
    private static final String PROCESS_EXIT_TRACEPOINT = "process_exit_tp";
    /** Classic tracepoints are found through tracefs; libbpf also tries debugfs's tracing/. */
    private static final Path TRACEFS = Path.of("/sys/kernel/tracing");

    private static final System.Logger LOG = System.getLogger("nodescope.bpf");

    /** One way to attach: a mark_victim program and, if any, an exit program. */
    private record Attempt(ProbeSource source, String markVictimProgram, Optional<String> exitProgram) {
        Set<String> programs() {
            Set<String> programs = new LinkedHashSet<>();
            programs.add(markVictimProgram);
            exitProgram.ifPresent(programs::add);
            return programs;
        }
    }

    /** Best first: tp_btf needs no tracefs and reads the victim's task_struct. */
    private static final List<Attempt> ATTEMPTS = attempts();

    private static List<Attempt> attempts() {
        List<Attempt> attempts = new ArrayList<>();
        List<Optional<String>> exits = List.of(Optional.of(PROCESS_EXIT_BTF), Optional.of(PROCESS_EXIT_TRACEPOINT),
                Optional.empty());
        for (Optional<String> exit : exits) {
            attempts.add(new Attempt(ProbeSource.TP_BTF, MARK_VICTIM_BTF, exit));
        }
        for (Optional<String> exit : exits) {
            attempts.add(new Attempt(ProbeSource.TRACEPOINT, MARK_VICTIM_TRACEPOINT, exit));
        }
        return List.copyOf(attempts);
    }

    private final BpfObject object;
    private final ProbeSource source;

    private OomProbe(BpfObject object, ProbeSource source) {
        this.object = object;
        this.source = source;
    }

    public static OomProbe attach() throws BpfSetupException {
        List<String> failures = new ArrayList<>();
        for (Attempt attempt : ATTEMPTS) {
            BpfObject object = BpfObject.openEmbedded(OBJECT_FILE);
            try {
                object.selectPrograms(attempt.programs());
                object.load();
                for (String program : attempt.programs()) {
                    object.attach(program);
                }
            } catch (BpfSetupException e) {
                object.close();
                failures.add(e.getMessage());
                LOG.log(System.Logger.Level.DEBUG, "OOM probe attempt {0} failed: {1}", attempt.programs(),
                        e.getMessage());
                continue;
            }
            if (!failures.isEmpty()) {
                LOG.log(System.Logger.Level.WARNING, "OOM probe fell back to {0} after: {1}",
                        attempt.programs(), String.join("; ", failures));
            }
            if (attempt.exitProgram().isEmpty()) {
                LOG.log(System.Logger.Level.WARNING,
                        "process exit probe unavailable: OOM spans will not say when the victim died");
            }
            LOG.log(System.Logger.Level.INFO, "OOM kills traced through {0} ({1})",
                    attempt.source().attributeValue(), attempt.markVictimProgram());
            return new OomProbe(object, attempt.source());
        }
        // The first failure is the most informative one: the preferred attachment's.
        String tracefsHint = Files.isDirectory(TRACEFS.resolve("events")) ? ""
                : "; tracefs is not mounted at " + TRACEFS + " (mount -t tracefs nodev " + TRACEFS + ")";
        throw new BpfSetupException(failures.getFirst() + tracefsHint);
    }

    public ProbeSource source() {
        return source;
    }

    public int ringFd() throws BpfSetupException {
        return object.mapFd(RING_MAP);
    }

    public int ringSize() throws BpfSetupException {
        return object.mapMaxEntries(RING_MAP);
    }

    /** Records the kernel could not reserve on the ring since load; -1 if the map can't be read. */
    public long kernelDrops() {
        try {
            return object.readArrayU64(DROPS_MAP, RING_INDEX);
        } catch (BpfSetupException | IllegalStateException e) {
            return -1;
        }
    }

    /** Stops new events; the ring can still be drained of what the kernel already wrote. */
    public void detach() {
        object.detachAll();
    }

    /** Detaches all programs and frees the object. */
    @Override
    public void close() {
        object.close();
    }
}
