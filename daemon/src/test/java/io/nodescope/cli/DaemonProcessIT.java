package io.nodescope.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nodescope.testing.OomKilledRun;
import io.nodescope.testing.OtlpReceiver;
import io.nodescope.testing.RepositoryRoot;
import io.nodescope.testing.RequiresMemoryCgroup;
import io.nodescope.testing.RequiresRoot;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged jar as a user runs it: a separate JVM, real signals, real privileges. Exit codes
 * and the one-line messages are the contract with a person at a terminal and with Kubernetes.
 */
@RequiresRoot("attaches BPF programs and drops privileges with setpriv")
class DaemonProcessIT {
    private static final Path BUILT_JAR = RepositoryRoot.find().resolve("daemon/target/nodescope.jar");
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    /**
     * The jar and the JVM flags it ships with (deploy/jvm.options, as `make run` and the image use
     * them) are run from copies in a directory every user can enter: the unprivileged run must not
     * depend on where the checkout lives (a clone under /root or in a mktemp -d is mode 0700).
     */
    private static Path runDirectory;
    private static Path jar;
    private static Path jvmOptions;

    @BeforeAll
    static void copyJarWhereEveryUserCanReadIt() throws IOException {
        assertTrue(Files.isReadable(BUILT_JAR), BUILT_JAR + " is built by 'mvn package' before the integration tests");
        runDirectory = Files.createTempDirectory("nodescope-it-jar-");
        Files.setPosixFilePermissions(runDirectory, PosixFilePermissions.fromString("rwxr-xr-x"));
        jar = Files.copy(BUILT_JAR, runDirectory.resolve("nodescope.jar"));
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
        jvmOptions = Files.copy(RepositoryRoot.find().resolve("deploy/jvm.options"), runDirectory.resolve("jvm.options"));
        Files.setPosixFilePermissions(jvmOptions, PosixFilePermissions.fromString("rw-r--r--"));
    }

    @AfterAll
    static void deleteTheCopy() throws IOException {
        if (jar != null) {
            Files.deleteIfExists(jar);
        }
        if (jvmOptions != null) {
            Files.deleteIfExists(jvmOptions);
        }
        if (runDirectory != null) {
            Files.deleteIfExists(runDirectory);
        }
    }

    @Test
    void sigtermDetachesFlushesAndExitsZero() throws Exception {
        Process daemon = start(List.of(), Map.of());
        String ready = awaitLine(daemon, "nodescope ready");
        assertTrue(ready.contains("tp_btf"), ready);

        daemon.toHandle().destroy(); // SIGTERM
        assertTrue(daemon.waitFor(15, TimeUnit.SECONDS), "exits within the shutdown timeout");
        String log = new String(daemon.getInputStream().readAllBytes(), UTF_8);
        assertEquals(0, daemon.exitValue(), log);
        assertTrue(log.contains("stopping: detaching probes and flushing spans"), log);
    }

