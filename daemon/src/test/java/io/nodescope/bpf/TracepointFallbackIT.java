package io.nodescope.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nodescope.decode.EventDecoder;
import io.nodescope.decode.PageSize;
import io.nodescope.event.NodeEvent;
import io.nodescope.module.oom.OomConstraint;
import io.nodescope.module.oom.OomKill;
import io.nodescope.event.ProbeSource;
import io.nodescope.module.exit.ProcessExit;
import io.nodescope.metrics.MetricsRegistry;
import io.nodescope.daemon.ProbeModules;
import io.nodescope.ringbuf.RecordHandler;
import java.util.Map;
import io.nodescope.ringbuf.MappedRing;
import io.nodescope.ringbuf.RingPoller;
import io.nodescope.testing.OomKilledRun;
import io.nodescope.testing.RequiresMemoryCgroup;
import io.nodescope.testing.RequiresRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The fallback programs for kernels that refuse tp_btf (classic tracepoints), loaded explicitly
 * here because this kernel would choose tp_btf, and run against a real memcg OOM kill.
 */
@RequiresRoot("loads BPF programs and causes a real memcg OOM kill")
@RequiresMemoryCgroup("causes a real memcg OOM kill")
class TracepointFallbackIT {
    private static final Path TRACEFS = Path.of("/sys/kernel/tracing");
    private static final long LIMIT_BYTES = 32L << 20;

    @Test
    void classicTracepointsReportTheKillAndTheDeath() throws Exception {
        boolean mountedHere = mountTracefsIfMissing();
        KernelProbe.Ring oomRing = new KernelProbe.Ring("oom_events", 0);
        KernelProbe.Ring exitRing = new KernelProbe.Ring("exit_events", 0);
        KernelProbe oomFallback = new KernelProbe("oom.bpf.o", Map.of(), List.of(oomRing), List.of(
                new KernelProbe.AttachGroup("OOM kills", true,
                        List.of(KernelProbe.Attachment.of(ProbeSource.TRACEPOINT, "oom_mark_victim_tp")))));
        KernelProbe exitFallback = new KernelProbe("exit.bpf.o", Map.of(), List.of(exitRing), List.of(
                new KernelProbe.AttachGroup("process exits", true,
                        List.of(KernelProbe.Attachment.of(ProbeSource.TRACEPOINT, "process_exit_tp")))));
        try (AttachedProbe oom = AttachedProbe.attach("oom", oomFallback);
             AttachedProbe exits = AttachedProbe.attach("exit", exitFallback)) {
            List<NodeEvent> events = new ArrayList<>();
            EventDecoder decoder = new EventDecoder(PageSize.ofThisKernel(), new MetricsRegistry(),
                    ProbeModules.formats(ProbeModules.all()));
            try (MappedRing kills = MappedRing.map(oomRing.map(), oom.ringFd(oomRing), oom.ringSize(oomRing));
                 MappedRing deaths = MappedRing.map(exitRing.map(), exits.ringFd(exitRing), exits.ringSize(exitRing));
                 RingPoller poller = new RingPoller()) {
                RecordHandler collect = (buffer, offset, length) ->
                        decoder.decode(buffer, offset, length).ifPresent(events::add);
                poller.add(kills, collect);
                poller.add(deaths, collect);

                OomKilledRun victim = OomKilledRun.run("nodescope-it-tp", LIMIT_BYTES);
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (exitOf(events, victim.pid()) == null && System.nanoTime() < deadline) {
                    poller.poll(100);
                }

                OomKill kill = events.stream().filter(OomKill.class::isInstance).map(OomKill.class::cast)
                        .filter(k -> k.victim().tgid() == victim.pid()).findFirst().orElseThrow();
                assertEquals(ProbeSource.TRACEPOINT, kill.source());
                assertEquals("oom-alloc", kill.victim().comm());
                assertTrue(kill.victimMemcg().isEmpty(), "the tracepoint gives no task_struct to read it from");
                assertTrue(kill.victimMemory().rssAnonBytes() > LIMIT_BYTES / 2, "rss from the tracepoint's fields");
                assertEquals(victim.pid(), kill.trigger().tgid());
                assertEquals(victim.cgroupId(), kill.trigger().memcgId());
                assertEquals(OomConstraint.MEMCG, kill.constraint());
                assertEquals(LIMIT_BYTES, kill.constrainingMemcg().orElseThrow().limitBytes());
                // The trigger is current in both attachments: its frames' files are located here too.
                assertTrue(kill.triggerUserFrameFiles().frames().getFirst().orElseThrow().file().pathInFilesystem()
                        .orElseThrow().endsWith("/oom-alloc"), kill.triggerUserFrameFiles().toString());
                // And its registers and stack for unwinding, with the mapping its pc lies in.
                long pc = kill.triggerUserState().orElseThrow().registers().rip();
                assertTrue(kill.triggerStackMappings().mappings().stream().anyMatch(mapping -> mapping.start() <= pc
                        && pc < mapping.end() && mapping.file().pathInFilesystem().orElseThrow().endsWith("/oom-alloc")),
                        kill.triggerStackMappings().toString());
                assertEquals(137, exitOf(events, victim.pid()).exitCode());
            }
        } finally {
            if (mountedHere) {
                new ProcessBuilder("umount", TRACEFS.toString()).inheritIO().start().waitFor();
            }
        }
    }

    private static ProcessExit exitOf(List<NodeEvent> events, long pid) {
        return events.stream().filter(ProcessExit.class::isInstance).map(ProcessExit.class::cast)
                .filter(exit -> exit.task().tgid() == pid).findFirst().orElse(null);
    }

    /** Classic tracepoints are found through tracefs; a fresh machine may not have it mounted. */
    private static boolean mountTracefsIfMissing() throws Exception {
        if (Files.isDirectory(TRACEFS.resolve("events"))) {
            return false;
        }
        Process mount = new ProcessBuilder("mount", "-t", "tracefs", "nodev", TRACEFS.toString()).inheritIO().start();
        assertEquals(0, mount.waitFor(), "mount tracefs at " + TRACEFS);
        return true;
    }
}
