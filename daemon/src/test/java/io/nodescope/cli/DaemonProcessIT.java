package io.nodescope.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nodescope.testing.OomKilledRun;
import io.nodescope.testing.RepositoryRoot;
import io.nodescope.testing.RequiresMemoryCgroup;
import io.nodescope.testing.RequiresRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged jar as a user runs it: a separate JVM, real signals, real privileges. Exit codes
 * and the one-line messages are the contract with a person at a terminal and with Kubernetes.
 */
@RequiresRoot("attaches BPF programs and drops privileges with setpriv")
class DaemonProcessIT {
    private static final Path JAR = RepositoryRoot.find().resolve("daemon/target/nodescope.jar");
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

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
        } finally {
            daemon.toHandle().destroy();
            daemon.waitFor(15, TimeUnit.SECONDS);
        }
        assertEquals(0, daemon.exitValue());
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
        assertTrue(Files.isReadable(JAR), JAR + " is built by 'mvn package' before the integration tests");
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(JAVA, "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-jar", JAR.toString(),
                "--http-address", "127.0.0.1:0"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
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
}
