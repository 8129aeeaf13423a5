package io.nodescope.config;

import java.io.IOException;
import java.io.Reader;
import java.net.InetSocketAddress;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.LinkedHashSet;

/**
 * Builds the {@link NodescopeConfig} from command-line flags, NODESCOPE_* environment variables
 * and an optional properties file, in that order of precedence. Every setting has one name used
 * everywhere: flag "--http-address", variable "NODESCOPE_HTTP_ADDRESS", file key "http-address".
 * OTEL_* variables are left to the OpenTelemetry SDK's autoconfiguration; the file may carry
 * otel.* keys, which the environment overrides.
 */
public final class ConfigLoader {
    /** Every setting of the daemon itself, with its help text (printed by --help). */
    public static final Map<String, String> CORE_SETTINGS = coreSettings();

    private static Map<String, String> coreSettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("config", "FILE  properties file with these settings (and otel.* keys)");
        settings.put("console", "true|false  print spans on the terminal (default: true when no OTLP endpoint is set)");
        settings.put("record", "FILE  also write every event to FILE (nodescope.v1 length-delimited protobuf)");
        settings.put("replay", "FILE  read events from FILE instead of the kernel, export them, exit (no root needed)");
        settings.put("http-address", "HOST:PORT|none  /healthz /readyz /metrics (default 127.0.0.1:9464)");
        settings.put("log-level", "error|warn|info|debug  (default info)");
        settings.put("cgroup-root", "PATH  the host's cgroup mount (default /sys/fs/cgroup)");
        settings.put("proc-root", "PATH  the host's /proc (default /proc)");
        settings.put("probes", "all|MODULE[,MODULE...]  the probe modules to run (default all)");
        settings.put("shutdown-timeout", "DURATION  time to flush spans on SIGTERM/SIGINT (default 5s)");
        return Map.copyOf(settings);
    }

    private ConfigLoader() {}

    /** Every setting, the modules' included, with its help text. */
    public static Map<String, String> settings(ModuleCatalog catalog) {
        Map<String, String> settings = new LinkedHashMap<>(CORE_SETTINGS);
        for (SettingSpec spec : catalog.settings()) {
            if (settings.put(spec.name(), spec.help()) != null) {
                throw new IllegalArgumentException("setting " + spec.name() + " declared twice");
            }
        }
        return settings;
    }

    /** Flags win over the environment, the environment over the file. */
    public static NodescopeConfig load(List<String> args, Map<String, String> environment, ModuleCatalog catalog)
            throws ConfigException {
        Map<String, String> known = settings(catalog);
        Map<String, String> flags = parseFlags(args, known);
        Map<String, String> fromEnvironment = new HashMap<>();
        for (String name : known.keySet()) {
            String value = environment.get(environmentName(name));
            if (value != null) {
                fromEnvironment.put(name, value);
            }
        }
        Optional<String> configFile = Optional.ofNullable(flags.getOrDefault("config", fromEnvironment.get("config")));
        Map<String, String> fromFile = new HashMap<>();
        Map<String, String> otelProperties = new HashMap<>();
        if (configFile.isPresent()) {
            String source = flags.containsKey("config") ? "--config" : environmentName("config");
            readFile(source, Path.of(configFile.get()), known, fromFile, otelProperties);
        }
        Map<String, String> merged = new HashMap<>(fromFile);
        merged.putAll(fromEnvironment);
        merged.putAll(flags);
        Settings settings = new Settings(merged, flags, fromEnvironment, configFile);
        NodescopeConfig config = new NodescopeConfig(
                settings.bool("console"),
                settings.optional("record").map(Path::of),
                settings.optional("replay").map(Path::of),
                settings.httpAddress(),
                settings.logLevel(),
                Path.of(settings.optional("cgroup-root").orElse("/sys/fs/cgroup")),
                Path.of(settings.optional("proc-root").orElse("/proc")),
                settings.duration("shutdown-timeout", Duration.ofSeconds(5)),
                settings.probes(catalog.modules()),
                settings.moduleSettings(catalog.settings()),
                otelProperties);
        if (config.recordFile().isPresent() && config.replayFile().isPresent()
                && config.recordFile().get().toAbsolutePath().equals(config.replayFile().get().toAbsolutePath())) {
            throw new ConfigException("--record and --replay name the same file " + config.recordFile().get());
        }
        return config;
    }

    /** "http-address" is read from NODESCOPE_HTTP_ADDRESS (public for the Helm chart's tests). */
    public static String environmentName(String setting) {
        return "NODESCOPE_" + setting.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** "--name=value", "--name value", and "--console" alone meaning true. */
    static Map<String, String> parseFlags(List<String> args, Map<String, String> known) throws ConfigException {
        Map<String, String> flags = new HashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--")) {
                throw new ConfigException("unexpected argument '" + arg + "': settings are flags like --console");
            }
            String name = arg.substring(2);
            String value = null;
            int equals = name.indexOf('=');
            if (equals >= 0) {
                value = name.substring(equals + 1);
                name = name.substring(0, equals);
            }
            if (!known.containsKey(name)) {
                throw new ConfigException("unknown flag --" + name + " (see --help)");
            }
            if (value == null) {
                boolean nextIsValue = i + 1 < args.size() && !args.get(i + 1).startsWith("--");
                if (name.equals("console") && !nextIsValue) {
                    value = "true";
                } else if (nextIsValue) {
                    value = args.get(++i);
                } else {
                    throw new ConfigException("flag --" + name + " needs a value: " + known.get(name));
                }
            }
            flags.put(name, value);
        }
        return flags;
    }

    /** source: the flag or variable that named the file, so the message says which one to fix. */
    private static void readFile(String source, Path file, Map<String, String> known, Map<String, String> settings,
                                 Map<String, String> otelProperties) throws ConfigException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        } catch (NoSuchFileException e) {
            throw new ConfigException("cannot read " + source + " file " + file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new ConfigException("cannot read " + source + " file " + file + ": permission denied");
        } catch (IOException e) {
            throw new ConfigException("cannot read " + source + " file " + file + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            // Properties.load's only complaint: a malformed backslash-u escape.
            throw new ConfigException("cannot parse " + source + " file " + file + ": " + e.getMessage());
        }
        for (String key : properties.stringPropertyNames()) {
            String value = properties.getProperty(key).trim();
            if (key.startsWith("otel.")) {
                otelProperties.put(key, value);
            } else if (known.containsKey(key) && !key.equals("config")) {
                settings.put(key, value);
            } else {
                throw new ConfigException("unknown key '" + key + "' in config file " + file
                        + " (settings: " + String.join(", ", known.keySet()) + ", or otel.*)");
            }
        }
    }

    /** Looks values up and names their source in errors. */
    private record Settings(Map<String, String> merged, Map<String, String> flags, Map<String, String> environment,
                            Optional<String> configFile) {
        Optional<String> optional(String name) {
            return Optional.ofNullable(merged.get(name)).map(String::trim).filter(value -> !value.isEmpty());
        }

        ConfigException invalid(String name, String value, String expected) {
            String source = flags.containsKey(name) ? "--" + name
                    : environment.containsKey(name) ? environmentName(name)
                    : "'" + name + "' in " + configFile.orElse("config file");
            return new ConfigException("invalid " + source + " '" + value + "': expected " + expected);
        }

        Optional<Boolean> bool(String name) throws ConfigException {
            Optional<String> value = optional(name);
            if (value.isEmpty()) {
                return Optional.empty();
            }
            return switch (value.get().toLowerCase(Locale.ROOT)) {
                case "true", "yes", "on", "1" -> Optional.of(true);
                case "false", "no", "off", "0" -> Optional.of(false);
                default -> throw invalid(name, value.get(), "true or false");
            };
        }

        NodescopeConfig.LogLevel logLevel() throws ConfigException {
            String value = optional("log-level").orElse("info");
            try {
                return NodescopeConfig.LogLevel.valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw invalid("log-level", value, "error, warn, info or debug");
            }
        }

        Duration duration(String name, Duration fallback) throws ConfigException {
            Optional<String> value = optional(name);
            if (value.isEmpty()) {
                return fallback;
            }
            return SettingValues.duration(value.get()).orElseThrow(() -> invalid(name, value.get(),
                    SettingSpec.Kind.DURATION.expected() + " that fits in a long"));
        }

        /** The modules to run, in the catalog's order; "all" (the default) = every module. */
        Set<String> probes(List<String> modules) throws ConfigException {
            String value = optional("probes").orElse("all");
            if (value.equalsIgnoreCase("all")) {
                return new LinkedHashSet<>(modules);
            }
            Set<String> chosen = new LinkedHashSet<>();
            for (String name : value.split(",")) {
                String module = name.trim().toLowerCase(Locale.ROOT);
                if (!modules.contains(module)) {
                    throw invalid("probes", value, "all or a comma-separated list of " + String.join(", ", modules));
                }
                chosen.add(module);
            }
            Set<String> ordered = new LinkedHashSet<>(modules);
            ordered.retainAll(chosen);
            return ordered;
        }

        ModuleSettings moduleSettings(List<SettingSpec> specs) throws ConfigException {
            Map<String, String> values = new HashMap<>();
            for (SettingSpec spec : specs) {
                String value = optional(spec.name()).orElse(spec.defaultValue());
                if (!SettingValues.valid(spec.kind(), value)) {
                    throw invalid(spec.name(), value, spec.kind().expected());
                }
                values.put(spec.name(), value.trim());
            }
            return new ModuleSettings(values);
        }

        Optional<InetSocketAddress> httpAddress() throws ConfigException {
            String value = optional("http-address").orElse("127.0.0.1:9464");
            if (value.equalsIgnoreCase("none")) {
                return Optional.empty();
            }
            int colon = value.lastIndexOf(':');
            if (colon <= 0) {
                throw invalid("http-address", value, "HOST:PORT (e.g. 127.0.0.1:9464, [::1]:9464) or none");
            }
            String host = value.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port;
            try {
                port = Integer.parseInt(value.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw invalid("http-address", value, "HOST:PORT with a numeric port");
            }
            if (port < 0 || port > 65535) {
                throw invalid("http-address", value, "a port from 0 to 65535");
            }
            // Resolved now so a typo fails at start, not on the first scrape.
            InetSocketAddress address = new InetSocketAddress(host, port);
            if (address.isUnresolved()) {
                throw invalid("http-address", value, "a host that resolves to a local address");
            }
            return Optional.of(address);
        }
    }
}
