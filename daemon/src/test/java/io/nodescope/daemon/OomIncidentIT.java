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
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
    private static final Duration SPAN_WAIT = Duration.ofSeconds(20);

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

    /** Page cache charged first (written and synced from inside the cgroup), then anonymous memory to the kill. */
    @Test
    void breakdownAtTheKillEqualsTheKernelsOwnReport(@TempDir Path directory) throws Exception {
        try (OtlpReceiver receiver = OtlpReceiver.start(Protocol.GRPC, 0);
             Daemon daemon = startDaemon(receiver.endpoint(), Protocol.GRPC, new ByteArrayOutputStream());
             MemoryCgroup cgroup = MemoryCgroup.create("nodescope-it-incident", LIMIT_BYTES)) {
            assertFalse(cgroup.isV2(), "the report lines compared are cgroup v1's");
            Path cache = directory.resolve("page-cache");
            Process victim = cgroup.start(List.of("sh", "-c",
                    "dd if=/dev/zero of=\"$0\" bs=1M count=" + PAGE_CACHE_MIB + " conv=fsync status=none"
                            + " && exec \"$1\" -t 256", cache.toString(), OomAllocBinary.path().toString()));
            victim.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            assertEquals(OomKilledRun.KILLED_BY_SIGKILL, victim.waitFor());

            ReceivedSpan received = receiver.await(span -> span.span().getName().equals("oom.kill")
                    && integer(span, "process.pid") == victim.pid(), SPAN_WAIT);
            Map<String, Long> report = KernelOomReport.memcgStats(cgroup.cgroupPath()).orElseThrow(() ->
                    new AssertionError("no kernel OOM report for " + cgroup.cgroupPath()
                            + " in dmesg (the kernel rate-limits it node-wide: other OOM kills at the same time?)"));

            assertEquals(cgroup.id(), integer(received, "nodescope.oom.stat.memcg.id"));
            V1_REPORT_TO_ATTRIBUTE.forEach((reportName, attribute) -> assertEquals(report.get(reportName),
                    integer(received, "nodescope.oom.stat." + attribute), reportName + " vs " + attribute));
            assertTrue(report.get("total_rss") > LIMIT_BYTES / 2, "anonymous memory filled the limit: " + report);
            assertTrue(report.get("total_workingset_refault_file") + report.get("total_cache") > 0,
                    "the page cache was there: " + report);
            long usage = integer(received, "nodescope.oom.memcg.usage_bytes");
            assertEquals(usage - report.get("total_inactive_file"),
                    integer(received, "nodescope.oom.stat.working_set_bytes"));
        }
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
