package io.nodescope.daemon;

import static io.nodescope.daemon.OomSpanIT.integer;
import static io.nodescope.daemon.OomSpanIT.oomKillOf;
import static io.nodescope.daemon.OomSpanIT.startDaemon;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nodescope.testing.KernelOomReport;
import io.nodescope.testing.MemoryCgroup;
import io.nodescope.testing.MemoryHierarchy;
import io.nodescope.testing.OomAllocBinary;
import io.nodescope.testing.OomKilledRun;
import io.nodescope.testing.OtlpReceiver;
import io.nodescope.testing.OtlpReceiver.Protocol;
import io.nodescope.testing.OtlpReceiver.ReceivedSpan;
import io.nodescope.testing.RequiresMemoryCgroup;
import io.nodescope.testing.RequiresRoot;
import io.opentelemetry.proto.common.v1.AnyValue;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the memcg held when the kernel decided to kill, on the real kernel: the breakdown on the
 * span against the kernel's own OOM report for the same kill.
 */
@RequiresRoot("loads BPF programs, causes real memcg OOM kills and reads the kernel log")
@RequiresMemoryCgroup("causes real memcg OOM kills")
class OomIncidentIT {
    private static final long LIMIT_BYTES = 64L << 20;
    private static final int PAGE_CACHE_MIB = 48;
    private static final long HISTORY_LIMIT_BYTES = 160L << 20;
    private static final Duration SPAN_WAIT = Duration.ofSeconds(20);
    private static final int REPORT_ATTEMPTS = 5;
    /** The kernel's oom_rs: DEFAULT_RATELIMIT_INTERVAL. */
    private static final Duration REPORT_RATE_LIMIT_INTERVAL = Duration.ofSeconds(5);

    /**
     * The v1 report's hierarchical ("total_") lines and the span attribute each must equal. The
     * v1 report prints no kernel, slab, sock or page table lines: those are not checked here.
     */
    private static final Map<String, String> V1_REPORT_TO_ATTRIBUTE = Map.ofEntries(
            Map.entry("total_rss", "anon_bytes"),
            Map.entry("total_cache", "file_bytes"),
            Map.entry("total_rss_huge", "anon_thp_bytes"),
            Map.entry("total_shmem", "shmem_bytes"),
            Map.entry("total_mapped_file", "file_mapped_bytes"),
            Map.entry("total_dirty", "file_dirty_bytes"),
            Map.entry("total_writeback", "file_writeback_bytes"),
            Map.entry("total_inactive_anon", "inactive_anon_bytes"),
            Map.entry("total_active_anon", "active_anon_bytes"),
            Map.entry("total_inactive_file", "inactive_file_bytes"),
            Map.entry("total_active_file", "active_file_bytes"),
            Map.entry("total_unevictable", "unevictable_bytes"),
            Map.entry("total_workingset_refault_anon", "workingset_refault_anon"),
            Map.entry("total_workingset_refault_file", "workingset_refault_file"));

