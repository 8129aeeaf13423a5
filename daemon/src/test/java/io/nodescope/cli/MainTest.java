package io.nodescope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.nodescope.config.ConfigLoader;
import io.nodescope.daemon.ProbeModules;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(List<String> args, Map<String, String> environment) {
        return Main.run(args, environment, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private int run(String... args) {
        return run(List.of(args), Map.of());
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** Exactly one line on stderr, the config error, no stack trace. */
    private void assertOneConfigErrorLine(String mustContain) {
        List<String> lines = err().lines().toList();
        assertEquals(1, lines.size(), err());
        assertTrue(lines.get(0).startsWith("nodescope: invalid configuration: "), err());
        assertTrue(lines.get(0).contains(mustContain), err());
        assertEquals("", out());
    }

    @Test
    void helpExitsZeroAndListsEverySetting() {
        assertEquals(0, run("--help"));

        for (String setting : ConfigLoader.settings(ProbeModules.catalog()).keySet()) {
            assertTrue(out().contains("  --" + setting + " "), () -> "--" + setting + " missing from:\n" + out());
        }
        assertTrue(out().contains("OTEL_EXPORTER_OTLP_ENDPOINT"), out());
        assertEquals("", err());
    }

    @Test
    void helpWinsOverInvalidFlags() {
        assertEquals(0, run("--no-such-flag", "-h"));
        assertTrue(out().startsWith("usage: nodescope"), out());
    }

    @Test
    void invalidFlagValueExitsTwoWithOneLine() {
        assertEquals(2, run("--http-address=127.0.0.1:70000"));

        assertOneConfigErrorLine("--http-address");
    }

    @Test
    void unknownFlagExitsTwoWithOneLine() {
        assertEquals(2, run("--verbose"));

        assertOneConfigErrorLine("--verbose");
    }

    @Test
    void invalidEnvironmentValueExitsTwoWithOneLineNamingTheVariable() {
        assertEquals(2, run(List.of(), Map.of("NODESCOPE_LOG_LEVEL", "loud")));

        assertOneConfigErrorLine("NODESCOPE_LOG_LEVEL");
    }

    @Test
    void oversizedDurationExitsTwoWithOneLine() {
        assertEquals(2, run("--shutdown-timeout=999999999999999999m"));

        assertOneConfigErrorLine("--shutdown-timeout");
    }

    @Test
    void consoleOffWithoutEndpointOrRecordExitsTwo() {
        assumeTrue(System.getenv("OTEL_EXPORTER_OTLP_ENDPOINT") == null
                && System.getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") == null, "an OTLP endpoint is set");

        assertEquals(2, run("--console=false", "--http-address=none"));

        assertOneConfigErrorLine("--console=false");
    }
}
