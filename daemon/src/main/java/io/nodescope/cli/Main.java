package io.nodescope.cli;

import io.nodescope.bpf.BpfSetupException;
import io.nodescope.config.ConfigException;
import io.nodescope.config.ConfigLoader;
import io.nodescope.config.NodescopeConfig;
import io.nodescope.daemon.Daemon;
import io.nodescope.daemon.ProbeModules;
import io.nodescope.export.ExportSetup;
import io.nodescope.proc.IdentitySettings;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException;
import sun.misc.Signal;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * nodescope's entry point. Exit codes: 0 done (also after SIGTERM/SIGINT), 1 the daemon could
 * not run (privileges, kernel, files), 2 invalid configuration.
 */
public final class Main {
    static final int EXIT_OK = 0;
    static final int EXIT_FAILURE = 1;
    static final int EXIT_CONFIG = 2;

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(Arrays.asList(args), System.getenv(), System.out, System.err));
    }

    static int run(List<String> args, Map<String, String> environment, PrintStream out, PrintStream err) {
        if (args.contains("--help") || args.contains("-h")) {
            out.print(usage());
            return EXIT_OK;
        }
        NodescopeConfig config;
        ExportSetup export;
        IdentitySettings identity;
        try {
            config = ConfigLoader.load(args, environment, ProbeModules.catalog());
            Logging.configure(config.logLevel());
            export = ExportSetup.configure(config.otelProperties());
            identity = IdentitySettings.fromEnvironment(environment);
        } catch (ConfigException | ConfigurationException | IllegalArgumentException e) {
            err.println("nodescope: invalid configuration: " + e.getMessage());
            return EXIT_CONFIG;
        }
        if (config.console().equals(java.util.Optional.of(false)) && export.otlpExporter().isEmpty()
                && config.recordFile().isEmpty()) {
            err.println("nodescope: invalid configuration: --console=false and no OTLP endpoint: nothing would be "
                    + "reported; set OTEL_EXPORTER_OTLP_ENDPOINT or drop --console=false");
            return EXIT_CONFIG;
        }
        try {
            if (config.replayFile().isPresent()) {
                long events = Daemon.replay(config, export, out);
                err.println("nodescope: replayed " + events + " events from " + config.replayFile().get());
                return EXIT_OK;
            }
            return runUntilSignalled(config, export, identity, out);
        } catch (BpfSetupException e) {
            err.println("nodescope: " + e.getMessage());
            return EXIT_FAILURE;
        } catch (IOException e) {
            err.println("nodescope: " + e.getMessage());
            return EXIT_FAILURE;
        } catch (RuntimeException e) {
            // A bug, not a user error: say so, keep the trace in the log, still exit.
            System.getLogger("nodescope").log(System.Logger.Level.ERROR, "internal error", e);
            err.println("nodescope: internal error: " + e + " (please report it with the log above)");
            return EXIT_FAILURE;
        }
    }

    /**
     * Handles SIGTERM and SIGINT itself rather than in a shutdown hook: a hook runs, but the JVM
     * then exits 143/130, and a DaemonSet's clean stop should read as exit 0.
     */
    private static int runUntilSignalled(NodescopeConfig config, ExportSetup export, IdentitySettings identity,
                                         PrintStream out)
            throws BpfSetupException, IOException {
        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), signal -> stop.countDown());
        Signal.handle(new Signal("INT"), signal -> stop.countDown());
        try (Daemon daemon = Daemon.startLive(config, export, identity, out)) {
            stop.await();
            System.getLogger("nodescope.daemon").log(System.Logger.Level.INFO,
                    "stopping: detaching probes and flushing spans (at most {0})", config.shutdownTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return EXIT_OK;
    }

    static String usage() {
        StringBuilder usage = new StringBuilder("""
                usage: nodescope [--flag value | --flag=value]...
                Traces OOM kills on this node and reports each as an OpenTelemetry span "oom.kill".
                Needs root (or CAP_BPF, CAP_PERFMON, CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH, and CAP_SYSLOG
                to name kernel frames) unless --replay.

                """);
        ConfigLoader.settings(ProbeModules.catalog()).entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(setting -> usage.append(String.format("  --%-22s %s%n", setting.getKey(), setting.getValue())));
        usage.append("\nProbe modules (--probes):\n");
        ProbeModules.all().forEach(module ->
                usage.append(String.format("  %-24s %s%n", module.name(), module.description())));
        usage.append("""

                Each flag can also be set as NODESCOPE_<NAME> (e.g. NODESCOPE_HTTP_ADDRESS) or in the --config file.
                OTLP output is configured by the standard variables: OTEL_EXPORTER_OTLP_ENDPOINT,
                OTEL_EXPORTER_OTLP_PROTOCOL (grpc | http/protobuf), OTEL_EXPORTER_OTLP_HEADERS,
                OTEL_EXPORTER_OTLP_CERTIFICATE, OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_BSP_*.
                Without an endpoint, spans are printed on the terminal.
                Environment only: NODE_NAME (this node), NODESCOPE_KUBERNETES=true|false (watch this node's pods
                for names; on by default in a cluster), NODESCOPE_COMMAND_LINE=true (redacted command lines),
                NODESCOPE_LIBBPF (another libbpf.so.1).
                """);
        return usage.toString();
    }
}