    /**
     * Page cache charged first (written and synced from inside the cgroup), then anonymous memory
     * to the kill. The kernel prints its report for at most 10 kills in 5 s node-wide, and other
     * tests on this machine cause kill storms: a kill it did not report is tried again.
     */
    @Test
    void breakdownAtTheKillEqualsTheKernelsOwnReport(@TempDir Path directory) throws Exception {
        try (OtlpReceiver receiver = OtlpReceiver.start(Protocol.GRPC, 0);
             Daemon daemon = startDaemon(receiver.endpoint(), Protocol.GRPC, new ByteArrayOutputStream())) {
            for (int attempt = 1; ; attempt++) {
                try (MemoryCgroup cgroup = MemoryCgroup.create("nodescope-it-incident", LIMIT_BYTES)) {
                    assertFalse(cgroup.isV2(), "the report lines compared are cgroup v1's");
                    // A new file each attempt: pages already cached stay charged to the cgroup that read them first.
                    Path cache = directory.resolve("page-cache-" + attempt);
                    Process victim = cgroup.start(List.of("sh", "-c",
                            "dd if=/dev/zero of=\"$0\" bs=1M count=" + PAGE_CACHE_MIB + " conv=fsync status=none"
                                    + " && grep '^cache ' \"$2/memory.stat\" && exec \"$1\" -t 256",
                            cache.toString(), OomAllocBinary.path().toString(), cgroup.path().toString()));
                    String output = new String(victim.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    long cachedBeforeAnon = Long.parseLong(output.lines().filter(line -> line.startsWith("cache "))
                            .findFirst().orElseThrow(() -> new AssertionError(output)).substring("cache ".length()));
                    assertTrue(cachedBeforeAnon >= (PAGE_CACHE_MIB - 4L) << 20, "filled with page cache first: " + output);
                    assertEquals(OomKilledRun.KILLED_BY_SIGKILL, victim.waitFor());
                    Files.delete(cache);
                    Optional<Map<String, Long>> report = KernelOomReport.memcgStats(cgroup.cgroupPath());
                    if (report.isEmpty() && attempt < REPORT_ATTEMPTS) {
                        Thread.sleep(REPORT_RATE_LIMIT_INTERVAL.toMillis());
                        continue;
                    }
                    assertBreakdownIsTheReport(report.orElseThrow(() -> new AssertionError("the kernel printed no OOM "
                            + "report for " + REPORT_ATTEMPTS + " kills in a row (rate limited by other kills?)")),
                            receiver.await(span -> span.span().getName().equals("oom.kill")
                                    && integer(span, "process.pid") == victim.pid(), SPAN_WAIT), cgroup.id());
                    return;
                }
            }
        }
    }

    private static void assertBreakdownIsTheReport(Map<String, Long> report, ReceivedSpan received, long cgroupId) {
        assertEquals(cgroupId, integer(received, "nodescope.oom.stat.memcg.id"));
        V1_REPORT_TO_ATTRIBUTE.forEach((reportName, attribute) -> assertEquals(report.get(reportName),
                integer(received, "nodescope.oom.stat." + attribute), reportName + " vs " + attribute));
        assertTrue(report.get("total_rss") > LIMIT_BYTES / 2, "anonymous memory filled the limit: " + report);
        assertTrue(report.get("total_cache") < LIMIT_BYTES / 4, "the page cache was reclaimed for the anon: " + report);
        long usage = integer(received, "nodescope.oom.memcg.usage_bytes");
        assertEquals(usage - report.get("total_inactive_file"),
                integer(received, "nodescope.oom.stat.working_set_bytes"));
    }

    /** 1 MiB every 100 ms after a 3 s pause, to a 160 MiB limit: about 16 s of steady growth. */
    @Test
    void aSlowLeakToTheKillIsALeakAndTheHistoryShowsTheRamp() throws Exception {
        ReceivedSpan received = killWithHistory("nodescope-it-leak", List.of("-p", "3", "-c", "1", "-i", "100"));

        String verdict = string(received, "nodescope.oom.verdict");
        assertTrue(verdict.startsWith("leak: anon grew ~"), verdict);
        assertEquals("anon", string(received, "nodescope.oom.fastest_growing"));
        List<Long> usage = longs(received, "nodescope.oom.history.usage_bytes");
        List<Long> offsets = longs(received, "nodescope.oom.history.offset_ms");
        assertEquals(usage.size(), offsets.size());
        assertEquals(0, offsets.getLast(), "the kill's own counters come last");
        // Sampled every second (densely from 80%): ten or more points on the way up, each higher.
        List<Long> ramp = usage.subList(usage.size() - 10, usage.size());
        for (int i = 1; i < ramp.size(); i++) {
            assertTrue(ramp.get(i) > ramp.get(i - 1), "the ramp rises: " + usage);
        }
        assertTrue(usage.getFirst() < HISTORY_LIMIT_BYTES / 10, "the history starts before the leak: " + usage);
        List<Long> crossed = received.span().getEventsList().stream()
                .filter(event -> event.getName().equals("memcg.usage_crossed"))
                .map(event -> event.getAttributesList().getFirst().getValue().getIntValue()).toList();
        assertEquals(List.of(80L, 90L, 95L), crossed, "crossings in time order");
        assertTrue(received.span().getEventsList().getFirst().getTimeUnixNano() < received.span().getStartTimeUnixNano(),
                "the crossings came before the kill");
    }

    /** The same limit filled as fast as the process can touch pages, after the same pause. */
    @Test
    void aFastSpikeToTheKillIsASpike() throws Exception {
        ReceivedSpan received = killWithHistory("nodescope-it-spike", List.of("-p", "3"));

        String verdict = string(received, "nodescope.oom.verdict");
        assertTrue(verdict.startsWith("spike: +1"), verdict); // +15x.x MiB
        assertTrue(verdict.endsWith("(mostly anon)"), verdict);
        List<Long> usage = longs(received, "nodescope.oom.history.usage_bytes");
        assertTrue(usage.get(usage.size() - 2) < HISTORY_LIMIT_BYTES / 10, "flat until the spike: " + usage);
    }

    private ReceivedSpan killWithHistory(String cgroupPrefix, List<String> allocatorArguments) throws Exception {
        try (OtlpReceiver receiver = OtlpReceiver.start(Protocol.GRPC, 0);
             Daemon daemon = startDaemon(receiver.endpoint(), Protocol.GRPC, new ByteArrayOutputStream(),
                     ProbeModules.all(), List.of("--oom-history-interval=1s", "--oom-history-discovery-interval=1s"));
             MemoryCgroup cgroup = MemoryCgroup.create(cgroupPrefix, HISTORY_LIMIT_BYTES)) {
            List<String> command = new ArrayList<>(List.of(OomAllocBinary.path().toString(), "-t", "1024"));
            command.addAll(allocatorArguments);
            Process victim = cgroup.start(command);
            String output = new String(victim.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(OomKilledRun.KILLED_BY_SIGKILL, victim.waitFor(), output);
            return receiver.await(span -> span.span().getName().equals("oom.kill")
                    && integer(span, "process.pid") == victim.pid(), SPAN_WAIT);
        }
    }

    private static String string(ReceivedSpan span, String key) {
        return span.attribute(key).orElseThrow(() -> new AssertionError("no " + key)).getStringValue();
    }

    private static List<Long> longs(ReceivedSpan span, String key) {
        return span.attribute(key).orElseThrow(() -> new AssertionError("no " + key)).getArrayValue()
                .getValuesList().stream().map(AnyValue::getIntValue).toList();
    }

    /**
     * The cgroup is gone within milliseconds of the kill (OomKilledRun removes it as soon as the
     * victim is reaped), before the span is looked at: the counters were read in the kernel at the kill.
     */
    @Test
    void aCgroupRemovedRightAfterItsKillStillHasItsBreakdown() throws Exception {
        try (OtlpReceiver receiver = OtlpReceiver.start(Protocol.GRPC, 0);
             Daemon daemon = startDaemon(receiver.endpoint(), Protocol.GRPC, new ByteArrayOutputStream())) {
            OomKilledRun victim = OomKilledRun.run("nodescope-it-removed", 32L << 20);
            assertEquals(OomKilledRun.KILLED_BY_SIGKILL, victim.exitValue(), victim.output());
            Path root = MemoryHierarchy.find(MemoryHierarchy.CGROUP_MOUNT).orElseThrow().root();
            assertFalse(Files.exists(root.resolve(victim.cgroupPath().substring(1))), "the cgroup is removed");

            ReceivedSpan received = receiver.await(oomKillOf(victim), SPAN_WAIT);

            assertEquals(victim.cgroupId(), integer(received, "nodescope.oom.stat.memcg.id"));
            assertTrue(integer(received, "nodescope.oom.stat.anon_bytes") > (32L << 20) / 2);
            assertTrue(integer(received, "nodescope.oom.stat.working_set_bytes") > (32L << 20) / 2);
        }
    }
}
