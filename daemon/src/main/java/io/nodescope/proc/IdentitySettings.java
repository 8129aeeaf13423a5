package io.nodescope.proc;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * How workload identities are learned, from the environment a DaemonSet gives its pod.
 *
 * @param kubernetes          watch this node's pods: NODESCOPE_KUBERNETES=true/false, else on
 *                            exactly when in a cluster (KUBERNETES_SERVICE_HOST and a service
 *                            account token), so a local sudo run needs no API server
 * @param nodeName            NODE_NAME, which the DaemonSet sets from the downward API
 *                            (spec.nodeName); the watch is off without it, since watching every
 *                            pod of a cluster from every node would load the API server
 * @param commandLine         NODESCOPE_COMMAND_LINE=true reads command lines (redacted); off by
 *                            default because arguments carry secrets
 * @param deletedPodRetention how long a deleted pod is still used to enrich events
 */
public record IdentitySettings(boolean kubernetes, Optional<String> nodeName, boolean commandLine,
                               Duration deletedPodRetention) {
    static final Path SERVICE_ACCOUNT_TOKEN = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");
    static final Duration DEFAULT_DELETED_POD_RETENTION = Duration.ofMinutes(10);
    private static final System.Logger LOG = System.getLogger("nodescope.proc");

    public static IdentitySettings fromEnvironment(Map<String, String> environment) {
        return fromEnvironment(environment, Files.exists(SERVICE_ACCOUNT_TOKEN));
    }

    static IdentitySettings fromEnvironment(Map<String, String> environment, boolean serviceAccountTokenPresent) {
        Optional<String> nodeName = Optional.ofNullable(environment.get("NODE_NAME")).filter(name -> !name.isBlank());
        boolean inCluster = environment.containsKey("KUBERNETES_SERVICE_HOST") && serviceAccountTokenPresent;
        boolean kubernetes = flag(environment, "NODESCOPE_KUBERNETES").orElse(inCluster);
        if (kubernetes && nodeName.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "NODE_NAME is not set, so pod names are not looked up: set it from "
                    + "the downward API (env valueFrom fieldRef spec.nodeName), see deploy/");
            kubernetes = false;
        }
        return new IdentitySettings(kubernetes, nodeName, flag(environment, "NODESCOPE_COMMAND_LINE").orElse(false),
                DEFAULT_DELETED_POD_RETENTION);
    }

    private static Optional<Boolean> flag(Map<String, String> environment, String name) {
        return Optional.ofNullable(environment.get(name)).map(value -> switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new IllegalArgumentException(name + " must be true or false, not \"" + value + "\"");
        });
    }
}
