package io.nodescope.deploy;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nodescope.testing.CgroupTree;
import io.nodescope.testing.KubeletCgroups;
import io.nodescope.testing.Commands;
import io.nodescope.testing.LibcDebugFile;
import io.nodescope.testing.MemoryCgroup;
import io.nodescope.testing.MemoryHierarchy;
import io.nodescope.testing.NeighbourKill;
import io.nodescope.testing.OomAllocBinary;
import io.nodescope.testing.OomKilledRun;
import io.nodescope.testing.OtlpReceiver;
import io.nodescope.testing.OtlpReceiver.Protocol;
import io.nodescope.testing.OtlpReceiver.ReceivedSpan;
import io.nodescope.testing.RepositoryRoot;
import io.nodescope.testing.RequiresMemoryCgroup;
import io.nodescope.testing.RequiresRoot;
import io.nodescope.testing.RequiresTools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The image as users run it, because the image is what runs on nodes: built by
 * deploy/image/build.sh, started by deploy/image/run-local.sh, which runs it with the DaemonSet's
 * security settings (its capabilities only, the seccomp profile, no-new-privileges, a read-only root,
 * the host's /proc and cgroup fs mounted read-only, host pids), exporting over OTLP/HTTP to a
 * receiver on loopback (the container shares the host's network). Real OOM kills on the host, in a
 * kubelet-style pod cgroup and inside another container; the spans' named frames, pod identity and
 * exit are asserted, as `make run` on the host gives them.
 */
@RequiresRoot("builds and runs the image with rootful podman and causes real memcg OOM kills")
@RequiresMemoryCgroup("causes real memcg OOM kills")
@RequiresTools(value = {"podman", "buildah", "debootstrap", "runc", "unzip"}, install = "sudo make image-deps")
class ImageEndToEndIT {
    private static final String IMAGE = "localhost/nodescope:e2e";
    private static final long LIMIT_BYTES = 32L << 20;
    /** Start-up under the DaemonSet's 0.5 CPU took 3 s on an idle machine; CI machines are not idle. */
    private static final Duration READY_WAIT = Duration.ofSeconds(120);
    private static final Duration SPAN_WAIT = Duration.ofSeconds(60);

    private static Path repository;
    private static Path work;
    private static String containerName;
    private static OtlpReceiver receiver;
    private static Process daemon;
    private static int httpPort;

    @BeforeAll
    static void buildTheImageAndRunItAsTheDaemonSetDoes() throws Exception {
        repository = RepositoryRoot.find();
        work = Files.createDirectories(repository.resolve("daemon/target/image-e2e"));
        // The jar `mvn verify` packaged before the integration tests; the root file system and the
        // JRE come from build/image/'s cache after the first build.
        Commands.run(repository, Map.of("IMAGE", IMAGE), List.of("deploy/image/build.sh"));
        receiver = OtlpReceiver.start(Protocol.HTTP_PROTOBUF, 0);
        httpPort = freePort();
        containerName = "nodescope-e2e-" + ProcessHandle.current().pid();
        ProcessBuilder runLocal = new ProcessBuilder("deploy/image/run-local.sh", "--log-level", "debug")
                .directory(repository.toFile()).redirectErrorStream(true)
                .redirectOutput(work.resolve("daemon.log").toFile());
        runLocal.environment().putAll(Map.of("IMAGE", IMAGE, "NAME", containerName,
                "HTTP_ADDRESS", "127.0.0.1:" + httpPort,
                "PODMAN_ARGS", "-e OTEL_EXPORTER_OTLP_ENDPOINT=" + receiver.endpoint()
                        + " -e OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf"));
        daemon = runLocal.start();
        awaitReady();
    }

    @AfterAll
    static void stopTheContainer() throws Exception {
        if (daemon != null) {
            // podman stop sends SIGTERM: the daemon detaches and flushes; --rm removes the container.
            podmanExitCode(List.of("stop", "-t", "15", containerName));
            daemon.waitFor(30, TimeUnit.SECONDS);
            daemon.destroyForcibly();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    /**
     * The victim is its own trigger and is gone within milliseconds: its frames are named from the
     * files the kernel located them in, found through the host's mount namespace from inside the
     * container. The cgroup is laid out as the kubelet's systemd driver and containerd lay out a pod.
     */
    @Test
    void aKillInAPodCgroupCarriesNamedFramesThePodAndTheExit() throws Exception {
        String podUid = "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d";
        String containerId = "5f4e3d2c1b0a99887766554433221100ffeeddccbbaa99887766554433221100";
        String leaf = KubeletCgroups.burstableContainerdContainer(podUid, containerId);
        MemoryHierarchy hierarchy = MemoryHierarchy.find(MemoryHierarchy.CGROUP_MOUNT).orElseThrow();
        Process victim;
        try (CgroupTree pod = CgroupTree.create(hierarchy.root(), "nodescope-e2e-pod", leaf)) {
            hierarchy.limit(pod.leaf(), LIMIT_BYTES);
            // It pauses before allocating, so it is in the container's cgroup for every charge.
            victim = pod.start(List.of(OomAllocBinary.path().toString(), "-p", "1", "-t", "256"));
            assertEquals(OomKilledRun.KILLED_BY_SIGKILL, victim.waitFor());
        }

        ReceivedSpan received = awaitKillOf(victim.pid());

        assertNamedFrames(received);
        assertEquals(podUid, received.resourceString("k8s.pod.uid"));
        assertEquals(containerId, received.resourceString("container.id"));
        assertEquals("containerd", received.resourceString("container.runtime.name"));
        assertEquals(hostName(), received.resourceString("k8s.node.name"));
        assertEquals(137, received.integer("process.exit.code"));
        assertEquals(9, received.integer("nodescope.oom.victim.exit_signal"));
        assertEquals(0, metric("nodescope_symbol_failures_total{cause=\"permission_denied\"}"), daemonLog());
        assertEquals(0, metric("nodescope_symbol_failures_total{cause=\"kernel_addresses_hidden\"}"), daemonLog());
    }

    /** The trigger lives on: its frames are named from its live process, read through /host/proc. */
    @Test
    void aKillOfANeighbourNamesTheLivingTriggersFrames() throws Exception {
        try (MemoryCgroup cgroup = MemoryCgroup.create("nodescope-e2e-trigger", LIMIT_BYTES)) {
            NeighbourKill kill = NeighbourKill.start(cgroup::start, OomAllocBinary.path().toString());
            assertEquals(OomKilledRun.KILLED_BY_SIGKILL, kill.hog().waitFor());

            ReceivedSpan received = awaitKillOf(kill.hog().pid());

            assertEquals(kill.trigger().pid(), received.integer("nodescope.oom.trigger.pid"));
            assertNamedFrames(received);
            assertEquals(0, kill.trigger().waitFor(), "the trigger finished its allocation after the victim died");
        }
    }

    /**
     * The binary lies in another container's root file system (an overlay layer of this podman
     * store), and the trigger lives on: its frames are named through its /host/proc/PID/root. The
     * layer's directory (64 hex digits, as CRI-O's and Docker's) is longer than the kernel side
     * records, so the kill-time file locations cannot name them: the live process must.
     */
    @Test
    void aKillInsideAnotherContainerNamesTheLivingTriggersFrames() throws Exception {
        String workloadImage = "localhost/nodescope-e2e-workload:" + ProcessHandle.current().pid();
        Path context = Files.createDirectories(work.resolve("workload"));
        Files.copy(OomAllocBinary.path(), context.resolve("oom-alloc"), StandardCopyOption.REPLACE_EXISTING);
        // Its root file system is the nodescope image's (a glibc to run on), with oom-alloc added.
        Files.writeString(context.resolve("Containerfile"), "FROM " + IMAGE + "\nCOPY oom-alloc /usr/local/bin/oom-alloc\n");
        podman(List.of("build", "--pull=never", "--network=none", "-t", workloadImage, context.toString()));
        String container = podman(List.of("run", "-d", "--memory", Long.toString(LIMIT_BYTES),
                "--memory-swap", Long.toString(LIMIT_BYTES), "--entrypoint", "sleep", workloadImage, "300")).strip();
        try {
            NeighbourKill kill = NeighbourKill.start(command -> {
                List<String> exec = new ArrayList<>(List.of("exec", container));
                exec.addAll(command);
                try {
                    return new ProcessBuilder(podmanCommand(exec)).directory(repository.toFile())
                            .redirectErrorStream(true).start();
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot run podman exec", e);
                }
            }, "/usr/local/bin/oom-alloc");
            assertEquals(OomKilledRun.KILLED_BY_SIGKILL, kill.hog().waitFor());

            // The hog's kill, not the bystander's (which may follow, see NeighbourKill).
            ReceivedSpan received = receiver.await(span -> span.span().getName().equals("oom.kill")
                    && span.resourceAttribute("container.id").map(id -> id.getStringValue().equals(container))
                    .orElse(false) && span.integer("nodescope.oom.victim.oom_score_adj") == 1000, SPAN_WAIT);

            assertEquals("podman", received.resourceString("container.runtime.name"));
            assertNamedFrames(received);
            assertEquals(0, kill.trigger().waitFor(), "the trigger finished its allocation after the victim died");
        } finally {
            podmanExitCode(List.of("rm", "-f", "-t", "0", container));
            podmanExitCode(List.of("rmi", workloadImage));
        }
    }

    /** What `make run` names on the host: the kernel's path to the OOM killer and oom-alloc's functions. */
    private static void assertNamedFrames(ReceivedSpan received) throws IOException {
        List<String> kernelStack = received.strings("nodescope.oom.trigger.kernel_stack");
        assertTrue(kernelStack.stream().anyMatch(frame -> frame.startsWith("mem_cgroup_out_of_memory+0x")),
                kernelStack + "\n" + daemonLog());
        assertTrue(kernelStack.stream().anyMatch(frame -> frame.startsWith("handle_mm_fault+0x")), kernelStack.toString());
        List<String> userStack = received.strings("nodescope.oom.trigger.user_stack");
        assertTrue(userStack.getFirst().startsWith("touch_pages+0x"), userStack + "\n" + daemonLog());
        assertTrue(userStack.stream().anyMatch(frame -> frame.startsWith("allocate_chunks+0x")
                && frame.contains("oom-alloc+0x") && frame.contains("oom-alloc.c:")), userStack.toString());
        assertTrue(userStack.stream().anyMatch(frame -> frame.startsWith("main+0x")), userStack.toString());
        // libc's frame below main is named from its debug file where the host has one (libc6-dbg):
        // the daemon's own libc in the image has none, and must not stand in for the host's.
        if (LibcDebugFile.onHost()) {
            assertTrue(userStack.stream().anyMatch(frame -> frame.startsWith("__libc_start_call_main+0x")),
                    userStack.toString());
        }
    }

    private static ReceivedSpan awaitKillOf(long pid) throws Exception {
        try {
            return receiver.await(span -> span.span().getName().equals("oom.kill")
                    && span.attribute("process.pid").map(value -> value.getIntValue() == pid).orElse(false), SPAN_WAIT);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + daemonLog(), e);
        }
    }

    private static void awaitReady() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/readyz")).build();
        long deadline = System.nanoTime() + READY_WAIT.toNanos();
        while (true) {
            if (!daemon.isAlive()) {
                throw new AssertionError("run-local.sh exited with " + daemon.exitValue() + "\n" + daemonLog());
            }
            try {
                if (client.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (ConnectException e) {
                // Not listening yet: the JVM is still starting.
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not ready within " + READY_WAIT + "\n" + daemonLog());
            }
            Thread.sleep(200);
        }
    }

    private static long metric(String series) throws Exception {
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + httpPort + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return metrics.lines().filter(line -> line.startsWith(series + " "))
                .map(line -> (long) Double.parseDouble(line.substring(series.length() + 1).trim()))
                .findFirst().orElseThrow(() -> new AssertionError("no metric " + series + " in\n" + metrics));
    }

    /** The daemon's own output (debug level: each symbol failure with its file and error). */
    private static String daemonLog() throws IOException {
        return "daemon log (" + work.resolve("daemon.log") + "):\n" + Files.readString(work.resolve("daemon.log"));
    }

    /** podman on nodescope's private store and settings (deploy/image/podman/env.sh); fails the test on failure. */
    private static String podman(List<String> arguments) {
        return Commands.run(repository, Map.of(), podmanCommand(arguments));
    }

    private static int podmanExitCode(List<String> arguments) throws Exception {
        Process process = new ProcessBuilder(podmanCommand(arguments)).directory(repository.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return process.waitFor();
    }

    private static List<String> podmanCommand(List<String> arguments) {
        List<String> command = new ArrayList<>(List.of("bash", "-c", ". deploy/image/podman/env.sh && exec podman \"$@\"",
                "podman"));
        command.addAll(arguments);
        return command;
    }

    private static String hostName() throws IOException {
        return Files.readString(Path.of("/proc/sys/kernel/hostname"), UTF_8).strip();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
