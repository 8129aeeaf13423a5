package io.nodescope.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nodescope.config.ConfigLoader;
import io.nodescope.config.NodescopeConfig;
import io.nodescope.export.ExportSetup;
import io.nodescope.proc.IdentitySettings;
import io.nodescope.testing.CgroupTree;
import io.nodescope.testing.KubeletCgroups;
import io.nodescope.testing.LibcDebugFile;
import io.nodescope.testing.MemoryCgroup;
import io.nodescope.testing.MemoryHierarchy;
import io.nodescope.testing.MemsetTriggerBinary;
import io.nodescope.testing.NeighbourKill;
import io.nodescope.testing.OomAllocBinary;
import io.nodescope.testing.OomKilledRun;
import io.nodescope.testing.OtlpReceiver;
import io.nodescope.testing.OtlpReceiver.Protocol;
import io.nodescope.testing.OtlpReceiver.ReceivedSpan;
import io.nodescope.testing.RequiresMemoryCgroup;
import io.nodescope.testing.RequiresRoot;
import io.opentelemetry.proto.common.v1.AnyValue;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import io.nodescope.testing.Commands;
import io.nodescope.testing.MemsetTriggerBinary;
import io.nodescope.module.ProbeModule;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The whole path on the real kernel: BPF programs attached, a real memcg OOM kill, the span
 * received over real OTLP on loopback and decoded with the official protobuf classes.
 */
