package io.nodescope.config;

import io.nodescope.daemon.ProbeModules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private static NodescopeConfig load(List<String> args, Map<String, String> environment) throws ConfigException {
        return ConfigLoader.load(args, environment, ProbeModules.catalog());
    }

    private static NodescopeConfig load(String... args) throws ConfigException {
        return ConfigLoader.load(List.of(args), Map.of(), ProbeModules.catalog());
    }

    private static String error(List<String> args, Map<String, String> environment) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.load(args, environment, ProbeModules.catalog())).getMessage();
    }

    private static String error(String... args) {
        return error(List.of(args), Map.of());
    }

    private Path configFile(String... lines) throws IOException {
        Path file = dir.resolve("nodescope.properties");
        Files.write(file, List.of(lines));
        return file;
    }

    private static void assertContains(String expected, String actual) {
        assertTrue(actual.contains(expected), () -> "expected '" + expected + "' in: " + actual);
    }

    // Defaults

    @Test
    void withNothingSetEverySettingHasItsDefault() throws ConfigException {
        NodescopeConfig config = load();

        assertEquals(Optional.empty(), config.console());
        assertEquals(Optional.empty(), config.recordFile());
        assertEquals(Optional.empty(), config.replayFile());
        assertEquals(Optional.of(new InetSocketAddress("127.0.0.1", 9464)), config.httpAddress());
        assertEquals(NodescopeConfig.LogLevel.INFO, config.logLevel());
        assertEquals(Path.of("/sys/fs/cgroup"), config.cgroupRoot());
        assertEquals(Path.of("/proc"), config.procRoot());
        assertEquals(Duration.ofSeconds(1), config.moduleSettings().duration("oom-exit-wait"));
        assertEquals(Duration.ofSeconds(5), config.shutdownTimeout());
        assertEquals(Map.of(), config.otelProperties());
    }

    // Precedence

    @Test
    void flagWinsOverEnvironmentAndFile() throws Exception {
        Path file = configFile("log-level=error");

        NodescopeConfig config = load(List.of("--config", file.toString(), "--log-level", "debug"),
                Map.of("NODESCOPE_LOG_LEVEL", "warn"));

        assertEquals(NodescopeConfig.LogLevel.DEBUG, config.logLevel());
    }

    @Test
    void environmentWinsOverFile() throws Exception {
        Path file = configFile("log-level=error");

        NodescopeConfig config = load(List.of("--config", file.toString()), Map.of("NODESCOPE_LOG_LEVEL", "warn"));

        assertEquals(NodescopeConfig.LogLevel.WARN, config.logLevel());
    }

    @Test
    void fileWinsOverDefault() throws Exception {
        Path file = configFile("log-level=error", "oom-exit-wait=250ms");

        NodescopeConfig config = load("--config", file.toString());

        assertEquals(NodescopeConfig.LogLevel.ERROR, config.logLevel());
        assertEquals(Duration.ofMillis(250), config.moduleSettings().duration("oom-exit-wait"));
    }

    @Test
    void configFileCanBeNamedByTheEnvironment() throws Exception {
        Path file = configFile("proc-root=/host/proc");

        NodescopeConfig config = load(List.of(), Map.of("NODESCOPE_CONFIG", file.toString()));

        assertEquals(Path.of("/host/proc"), config.procRoot());
    }

    @Test
    void environmentVariableNamesAreTheFlagNamesInUpperCase() throws ConfigException {
        NodescopeConfig config = load(List.of(), Map.of(
                "NODESCOPE_HTTP_ADDRESS", "127.0.0.1:9999",
                "NODESCOPE_CGROUP_ROOT", "/host/cgroup",
                "NODESCOPE_SHUTDOWN_TIMEOUT", "2m"));

        assertEquals(Optional.of(new InetSocketAddress("127.0.0.1", 9999)), config.httpAddress());
        assertEquals(Path.of("/host/cgroup"), config.cgroupRoot());
        assertEquals(Duration.ofMinutes(2), config.shutdownTimeout());
    }

    @Test
    void otelKeysFromTheFileLandInOtelProperties() throws Exception {
        Path file = configFile("otel.exporter.otlp.endpoint=http://collector:4317",
                "otel.service.name = node-agent ", "log-level=warn");

        NodescopeConfig config = load("--config", file.toString());

        assertEquals(Map.of("otel.exporter.otlp.endpoint", "http://collector:4317",
                "otel.service.name", "node-agent"), config.otelProperties());
    }

    // Flag syntax

    @Test
    void flagValueMayFollowAnEqualsSignOrTheNextArgument() throws ConfigException {
        assertEquals(Optional.of(Path.of("/tmp/a")), load("--record=/tmp/a").recordFile());
        assertEquals(Optional.of(Path.of("/tmp/b")), load("--record", "/tmp/b").recordFile());
    }

    @Test
    void consoleAloneMeansTrue() throws ConfigException {
        assertEquals(Optional.of(true), load("--console").console());
        assertEquals(Optional.of(true), load("--console", "--log-level", "warn").console());
    }

    @Test
    void consoleTakesAnExplicitFalse() throws ConfigException {
        assertEquals(Optional.of(false), load("--console=false").console());
        assertEquals(Optional.of(false), load("--console", "off").console());
    }

    @Test
    void httpAddressNoneDisablesTheServer() throws ConfigException {
        assertEquals(Optional.empty(), load("--http-address", "none").httpAddress());
    }

    @Test
    void httpAddressAcceptsABracketedIpv6Host() throws ConfigException {
        assertEquals(Optional.of(new InetSocketAddress("::1", 9000)), load("--http-address=[::1]:9000").httpAddress());
    }

    @Test
    void durationsAcceptMillisecondsSecondsAndMinutes() throws ConfigException {
        assertEquals(Duration.ofMillis(1500), load("--oom-exit-wait=1500ms").moduleSettings().duration("oom-exit-wait"));
        assertEquals(Duration.ofSeconds(3), load("--oom-exit-wait=3s").moduleSettings().duration("oom-exit-wait"));
        assertEquals(Duration.ofMinutes(1), load("--oom-exit-wait=1m").moduleSettings().duration("oom-exit-wait"));
    }

    @Test
    void probesDefaultToEveryModuleInRegistrationOrder() throws ConfigException {
        assertEquals(List.of("oom", "exit"), List.copyOf(load().probes()));
        assertEquals(List.of("oom", "exit"), List.copyOf(load("--probes=all").probes()));
    }

    @Test
    void probesChooseModulesByName() throws ConfigException {
        assertEquals(List.of("oom", "exit"), List.copyOf(load("--probes", "exit, OOM").probes()));
        assertEquals(List.of("exit"), List.copyOf(load(List.of(), Map.of("NODESCOPE_PROBES", "exit")).probes()));
    }

    @Test
    void moduleSettingsHaveDefaultsAndAreChecked() throws ConfigException {
        assertEquals(1024, load().moduleSettings().count("oom-near-limit-pages"));
        assertEquals(64, load("--oom-near-limit-pages=64").moduleSettings().count("oom-near-limit-pages"));
        assertContains("invalid --oom-near-limit-pages '-1': expected a whole number >= 0",
                error("--oom-near-limit-pages=-1"));
        assertContains("invalid NODESCOPE_OOM_EXIT_WAIT 'soon'",
                error(List.of(), Map.of("NODESCOPE_OOM_EXIT_WAIT", "soon")));
    }

    // Errors: each names the setting and where it came from

    @Test
    void unknownProbeModuleIsNamedWithTheModulesThereAre() {
        assertContains("invalid --probes 'oom,crashes': expected all or a comma-separated list of oom, exit",
                error("--probes=oom,crashes"));
    }

    @Test
    void unknownFlagIsNamed() {
        assertContains("--no-such-flag", error("--no-such-flag=1"));
    }

    @Test
    void argumentThatIsNotAFlagIsNamed() {
        assertContains("'stray'", error("stray"));
    }

    @Test
    void flagWithoutValueIsNamed() {
        String message = error("--record");

        assertContains("--record", message);
        assertContains("needs a value", message);
    }

    @Test
    void flagFollowedByAnotherFlagHasNoValue() {
        assertContains("--log-level", error("--log-level", "--console"));
    }

    @Test
    void invalidHttpAddressFromAFlagNamesTheFlag() {
        String message = error("--http-address=localhost");

        assertContains("--http-address", message);
        assertContains("'localhost'", message);
    }

    @Test
    void nonNumericPortNamesTheFlag() {
        assertContains("--http-address", error("--http-address=127.0.0.1:http"));
    }

    @Test
    void portAboveRangeNamesTheFlagAndTheRange() {
        String message = error("--http-address=127.0.0.1:65536");

        assertContains("--http-address", message);
        assertContains("0 to 65535", message);
    }

    @Test
    void negativePortIsOutOfRange() {
        assertContains("0 to 65535", error("--http-address=127.0.0.1:-1"));
    }

    @Test
    void invalidValueFromTheEnvironmentNamesTheVariable() {
        String message = error(List.of(), Map.of("NODESCOPE_HTTP_ADDRESS", "127.0.0.1:99999"));

        assertContains("NODESCOPE_HTTP_ADDRESS", message);
        assertTrue(!message.contains("--http-address"), message);
    }

    @Test
    void invalidValueFromTheFileNamesTheKeyAndTheFile() throws Exception {
        Path file = configFile("shutdown-timeout=soon");

        String message = error("--config", file.toString());

        assertContains("'shutdown-timeout'", message);
        assertContains(file.toString(), message);
        assertContains("'soon'", message);
    }

    @Test
    void badDurationNamesTheFlagAndTheAcceptedForm() {
        String message = error("--oom-exit-wait=1h");

        assertContains("--oom-exit-wait", message);
        assertContains("500ms", message);
    }

    @Test
    void badLogLevelNamesTheFlagAndTheLevels() {
        String message = error("--log-level=verbose");

        assertContains("--log-level", message);
        assertContains("'verbose'", message);
        assertContains("error, warn, info or debug", message);
    }

    @Test
    void unknownFileKeyNamesTheKeyAndTheFile() throws Exception {
        Path file = configFile("http_address=127.0.0.1:1");

        String message = error("--config", file.toString());

        assertContains("'http_address'", message);
        assertContains(file.toString(), message);
    }

    @Test
    void configKeyInsideTheConfigFileIsRefused() throws Exception {
        Path file = configFile("config=/etc/other.properties");

        assertContains("'config'", error("--config", file.toString()));
    }

    @Test
    void recordAndReplayOfTheSameFileAreRefused() {
        assertContains("same file", error("--record=/tmp/x.pb", "--replay", "/tmp/x.pb"));
    }
    @Test
    void badConsoleValueIsAConfigExceptionNamingTheFlag() {
        String message = error("--console=maybe");

        assertContains("--console", message);
        assertContains("true or false", message);
    }

    @Test
    void badConsoleValueFromTheEnvironmentNamesTheVariable() {
        assertContains("NODESCOPE_CONSOLE", error(List.of(), Map.of("NODESCOPE_CONSOLE", "sometimes")));
    }

    @Test
    void durationTooLargeForALongNamesTheFlag() {
        assertContains("--shutdown-timeout", error("--shutdown-timeout=99999999999999999999s"));
    }

    @Test
    void durationThatOverflowsInConversionNamesTheFlag() {
        assertContains("--shutdown-timeout", error("--shutdown-timeout=999999999999999999m"));
    }

    @Test
    void missingConfigFileNamesTheFlagThatNamedIt() {
        Path missing = dir.resolve("absent.properties");

        String message = error("--config", missing.toString());

        assertContains("--config", message);
        assertContains(missing.toString(), message);
        assertContains("no such file", message);
    }

    @Test
    void missingConfigFileNamedByTheEnvironmentNamesTheVariable() {
        Path missing = dir.resolve("absent.properties");

        assertContains("NODESCOPE_CONFIG", error(List.of(), Map.of("NODESCOPE_CONFIG", missing.toString())));
    }

    @Test
    void configFileThatIsADirectoryIsUnreadable() {
        // A directory rather than chmod 000: tests may run as root, which reads any file.
        String message = error("--config", dir.toString());

        assertContains("--config", message);
        assertContains(dir.toString(), message);
    }
    @Test
    void malformedEscapeInTheConfigFileNamesTheFile() throws Exception {
        Path file = configFile("proc-root=\\u12");

        String message = error("--config", file.toString());

        assertContains("--config", message);
        assertContains(file.toString(), message);
    }
}