    /**
     * A fresh node may have no tracefs mounted: both probes then attach through tp_btf, and the
     * victim's death is still seen. The daemon runs in its own mount namespace where tracefs and
     * debugfs are unmounted, so the machine's mounts are untouched.
     */
    @Test
    @RequiresMemoryCgroup("causes a real memcg OOM kill")
    void withoutTracefsBothProbesAttachAndTheDeathIsSeen() throws Exception {
        List<String> withoutTracefs = List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                "umount /sys/kernel/tracing 2>/dev/null; umount /sys/kernel/debug 2>/dev/null; "
                        + "test ! -e /sys/kernel/tracing/events && exec \"$@\"", "sh");
        Process daemon = start(withoutTracefs, Map.of());
        try {
            awaitLine(daemon, "nodescope ready");
            OomKilledRun victim = OomKilledRun.run("nodescope-it-notracefs", 32L << 20);
            String killed = awaitLine(daemon, "OOM killer killed oom-alloc (pid " + victim.pid() + ")");
            assertTrue(killed.contains("exit code 137"), killed);
            // Other OOM kills on the machine keep printing spans: unread, they fill the pipe and
            // block the daemon's console before it can exit.
            Thread.ofVirtual().start(() -> {
                try {
                    daemon.getInputStream().transferTo(OutputStream.nullOutputStream());
                } catch (IOException ignored) {
                    // The daemon exited: nothing left to drain.
                }
            });
        } finally {
            daemon.toHandle().destroy();
            daemon.waitFor(15, TimeUnit.SECONDS);
        }
        assertEquals(0, daemon.exitValue());
    }

    /**
     * Production runs export over OTLP: the start-up log must still say what attached, where spans
     * go and that the daemon is ready (the SDK's start-up used to trigger a GC that dropped the
     * level set on the unreferenced "nodescope" logger, silencing every INFO line). Readiness is
     * taken from /readyz, not from the log under test, so a silent log fails instead of hanging.
     */
    @Test
    void withOtlpConfiguredTheLogSaysWhatAttachedWhereSpansGoAndThatItIsReady() throws Exception {
        int httpPort;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            httpPort = free.getLocalPort();
        }
        try (OtlpReceiver receiver = OtlpReceiver.start(OtlpReceiver.Protocol.HTTP_PROTOBUF, 0)) {
            Process daemon = start(List.of(), "127.0.0.1:" + httpPort, Map.of(
                    "OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint(),
                    "OTEL_EXPORTER_OTLP_PROTOCOL", receiver.protocol().otelName));
            awaitReady(daemon, httpPort);
            daemon.toHandle().destroy();
            assertTrue(daemon.waitFor(15, TimeUnit.SECONDS), "exits within the shutdown timeout");
            String log = new String(daemon.getInputStream().readAllBytes(), UTF_8);

            assertEquals(0, daemon.exitValue(), log);
            assertTrue(log.contains(" INFO nodescope.daemon: nodescope ready: 2 of 2 probe modules attached (oom: "
                    + "OOM kills via tp_btf; exit: process exits via tp_btf); spans to OTLP " + receiver.endpoint()
                    + " (http/protobuf)"), log);
        }
    }

    @Test
    void withoutPrivilegesItSaysWhatIsMissingInOneLine() throws Exception {
        // nobody, no capabilities: what a user gets when they forget sudo.
        List<String> unprivileged = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "--inh-caps=-all", "--bounding-set=-all", "--");
        Process daemon = start(unprivileged, Map.of());
        assertTrue(daemon.waitFor(30, TimeUnit.SECONDS));
        String output = new String(daemon.getInputStream().readAllBytes(), UTF_8);

        assertEquals(1, daemon.exitValue(), output);
        List<String> lines = output.lines().filter(line -> !line.isBlank()).toList();
        assertEquals(1, lines.size(), output);
        assertTrue(lines.getFirst().startsWith("nodescope: missing privileges"), output);
        assertTrue(lines.getFirst().contains("sudo"), output);
    }

    @Test
    void invalidOtelSettingIsNamedAndExitsTwo() throws Exception {
        Process daemon = start(List.of(), Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4317",
                "OTEL_EXPORTER_OTLP_PROTOCOL", "carrier-pigeon"));
        assertTrue(daemon.waitFor(30, TimeUnit.SECONDS));
        String output = new String(daemon.getInputStream().readAllBytes(), UTF_8);

        assertEquals(2, daemon.exitValue(), output);
        assertTrue(output.startsWith("nodescope: invalid configuration:"), output);
        assertTrue(output.contains("carrier-pigeon"), output);
        assertFalse(output.contains("\tat "), "no stack trace: " + output);
    }

    private static Process start(List<String> prefix, Map<String, String> environment) throws IOException {
        return start(prefix, "127.0.0.1:0", environment);
    }

    private static Process start(List<String> prefix, String httpAddress, Map<String, String> environment)
            throws IOException {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(JAVA, "@" + jvmOptions, "-jar", jar.toString(),
                "--http-address", httpAddress));
        ProcessBuilder builder = new ProcessBuilder(command).directory(runDirectory.toFile()).redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("OTEL_") || name.startsWith("NODESCOPE_"));
        builder.environment().putAll(environment);
        return builder.start();
    }

    /** Reads the merged output until a line contains the text; the rest stays unread in the pipe. */
    private static String awaitLine(Process process, String text) throws IOException {
        StringBuilder seen = new StringBuilder();
        var reader = process.inputReader(UTF_8);
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            seen.append(line).append('\n');
            if (line.contains(text)) {
                return line;
            }
        }
        throw new AssertionError("process ended without '" + text + "':\n" + seen);
    }

    /**
     * Polls /readyz until it answers 200. The bound only keeps a daemon that never gets ready from
     * hanging the build; the output stays unread in the pipe (a start-up log fits its buffer).
     */
    private static void awaitReady(Process daemon, int httpPort) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest readyz = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/readyz")).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!daemon.isAlive()) {
                throw new AssertionError("daemon exited before ready: "
                        + new String(daemon.getInputStream().readAllBytes(), UTF_8));
            }
            try {
                if (client.send(readyz, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (ConnectException notListeningYet) {
                // The HTTP server starts after the configuration is read.
            }
            Thread.sleep(100);
        }
        daemon.destroyForcibly();
        throw new AssertionError("daemon not ready within 120 s");
    }
}