@RequiresRoot("loads BPF programs and causes a real memcg OOM kill")
@RequiresMemoryCgroup("causes a real memcg OOM kill")
class OomSpanIT {
    private static final long LIMIT_BYTES = 32L << 20;
    private static final Duration SPAN_WAIT = Duration.ofSeconds(20);
    private static final String NODE_NAME = "node-it";

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void oomKillArrivesAsOneSpanOverOtlp(Protocol protocol) throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (OtlpReceiver receiver = OtlpReceiver.start(protocol, 0);
             Daemon daemon = startDaemon(receiver.endpoint(), protocol, console)) {
            long testStartNanos = epochNanosNow();
            OomKilledRun victim = OomKilledRun.run("nodescope-it", LIMIT_BYTES);
            assertEquals(OomKilledRun.KILLED_BY_SIGKILL, victim.exitValue(), victim.output());

            ReceivedSpan received = receiver.await(oomKillOf(victim), SPAN_WAIT);

            assertEquals("oom-alloc", string(received, "process.executable.name"));
            assertEquals(victim.pid(), integer(received, "thread.id"));
            // oom-alloc faulted its own pages in: it is the trigger as well as the victim.
            assertEquals(victim.pid(), integer(received, "nodescope.oom.trigger.pid"));
            assertEquals("oom-alloc", string(received, "nodescope.oom.trigger.comm"));
            assertEquals(victim.cgroupId(), integer(received, "nodescope.oom.trigger.memcg.id"));
            assertEquals("memcg", string(received, "nodescope.oom.constraint"));
            assertEquals("tp_btf", string(received, "nodescope.probe"));
            assertEquals(victim.cgroupId(), integer(received, "nodescope.memcg.id"));
            assertEquals(victim.cgroupPath(), string(received, "nodescope.memcg.path"));
            assertEquals(LIMIT_BYTES, integer(received, "nodescope.memcg.limit_bytes"));
            assertEquals(LIMIT_BYTES, integer(received, "nodescope.oom.memcg.limit_bytes"));
            assertTrue(integer(received, "nodescope.memcg.usage_bytes") > LIMIT_BYTES - (4 << 20));
            assertTrue(integer(received, "nodescope.oom.victim.rss_anon_bytes") > LIMIT_BYTES / 2);
            assertTrue(received.attribute("nodescope.oom.victim.exit_seen").orElseThrow().getBoolValue());
            assertEquals(137, integer(received, "process.exit.code"));
            assertEquals(9, integer(received, "nodescope.oom.victim.exit_signal"));
            // The victim is its own trigger here and is gone (reaped by this JVM) within
            // milliseconds, usually before /proc/pid/maps could be read: its frames are named from
            // the files the kernel located them in at the kill.
            List<String> userStack = strings(received, "nodescope.oom.trigger.user_stack");
            assertTrue(userStack.getFirst().startsWith("touch_pages+0x"), userStack.toString());
            assertTrue(userStack.stream().anyMatch(frame -> frame.startsWith("allocate_chunks+0x")
                    && frame.contains("/oom-alloc+0x") && frame.contains("oom-alloc.c:")), userStack.toString());
            assertTrue(userStack.stream().anyMatch(frame -> frame.startsWith("main+0x")), userStack.toString());
            assertTrue(userStack.stream().anyMatch(frame -> frame.contains("libc.so.6+0x")), userStack.toString());
            // The kernel's side, named from kallsyms: the page fault that charged the memcg and ran the OOM killer.
            List<String> kernelStack = strings(received, "nodescope.oom.trigger.kernel_stack");
            assertTrue(kernelStack.stream().anyMatch(frame -> frame.startsWith("mem_cgroup_out_of_memory+0x")),
                    kernelStack.toString());
            assertTrue(kernelStack.stream().anyMatch(frame -> frame.startsWith("handle_mm_fault+0x")),
                    kernelStack.toString());
            assertTrue(string(received, "code.stacktrace").startsWith(kernelStack.getFirst()));
            // Where the event happened, not inside the tracer: its BPF program and bpf_trace_run* are left out.
            assertTrue(kernelStack.getFirst().startsWith("mark_oom_victim+0x"), kernelStack.toString());
            assertTrue(kernelStack.stream().noneMatch(frame -> frame.contains("bpf") || frame.startsWith("_einittext")),
                    kernelStack.toString());

            // Wall-clock times from the kernel's boot clock: inside the test's window, death after the mark.
            long start = received.span().getStartTimeUnixNano();
            long end = received.span().getEndTimeUnixNano();
            assertTrue(start >= testStartNanos && end <= epochNanosNow(), "span times within the test");
            assertTrue(end >= start && end - start < Duration.ofSeconds(5).toNanos(), "victim died after the mark");

            assertEquals(victim.cgroupPath(), received.resourceAttribute("nodescope.cgroup.path").orElseThrow()
                    .getStringValue());
            // The workload's service, not the daemon's: without Kubernetes, "unknown_service:" + its name.
            assertEquals("unknown_service:oom-alloc",
                    received.resourceAttribute("service.name").orElseThrow().getStringValue());
            // The terminal output was turned on next to OTLP and shows the same kill.
            awaitContains(console, "OOM killer killed oom-alloc (pid " + victim.pid() + ")");
        }
    }

    /**
     * The kill the issue is about on a busy node: one process allocates (the trigger), the OOM
     * killer picks another, bigger one (the victim). The trigger lives on, so its user stack is
     * named from its own binary: the frames of the code that asked for the memory.
     */
    @Test
    void killOfAnotherProcessNamesTheLivingTriggersFrames() throws Exception {
        try (OtlpReceiver receiver = OtlpReceiver.start(Protocol.GRPC, 0);
             Daemon daemon = startDaemon(receiver.endpoint(), Protocol.GRPC, new ByteArrayOutputStream());
             MemoryCgroup cgroup = MemoryCgroup.create("nodescope-it-trigger", LIMIT_BYTES)) {
            NeighbourKill kill = NeighbourKill.start(cgroup::start, OomAllocBinary.path().toString());
            Process hog = kill.hog();
            Process trigger = kill.trigger();

            assertEquals(OomKilledRun.KILLED_BY_SIGKILL, hog.waitFor());
            ReceivedSpan received = receiver.await(span -> span.span().getName().equals("oom.kill")
                    && integer(span, "process.pid") == hog.pid(), SPAN_WAIT);

            assertEquals(trigger.pid(), integer(received, "nodescope.oom.trigger.pid"));
            assertEquals(1000, integer(received, "nodescope.oom.victim.oom_score_adj"));
            List<String> userStack = strings(received, "nodescope.oom.trigger.user_stack");
            assertTrue(userStack.getFirst().startsWith("touch_pages+0x"), userStack.toString());
            assertTrue(userStack.stream().anyMatch(frame -> frame.startsWith("allocate_chunks+0x")
                    && frame.contains("oom-alloc+0x")), userStack.toString());
            assertTrue(userStack.stream().anyMatch(frame -> frame.startsWith("run_workload+0x")), userStack.toString());
            assertTrue(userStack.stream().anyMatch(frame -> frame.startsWith("main+0x")), userStack.toString());
            assertTrue(string(received, "code.stacktrace").contains("\ntouch_pages+0x"));
            assertEquals(0, trigger.waitFor(), "the trigger finished its allocation after the victim died");
        }
    }

    /**
     * A trigger without frame pointers (-O2 -fomit-frame-pointer) killed while libc's memset, a
     * leaf without a frame, faults its pages in; it is its own victim, gone within milliseconds.
     * Only call frame information unwinds this stack: through the mappings the kernel recorded at
     * the kill, the span names memset's whole caller chain down to the thread's first frame.
     */
    @Test
    void triggerWithoutFramePointersKilledInMemsetIsUnwoundToItsFirstFrame() throws Exception {
        try (OtlpReceiver receiver = OtlpReceiver.start(Protocol.GRPC, 0);
             Daemon daemon = startDaemon(receiver.endpoint(), Protocol.GRPC, new ByteArrayOutputStream());
             MemoryCgroup cgroup = MemoryCgroup.create("nodescope-it-memset", LIMIT_BYTES)) {
            Process trigger = cgroup.start(List.of(MemsetTriggerBinary.path().toString(), "256"));
            assertEquals(OomKilledRun.KILLED_BY_SIGKILL, trigger.waitFor());
            ReceivedSpan received = receiver.await(span -> span.span().getName().equals("oom.kill")
                    && integer(span, "process.pid") == trigger.pid(), SPAN_WAIT);

            assertEquals(trigger.pid(), integer(received, "nodescope.oom.trigger.pid"));
            assertMemsetCallerChain(received);
        }
    }

    /** The same binary as a living trigger: the OOM killer picks a neighbour, the trigger lives on. */
    @Test
    void livingTriggerWithoutFramePointersIsUnwoundFromMemset() throws Exception {
        try (OtlpReceiver receiver = OtlpReceiver.start(Protocol.GRPC, 0);
             Daemon daemon = startDaemon(receiver.endpoint(), Protocol.GRPC, new ByteArrayOutputStream());
             MemoryCgroup cgroup = MemoryCgroup.create("nodescope-it-memset-living", LIMIT_BYTES)) {
            NeighbourKill kill = NeighbourKill.start(cgroup::start, OomAllocBinary.path().toString(),
                    List.of(MemsetTriggerBinary.path().toString(), "16", "2"));
            Process hog = kill.hog();
            Process trigger = kill.trigger();

            assertEquals(OomKilledRun.KILLED_BY_SIGKILL, hog.waitFor());
            ReceivedSpan received = receiver.await(span -> span.span().getName().equals("oom.kill")
                    && integer(span, "process.pid") == hog.pid(), SPAN_WAIT);

            assertEquals(trigger.pid(), integer(received, "nodescope.oom.trigger.pid"));
            assertMemsetCallerChain(received);
            assertEquals(0, trigger.waitFor(), "the trigger finished its allocation after the victim died");
        }
    }

    /** The address of every instruction that follows a call: where a call returns to. */
    private static Set<Long> returnAddresses(Path binary) {
        List<String> lines = Commands.run(binary.getParent(), Map.of(),
                List.of("objdump", "-d", "--no-show-raw-insn", binary.toString())).lines().toList();
        Set<Long> afterCalls = new HashSet<>();
        boolean previousWasCall = false;
        for (String line : lines) {
            java.util.regex.Matcher instruction = INSTRUCTION.matcher(line);
            if (!instruction.matches()) {
                continue;
            }
            if (previousWasCall) {
                afterCalls.add(Long.parseLong(instruction.group(1), 16));
            }
            previousWasCall = instruction.group(2).startsWith("call");
        }
        return afterCalls;
    }

    private static final java.util.regex.Pattern INSTRUCTION =
            java.util.regex.Pattern.compile("^\\s*([0-9a-f]+):\\s+(\\S+).*");

    /** The module offset a frame line shows: "function+0x12 (/path/file+0x1234) file.c:48". */
    private static long moduleOffset(String frameLine) {
        int start = frameLine.indexOf('(');
        int plus = frameLine.indexOf("+0x", start);
        return Long.decode(frameLine.substring(plus + 1, frameLine.indexOf(')', plus)));
    }

    /** memset (in libc), then memset-trigger's own functions, then libc's start code and _start. */
    private static void assertMemsetCallerChain(ReceivedSpan received) {
        List<String> userStack = strings(received, "nodescope.oom.trigger.user_stack");
        List<String> functions = userStack.stream().map(frame -> frame.substring(0, Math.max(0, frame.indexOf("+0x"))))
                .toList();
        assertTrue(userStack.getFirst().contains("/libc.so.6+0x"), userStack.toString());
        int main = functions.indexOf("main");
        assertTrue(main == 3, "memset, its two callers, main: " + userStack);
        assertEquals(List.of("fill_chunk", "grow_heap", "main"), functions.subList(1, 4), userStack.toString());
        assertTrue(userStack.get(1).contains("memset-trigger.c:"), userStack.toString());
        assertTrue(userStack.get(main + 1).contains("/libc.so.6+0x"), userStack.toString());
        assertEquals("_start", functions.getLast(), "unwound to the thread's first frame: " + userStack);
        if (LibcDebugFile.onHost()) {
            // libc's local functions have names only in its debug file (libc6-dbg).
            assertTrue(functions.getFirst().contains("memset"), userStack.toString());
            assertEquals("__libc_start_call_main", functions.get(main + 1), userStack.toString());
        }
        // The addresses beside the frames are the unwound ones: the pc, then one return address per frame.
        List<String> addresses = strings(received, "nodescope.oom.trigger.user_stack.addresses");
        assertEquals(userStack.size(), addresses.size());
        // A caller's line shows its return address (it is named by the byte before it, the call):
        // the instruction right after a call in objdump's disassembly of memset-trigger.
        Set<Long> afterCalls = returnAddresses(MemsetTriggerBinary.path());
        for (int frame = 1; frame <= 3; frame++) {
            assertTrue(afterCalls.contains(moduleOffset(userStack.get(frame))), userStack.get(frame));
        }
        assertTrue(string(received, "code.stacktrace").contains("\nfill_chunk+0x"));
    }

    /**
     * A kill inside a cgroup laid out as the kubelet's systemd driver and containerd lay out a
     * Burstable pod's container: the span's Resource names that pod and that container, the
     * victim's, although the cgroup is removed right after the kill.
     */
    @Test
    void oomKillInAPodCgroupCarriesThePodAndContainerOnItsResource() throws Exception {
        String podUid = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
        String containerId = "4e1b8c0d9a7f6e5d4c3b2a1908f7e6d5c4b3a2918f7e6d5c4b3a2918f7e6d5c4";
        String leaf = KubeletCgroups.burstableContainerdContainer(podUid, containerId);
        MemoryHierarchy hierarchy = MemoryHierarchy.find(MemoryHierarchy.CGROUP_MOUNT).orElseThrow();
        try (OtlpReceiver receiver = OtlpReceiver.start(Protocol.HTTP_PROTOBUF, 0);
             Daemon daemon = startDaemon(receiver.endpoint(), Protocol.HTTP_PROTOBUF, new ByteArrayOutputStream())) {
            Process victim;
            try (CgroupTree pod = CgroupTree.create(hierarchy.root(), "nodescope-it-pod", leaf)) {
                hierarchy.limit(pod.leaf(), LIMIT_BYTES);
                // It pauses before allocating, so it is in the container's cgroup for every charge.
                victim = pod.start(List.of(OomAllocBinary.path().toString(), "-p", "1", "-t", "256"));
                assertEquals(OomKilledRun.KILLED_BY_SIGKILL, victim.waitFor());
            }
            ReceivedSpan received = receiver.await(span -> span.span().getName().equals("oom.kill")
                    && integer(span, "process.pid") == victim.pid(), SPAN_WAIT);

            assertEquals(podUid, resource(received, "k8s.pod.uid"));
            assertEquals(containerId, resource(received, "container.id"));
            assertEquals("containerd", resource(received, "container.runtime.name"));
            assertEquals("Burstable", resource(received, "nodescope.k8s.pod.qos_class"));
            assertEquals(NODE_NAME, resource(received, "k8s.node.name"));
            assertTrue(resource(received, "nodescope.cgroup.path").endsWith("/" + leaf));
        }
    }

    private static String resource(ReceivedSpan span, String key) {
        return span.resourceAttribute(key).orElseThrow(() -> new AssertionError("no resource attribute " + key
                + " in " + span.resource())).getStringValue();
    }

    @Test
    void spansQueuedWhileTheCollectorIsDownArriveWhenItIsBack() throws Exception {
        int port = freePort();
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (Daemon daemon = startDaemon("http://127.0.0.1:" + port, Protocol.HTTP_PROTOBUF, console)) {
            OomKilledRun victim = OomKilledRun.run("nodescope-it-down", LIMIT_BYTES);
            // The console reports it at once; the OTLP export fails and is retried.
            awaitContains(console, "(pid " + victim.pid() + ")");
            awaitMetric(daemon, "nodescope_export_failures_total{exporter=\"otlp\"}", value -> value >= 1);

            try (OtlpReceiver receiver = OtlpReceiver.start(Protocol.HTTP_PROTOBUF, port)) {
                ReceivedSpan received = receiver.await(oomKillOf(victim), Duration.ofSeconds(60));
                assertEquals(137, integer(received, "process.exit.code"));
                // Inside the receiver's life: the exporter counts success once it has the response.
                awaitMetric(daemon, "nodescope_spans_exported_total{exporter=\"otlp\"}", value -> value >= 1);
            }
            assertEquals(0, metric(daemon, "nodescope_spans_dropped_total{exporter=\"otlp\"}"));
        }
    }

    @Test
    void readyAndCountingOnceProbesAreAttached() throws Exception {
        try (OtlpReceiver receiver = OtlpReceiver.start(Protocol.GRPC, 0);
             Daemon daemon = startDaemon(receiver.endpoint(), Protocol.GRPC, new ByteArrayOutputStream())) {
            assertEquals(200, get(daemon, "/readyz").statusCode());
            OomKilledRun victim = OomKilledRun.run("nodescope-it-metrics", LIMIT_BYTES);
            receiver.await(oomKillOf(victim), SPAN_WAIT);
            // The kill on the OOM ring, the victim's death on the exit module's: none lost.
            awaitMetric(daemon, "nodescope_ring_events_total{ring=\"oom_events\"}", value -> value >= 1);
            awaitMetric(daemon, "nodescope_ring_events_total{ring=\"exit_events\"}", value -> value >= 1);
            assertEquals(0, metric(daemon, "nodescope_ring_kernel_drops_total{ring=\"oom_events\"}"));
            assertEquals(0, metric(daemon, "nodescope_ring_kernel_drops_total{ring=\"exit_events\"}"));
            assertEquals(1, metric(daemon, "nodescope_probe_up{probe=\"oom\"}"));
            assertEquals(1, metric(daemon, "nodescope_probe_up{probe=\"exit\"}"));
            assertEquals(0, metric(daemon, "nodescope_events_undecodable_total"));
        }
    }

    /**
     * A module the kernel refuses to attach, registered before the real ones: it is reported and
     * counted, and the OOM kill still arrives with its victim's death.
     */
    @Test
    void aModuleThatCannotAttachLeavesTheOthersRunning() throws Exception {
        List<ProbeModule> modules = new ArrayList<>(List.of(new UnattachableModule()));
        modules.addAll(ProbeModules.all());
        try (OtlpReceiver receiver = OtlpReceiver.start(Protocol.GRPC, 0);
             Daemon daemon = startDaemon(receiver.endpoint(), Protocol.GRPC, new ByteArrayOutputStream(), modules)) {
            assertEquals(200, get(daemon, "/readyz").statusCode());
            assertEquals(0, metric(daemon, "nodescope_probe_up{probe=\"missing\"}"));
            assertEquals(1, metric(daemon, "nodescope_probe_up{probe=\"oom\"}"));
            assertEquals(1, metric(daemon, "nodescope_probe_up{probe=\"exit\"}"));

            OomKilledRun victim = OomKilledRun.run("nodescope-it-isolated", LIMIT_BYTES);
            ReceivedSpan span = receiver.await(oomKillOf(victim), SPAN_WAIT);
            assertEquals(137, integer(span, "process.exit.code"));
        }
    }

    static Daemon startDaemon(String endpoint, Protocol protocol, ByteArrayOutputStream console)
            throws Exception {
        return startDaemon(endpoint, protocol, console, ProbeModules.all());
    }

    private static Daemon startDaemon(String endpoint, Protocol protocol, ByteArrayOutputStream console,
                                      List<ProbeModule> modules) throws Exception {
        return startDaemon(endpoint, protocol, console, modules, List.of());
    }

    static Daemon startDaemon(String endpoint, Protocol protocol, ByteArrayOutputStream console,
                              List<ProbeModule> modules, List<String> moreArguments) throws Exception {
        List<String> arguments = new ArrayList<>(List.of("--console=true", "--http-address=127.0.0.1:0"));
        arguments.addAll(moreArguments);
        NodescopeConfig config = ConfigLoader.load(arguments, Map.of(), ProbeModules.catalog(modules));
        ExportSetup export = ExportSetup.configure(Map.of(
                "otel.exporter.otlp.endpoint", endpoint,
                "otel.exporter.otlp.protocol", protocol.otelName,
                "otel.bsp.schedule.delay", "50"));
        // No Kubernetes API here: identities come from cgroup paths (the API is tested with a mock
        // server in WorkloadIdentityResolverTest and KubernetesPodWatchTest).
        IdentitySettings identity = new IdentitySettings(false, Optional.of(NODE_NAME), false, Duration.ofMinutes(10));
        return Daemon.startLive(config, export, identity, new PrintStream(console, true, StandardCharsets.UTF_8),
                modules);
    }

    static Predicate<ReceivedSpan> oomKillOf(OomKilledRun victim) {
        return span -> span.span().getName().equals("oom.kill")
                && span.attribute("process.pid").map(AnyValue::getIntValue).orElse(-1L) == victim.pid();
    }

    private static String string(ReceivedSpan span, String key) {
        return span.attribute(key).orElseThrow(() -> new AssertionError("no " + key)).getStringValue();
    }

    private static List<String> strings(ReceivedSpan span, String key) {
        return span.attribute(key).orElseThrow(() -> new AssertionError("no " + key)).getArrayValue()
                .getValuesList().stream().map(AnyValue::getStringValue).toList();
    }

    static long integer(ReceivedSpan span, String key) {
        return span.attribute(key).orElseThrow(() -> new AssertionError("no " + key)).getIntValue();
    }

    private static long epochNanosNow() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void awaitContains(ByteArrayOutputStream console, String text) throws InterruptedException {
        long deadline = System.nanoTime() + SPAN_WAIT.toNanos();
        while (!console.toString(StandardCharsets.UTF_8).contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("console never showed '" + text + "':\n" + console);
            }
            Thread.sleep(50);
        }
    }

    private static HttpResponse<String> get(Daemon daemon, String path) throws Exception {
        InetSocketAddress address = daemon.httpAddress().orElseThrow();
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + address.getPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static long metric(Daemon daemon, String series) throws Exception {
        return get(daemon, "/metrics").body().lines().filter(line -> line.startsWith(series + " "))
                .map(line -> (long) Double.parseDouble(line.substring(series.length() + 1).trim()))
                .findFirst().orElseThrow(() -> new AssertionError("no metric " + series));
    }

    private static void awaitMetric(Daemon daemon, String series, java.util.function.LongPredicate wanted)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        long value;
        while (!wanted.test(value = metric(daemon, series))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(series + " stayed at " + value);
            }
            Thread.sleep(100);
        }
    }
}
