package io.nodescope.bpf;

import io.nodescope.event.ProbeSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A probe module's object loaded and attached as its {@link KernelProbe} says.
 *
 * <p>Which alternative of each group works is decided by trying, not by kernel version: the
 * first alternative of every group is tried together (one load: the common case); when that
 * fails, each group's alternatives are tried alone to find the first that loads and attaches,
 * and the object is loaded once more with the choices. A required group that cannot attach
 * fails the module with the preferred alternative's error, the most informative one.
 */
public final class AttachedProbe implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("nodescope.bpf");
    /** Classic tracepoints are found through tracefs; libbpf also tries debugfs's tracing/. */
    private static final Path TRACEFS = Path.of("/sys/kernel/tracing");
    private static final String DROPS_MAP = "ring_drops";

    private final BpfObject object;
    private final Map<KernelProbe.AttachGroup, ProbeSource> attached;

    private AttachedProbe(BpfObject object, Map<KernelProbe.AttachGroup, ProbeSource> attached) {
        this.object = object;
        this.attached = attached;
    }

    /** @param module the module's name, for log lines */
    public static AttachedProbe attach(String module, KernelProbe probe) throws BpfSetupException {
        List<KernelProbe.AttachGroup> groups = probe.groups();
        Map<KernelProbe.AttachGroup, KernelProbe.Attachment> preferred = new LinkedHashMap<>();
        groups.forEach(group -> preferred.put(group, group.alternatives().getFirst()));
        try {
            return new AttachedProbe(loadAndAttach(probe, preferred), sources(preferred));
        } catch (BpfSetupException preferredFailed) {
            if (groups.stream().allMatch(group -> group.required() && group.alternatives().size() == 1)) {
                throw preferredFailed; // nothing else to try
            }
            LOG.log(System.Logger.Level.DEBUG, "{0}: preferred attachments failed ({1}); trying each group's "
                    + "alternatives", module, preferredFailed.getMessage());
        }
        Map<KernelProbe.AttachGroup, KernelProbe.Attachment> chosen = new LinkedHashMap<>();
        for (KernelProbe.AttachGroup group : groups) {
            firstWorking(module, probe, group).ifPresent(attachment -> chosen.put(group, attachment));
        }
        return new AttachedProbe(loadAndAttach(probe, chosen), sources(chosen));
    }

    private static Optional<KernelProbe.Attachment> firstWorking(String module, KernelProbe probe,
                                                                 KernelProbe.AttachGroup group)
            throws BpfSetupException {
        List<String> failures = new ArrayList<>();
        for (KernelProbe.Attachment attachment : group.alternatives()) {
            try (BpfObject trial = loadAndAttach(probe, Map.of(group, attachment))) {
                if (!failures.isEmpty()) {
                    LOG.log(System.Logger.Level.WARNING, "{0}: {1} fell back to {2} after: {3}", module,
                            group.purpose(), attachment.source().attributeValue(), String.join("; ", failures));
                }
                return Optional.of(attachment);
            } catch (BpfSetupException e) {
                failures.add(e.getMessage());
            }
        }
        if (group.required()) {
            boolean triedTracepoints = group.alternatives().stream()
                    .anyMatch(attachment -> attachment.source() == ProbeSource.TRACEPOINT);
            String tracefsHint = !triedTracepoints || Files.isDirectory(TRACEFS.resolve("events")) ? ""
                    : "; tracefs is not mounted at " + TRACEFS + " (mount -t tracefs nodev " + TRACEFS + ")";
            throw new BpfSetupException(failures.getFirst() + tracefsHint);
        }
        LOG.log(System.Logger.Level.WARNING, "{0}: {1} unavailable ({2})", module, group.purpose(),
                failures.getFirst());
        return Optional.empty();
    }

    private static BpfObject loadAndAttach(KernelProbe probe, Map<KernelProbe.AttachGroup,
            KernelProbe.Attachment> attachments) throws BpfSetupException {
        BpfObject object = BpfObject.openEmbedded(probe.objectFile());
        try {
            Set<String> programs = new LinkedHashSet<>();
            attachments.values().forEach(a -> a.programs().forEach(p -> programs.add(p.name())));
            object.selectPrograms(programs);
            for (Map.Entry<String, Long> global : probe.readOnlyGlobals().entrySet()) {
                object.setReadOnlyGlobal(global.getKey(), global.getValue());
            }
            object.load();
            for (KernelProbe.Attachment attachment : attachments.values()) {
                for (KernelProbe.Program program : attachment.programs()) {
                    switch (program) {
                        case KernelProbe.Program.Tracing tracing -> object.attach(tracing.name());
                        case KernelProbe.Program.Uprobe uprobe ->
                                object.attachUprobe(uprobe.name(), uprobe.file(), uprobe.fileOffset(), -1);
                    }
                }
            }
            return object;
        } catch (BpfSetupException | RuntimeException e) {
            object.close();
            throw e;
        }
    }

    private static Map<KernelProbe.AttachGroup, ProbeSource> sources(
            Map<KernelProbe.AttachGroup, KernelProbe.Attachment> attachments) {
        Map<KernelProbe.AttachGroup, ProbeSource> sources = new LinkedHashMap<>();
        attachments.forEach((group, attachment) -> sources.put(group, attachment.source()));
        return sources;
    }

    /** How a group was attached; empty for an optional group that could not be. */
    public Optional<ProbeSource> source(KernelProbe.AttachGroup group) {
        return Optional.ofNullable(attached.get(group));
    }

    public int ringFd(KernelProbe.Ring ring) throws BpfSetupException {
        return object.mapFd(ring.map());
    }

    public int ringSize(KernelProbe.Ring ring) throws BpfSetupException {
        return object.mapMaxEntries(ring.map());
    }

    /** Records the kernel could not reserve on the ring since load; -1 if the map can't be read. */
    public long kernelDrops(KernelProbe.Ring ring) {
        try {
            return object.readArrayU64(DROPS_MAP, ring.dropSlot());
        } catch (BpfSetupException | IllegalStateException e) {
            return -1;
        }
    }

    /** A u64 slot of one of the object's array maps (a counter the module keeps in the kernel). */
    public long readCounter(String arrayMap, int index) throws BpfSetupException {
        return object.readArrayU64(arrayMap, index);
    }

    /** Stops new events; the rings can still be drained of what the kernel already wrote. */
    public void detach() {
        object.detachAll();
    }

    /** Detaches all programs and frees the object. */
    @Override
    public void close() {
        object.close();
    }
}
