package io.nodescope.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.Objects;
import java.util.Optional;

/**
 * The daemon's settings, merged once at start (flags over NODESCOPE_* environment over the
 * config file over defaults) and immutable afterwards.
 *
 * @param console          print spans on stdout; empty = on exactly when no OTLP endpoint is set
 * @param recordFile       write every decoded event to this file (nodescope.v1, length-delimited)
 * @param replayFile       read events from this file instead of the kernel, then exit
 * @param httpAddress      where /healthz, /readyz and /metrics listen; empty = no HTTP server
 * @param logLevel         error, warn, info or debug
 * @param cgroupRoot       where the host's cgroup filesystems are mounted
 * @param procRoot         the host's /proc
 * @param shutdownTimeout  how long SIGTERM may take to flush spans
 * @param probes           the probe modules to run, by name
 * @param moduleSettings   the probe modules' own settings
 * @param otelProperties   otel.* keys from the config file, defaults under the OTEL_* environment
 */
public record NodescopeConfig(Optional<Boolean> console, Optional<Path> recordFile, Optional<Path> replayFile,
                              Optional<InetSocketAddress> httpAddress, LogLevel logLevel, Path cgroupRoot,
                              Path procRoot, Duration shutdownTimeout, Set<String> probes,
                              ModuleSettings moduleSettings, Map<String, String> otelProperties) {
    public NodescopeConfig {
        Objects.requireNonNull(console);
        Objects.requireNonNull(recordFile);
        Objects.requireNonNull(replayFile);
        Objects.requireNonNull(httpAddress);
        Objects.requireNonNull(logLevel);
        Objects.requireNonNull(cgroupRoot);
        Objects.requireNonNull(procRoot);
        Objects.requireNonNull(shutdownTimeout);
        Objects.requireNonNull(moduleSettings);
        probes = Collections.unmodifiableSet(new LinkedHashSet<>(probes));
        otelProperties = Map.copyOf(otelProperties);
    }

    public enum LogLevel { ERROR, WARN, INFO, DEBUG }
}
