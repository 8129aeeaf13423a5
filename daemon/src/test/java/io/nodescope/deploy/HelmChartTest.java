package io.nodescope.deploy;

import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.nodescope.config.ConfigLoader;
import io.nodescope.daemon.ProbeModules;
import io.nodescope.testing.RepositoryRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** deploy/helm/nodescope through Helm's own lint and template, every object against the API types. */
class HelmChartTest {
    private static final Path ALL_VALUES = HelmChart.directory().resolve("ci/all-values.yaml");
    private static final List<String> CAPABILITIES = List.of("BPF", "PERFMON", "SYS_PTRACE", "DAC_READ_SEARCH", "SYSLOG");

    @Test
    void lintsCleanInStrictMode() {
        LintResult result = HelmChart.lint();
        assertFalse(result.isFailed(), () -> "helm lint --strict: " + result.getMessages());
    }

    @Test
    void defaultsRenderTheLeastPrivilegeDaemonSet() {
        Map<String, HasMetadata> objects = render(List.of(), Map.of());
        assertEquals(Set.of("ServiceAccount/nodescope", "ClusterRole/nodescope", "ClusterRoleBinding/nodescope",
                "ConfigMap/nodescope", "DaemonSet/nodescope"), objects.keySet());
        PodSpec pod = ((DaemonSet) objects.get("DaemonSet/nodescope")).getSpec().getTemplate().getSpec();
        Container container = pod.getContainers().getFirst();
        var security = container.getSecurityContext();
        assertAll(
                () -> assertEquals(CAPABILITIES, security.getCapabilities().getAdd()),
                () -> assertEquals(List.of("ALL"), security.getCapabilities().getDrop()),
                () -> assertEquals(false, security.getPrivileged()),
                () -> assertEquals(false, security.getAllowPrivilegeEscalation()),
                () -> assertEquals(true, security.getReadOnlyRootFilesystem()),
                () -> assertEquals("Unconfined", security.getSeccompProfile().getType()),
                () -> assertEquals(true, pod.getHostPID()),
                () -> assertNull(pod.getHostNetwork()),
                () -> assertEquals("nodescope", pod.getServiceAccountName()),
                () -> assertEquals("localhost/nodescope:dev", container.getImage()),
                () -> assertEquals("spec.nodeName", env(container, "NODE_NAME").getValueFrom().getFieldRef().getFieldPath()),
                () -> assertEquals("$(OTEL_RESOURCE_ATTRIBUTES),k8s.node.name=$(NODE_NAME)",
                        env(container, "OTEL_RESOURCE_ATTRIBUTES").getValue()),
                () -> assertEquals("nodescope", container.getEnvFrom().getFirst().getConfigMapRef().getName()),
                // no Secret is referenced unless one is named
                () -> assertEquals(Set.of("NODE_NAME", "OTEL_RESOURCE_ATTRIBUTES"), envNames(container)),
                () -> assertEquals(Map.of(
                        "btf", "/sys/kernel/btf", "tracefs", "/sys/kernel/tracing",
                        "cgroup", "/sys/fs/cgroup", "proc", "/proc"), hostPaths(pod)),
                () -> assertEquals(Map.of(
                        "btf", "/sys/kernel/btf", "tracefs", "/sys/kernel/tracing",
                        "cgroup", "/host/sys/fs/cgroup", "proc", "/host/proc"), mountPaths(container)),
                () -> assertTrue(container.getVolumeMounts().stream().allMatch(VolumeMount::getReadOnly),
                        "every host mount read-only"),
                () -> assertEquals("nodescope",
                        ((ClusterRoleBinding) objects.get("ClusterRoleBinding/nodescope")).getSubjects().getFirst().getNamespace()));
        Map<String, String> settings = ((ConfigMap) objects.get("ConfigMap/nodescope")).getData();
        assertAll(
                () -> assertEquals("http://otel-collector.observability:4317", settings.get("OTEL_EXPORTER_OTLP_ENDPOINT")),
                () -> assertEquals("grpc", settings.get("OTEL_EXPORTER_OTLP_PROTOCOL")),
                () -> assertEquals("", settings.get("OTEL_RESOURCE_ATTRIBUTES")),
                () -> assertEquals("/host/sys/fs/cgroup", settings.get("NODESCOPE_CGROUP_ROOT")),
                () -> assertEquals("/host/proc", settings.get("NODESCOPE_PROC_ROOT")),
                () -> assertEquals("0.0.0.0:9464", settings.get("NODESCOPE_HTTP_ADDRESS")),
                () -> assertNull(settings.get("NODESCOPE_CONSOLE")));
        assertOnlyDaemonSettings(settings, Set.of());
    }

    @Test
    void everyValueArrivesWhereItShould() {
        Map<String, HasMetadata> objects = render(List.of(ALL_VALUES), Map.of());
        assertEquals(Set.of("ServiceAccount/nodescope", "ClusterRole/nodescope", "ClusterRoleBinding/nodescope",
                "ConfigMap/nodescope", "DaemonSet/nodescope", "Service/nodescope", "ServiceMonitor/nodescope"),
                objects.keySet());
        PodSpec pod = ((DaemonSet) objects.get("DaemonSet/nodescope")).getSpec().getTemplate().getSpec();
        Container container = pod.getContainers().getFirst();
        Map<String, String> settings = ((ConfigMap) objects.get("ConfigMap/nodescope")).getData();
        assertAll(
                () -> assertEquals("registry.example.com/nodescope:0.1", container.getImage()),
                () -> assertEquals("Always", container.getImagePullPolicy()),
                () -> assertEquals("regcred", pod.getImagePullSecrets().getFirst().getName()),
                () -> assertEquals("https://collector.monitoring:4318", settings.get("OTEL_EXPORTER_OTLP_ENDPOINT")),
                () -> assertEquals("http/protobuf", settings.get("OTEL_EXPORTER_OTLP_PROTOCOL")),
                () -> assertEquals("nodescope-prod", settings.get("OTEL_SERVICE_NAME")),
                () -> assertEquals("deployment.environment=production,k8s.cluster.name=prod",
                        settings.get("OTEL_RESOURCE_ATTRIBUTES")),
                () -> assertEquals("true", settings.get("NODESCOPE_CONSOLE")),
                () -> assertEquals("debug", settings.get("NODESCOPE_LOG_LEVEL")),
                () -> assertEquals("2s", settings.get("NODESCOPE_OOM_EXIT_WAIT")),
                () -> assertEquals("20s", settings.get("NODESCOPE_SHUTDOWN_TIMEOUT")),
                () -> assertEquals("/var/lib/nodescope/events.bin", settings.get("NODESCOPE_RECORD")),
                () -> assertEquals("0.0.0.0:9465", settings.get("NODESCOPE_HTTP_ADDRESS")),
                () -> assertEquals(9465, container.getPorts().getFirst().getContainerPort()),
                // the token comes from the Secret, never through the ConfigMap
                () -> assertEquals("otlp-auth", env(container, "OTEL_EXPORTER_OTLP_HEADERS").getValueFrom().getSecretKeyRef().getName()),
                () -> assertEquals("otlp-headers", env(container, "OTEL_EXPORTER_OTLP_HEADERS").getValueFrom().getSecretKeyRef().getKey()),
                () -> assertFalse(settings.containsKey("OTEL_EXPORTER_OTLP_HEADERS")),
                () -> assertEquals("otlp-ca", volume(pod, "otlp-certificate").getSecret().getSecretName()),
                () -> assertEquals(mountPaths(container).get("otlp-certificate") + "/ca.pem",
                        env(container, "OTEL_EXPORTER_OTLP_CERTIFICATE").getValue()),
                () -> assertEquals("4096", env(container, "OTEL_BSP_MAX_QUEUE_SIZE").getValue()),
                () -> assertEquals("/var/lib/nodescope", volume(pod, "recordings").getHostPath().getPath()),
                () -> assertEquals("/var/lib/nodescope", mountPaths(container).get("recordings")),
                () -> assertEquals("192Mi", container.getResources().getRequests().get("memory").toString()),
                () -> assertEquals("node-role.kubernetes.io/control-plane", pod.getTolerations().getFirst().getKey()),
                () -> assertEquals(Map.of("kubernetes.io/os", "linux"), pod.getNodeSelector()),
                () -> assertEquals("kubernetes.io/arch", pod.getAffinity().getNodeAffinity()
                        .getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms().getFirst()
                        .getMatchExpressions().getFirst().getKey()),
                () -> assertEquals("system-node-critical", pod.getPriorityClassName()),
                () -> assertEquals("platform", ((DaemonSet) objects.get("DaemonSet/nodescope")).getSpec().getTemplate()
                        .getMetadata().getAnnotations().get("example.com/team")),
                () -> assertEquals("Localhost", container.getSecurityContext().getSeccompProfile().getType()),
                () -> assertEquals("nodescope-seccomp.json", container.getSecurityContext().getSeccompProfile().getLocalhostProfile()),
                // no value reaches the privileges
                () -> assertEquals(CAPABILITIES, container.getSecurityContext().getCapabilities().getAdd()),
                () -> assertEquals(true, pod.getHostPID()));
        assertOnlyDaemonSettings(settings, Set.of("NODESCOPE_RECORD"));

        Service service = (Service) objects.get("Service/nodescope");
        ServiceMonitor monitor = (ServiceMonitor) objects.get("ServiceMonitor/nodescope");
        assertAll(
                () -> assertEquals(service.getMetadata().getLabels(), monitor.getSpec().getSelector().getMatchLabels()),
                () -> assertEquals(((DaemonSet) objects.get("DaemonSet/nodescope")).getSpec().getSelector().getMatchLabels(),
                        service.getSpec().getSelector()),
                () -> assertEquals(service.getSpec().getPorts().getFirst().getName(), monitor.getSpec().getEndpoints().getFirst().getPort()),
                () -> assertEquals("15s", monitor.getSpec().getEndpoints().getFirst().getInterval()),
                () -> assertEquals("kube-prometheus-stack", monitor.getMetadata().getLabels().get("release")));
    }

    /** The values file of the test above must set every value values.yaml documents, each to something else. */
    @Test
    void allValuesFileSetsEveryDocumentedValue() throws IOException {
        Map<String, Object> defaults = leaves(yaml(HelmChart.directory().resolve("values.yaml")));
        Map<String, Object> all = leaves(yaml(ALL_VALUES));
        for (Map.Entry<String, Object> value : defaults.entrySet()) {
            // an empty map (resourceAttributes: {}) is set by any key below it
            assertTrue(all.containsKey(value.getKey()) || all.keySet().stream().anyMatch(key -> key.startsWith(value.getKey() + ".")),
                    () -> ALL_VALUES + " does not set " + value.getKey());
            assertFalse(value.getValue() != null && value.getValue().equals(all.get(value.getKey())),
                    () -> ALL_VALUES + " sets " + value.getKey() + " to its default " + value.getValue());
        }
    }

    /**
     * The README's `helm install ... --set k=v` as written: installed client-side (--dry-run=client,
     * no cluster here), whose output is the NOTES.txt, and templated for the objects.
     */
    @Test
    void readmeInstallCommandInstallsOffline() throws IOException {
        String readme = Files.readString(RepositoryRoot.find().resolve("README.md"));
        Matcher command = Pattern.compile("(?s)\nhelm install nodescope deploy/helm/nodescope (.*?)\n```").matcher(readme);
        assertTrue(command.find(), "README.md has no `helm install nodescope deploy/helm/nodescope ...` block");
        Map<String, Object> sets = new TreeMap<>();
        Matcher set = Pattern.compile("--set ([^=\\s]+)=(\\S+)").matcher(command.group(1));
        while (set.find()) {
            sets.put(set.group(1), set.group(2));
        }
        assertTrue(sets.containsKey("otlp.endpoint"), () -> "README's install sets no otlp.endpoint: " + sets);
        String notes = HelmChart.installDryRun(sets);
        assertTrue(notes.contains("sent over OTLP (grpc) to\n  " + sets.get("otlp.endpoint")), notes);
        Map<String, HasMetadata> objects = render(List.of(), sets);
        assertEquals(sets.get("otlp.endpoint"),
                ((ConfigMap) objects.get("ConfigMap/nodescope")).getData().get("OTEL_EXPORTER_OTLP_ENDPOINT"));
        assertEquals(sets.get("image.repository") + ":" + sets.get("image.tag"), ((DaemonSet) objects.get("DaemonSet/nodescope"))
                .getSpec().getTemplate().getSpec().getContainers().getFirst().getImage());
    }

    @Test
    void noEndpointWithConsoleUnsetLeavesTheConsoleToTheDaemon() {
        Map<String, String> settings = ((ConfigMap) render(List.of(), Map.of("otlp.endpoint", "")).get("ConfigMap/nodescope")).getData();
        assertFalse(settings.containsKey("OTEL_EXPORTER_OTLP_ENDPOINT"));
        assertFalse(settings.containsKey("NODESCOPE_CONSOLE"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', textBlock = """
            otlp.protocol                     | http           | at '/otlp/protocol': value must be one of 'grpc', 'http/protobuf'
            nodescope.logLevel                | verbose        | at '/nodescope/logLevel': value must be one of
            nodescope.shutdownTimeout         | ten            | at '/nodescope/shutdownTimeout': 'ten' does not match pattern
            otlp.endpoint                     | collector:4317 | at '/otlp/endpoint': 'collector:4317' does not match pattern
            seccompProfile.type               | Localhost      | at '/seccompProfile/localhostProfile': minLength: got 0, want 1
            seccompProfile.type               | Privileged     | at '/seccompProfile/type': value must be one of
            nodescope.extraSettings.proc-root | /proc          | nodescope.extraSettings.proc-root: a setting the chart makes itself
            nodescope.extraSettings.Probes    | oom            | invalid propertyName 'Probes'
            capabilities                      | SYS_ADMIN      | additional properties 'capabilities' not allowed
            securityContext.privileged        | true           | additional properties 'securityContext' not allowed
            """)
    void rejectsABadValueNamingIt(String key, String value, String message) {
        Exception error = assertThrows(IllegalStateException.class,
                () -> HelmChart.template(List.of(), Map.of(key, value)));
        assertTrue(error.getMessage().contains(message), () -> "expected '" + message + "' in: " + error.getMessage());
    }

    @Test
    void rejectsNoEndpointWithTheConsoleOff() {
        Exception error = assertThrows(IllegalStateException.class,
                () -> HelmChart.template(List.of(), Map.of("otlp.endpoint", "", "nodescope.console", false)));
        assertTrue(error.getMessage().contains("otlp.endpoint is empty and nodescope.console is false"), error::getMessage);
    }

    /** Rendered, typed and schema-checked objects by "Kind/name". */
    private static Map<String, HasMetadata> render(List<Path> valuesFiles, Map<String, Object> sets) {
        Map<String, HasMetadata> objects = new TreeMap<>();
        for (HelmChart.RenderedDocument document : HelmChart.documents(HelmChart.template(valuesFiles, sets))) {
            HasMetadata object = KubernetesObjects.parse(document.yaml());
            List<String> unknown = KubernetesObjects.fieldsOutsideSchema(object);
            assertTrue(unknown.isEmpty(), () -> document.template() + ": not in the Kubernetes API schema: " + unknown);
            objects.put(object.getKind() + "/" + object.getMetadata().getName(), object);
        }
        return objects;
    }

    /** Every NODESCOPE_* key is a setting the daemon reads, except those passed through extraSettings. */
    private static void assertOnlyDaemonSettings(Map<String, String> configMap, Set<String> passedThrough) {
        Set<String> known = ConfigLoader.settings(ProbeModules.catalog()).keySet().stream().map(ConfigLoader::environmentName).collect(Collectors.toSet());
        Set<String> unknown = configMap.keySet().stream()
                .filter(key -> key.startsWith("NODESCOPE_") && !known.contains(key) && !passedThrough.contains(key))
                .collect(Collectors.toSet());
        assertEquals(Set.of(), unknown, "ConfigMap keys the daemon does not read (ConfigLoader.settings)");
    }

    private static EnvVar env(Container container, String name) {
        return container.getEnv().stream().filter(env -> env.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no env " + name + " in " + envNames(container)));
    }

    private static Set<String> envNames(Container container) {
        return container.getEnv().stream().map(EnvVar::getName).collect(Collectors.toSet());
    }

    private static Volume volume(PodSpec pod, String name) {
        return pod.getVolumes().stream().filter(volume -> volume.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }

    private static Map<String, String> hostPaths(PodSpec pod) {
        return pod.getVolumes().stream().collect(Collectors.toMap(Volume::getName, volume -> volume.getHostPath().getPath()));
    }

    private static Map<String, String> mountPaths(Container container) {
        return container.getVolumeMounts().stream().collect(Collectors.toMap(VolumeMount::getName, VolumeMount::getMountPath));
    }

    private static Map<String, Object> yaml(Path file) throws IOException {
        return new org.yaml.snakeyaml.Yaml().load(Files.readString(file));
    }

    /** "otlp.headersSecret.name" -> value for every scalar, list or empty map of a values tree. */
    private static Map<String, Object> leaves(Map<String, Object> tree) {
        Map<String, Object> leaves = new TreeMap<>();
        tree.forEach((key, value) -> {
            if (value instanceof Map<?, ?> map && !map.isEmpty()) {
                @SuppressWarnings("unchecked")
                Map<String, Object> subtree = (Map<String, Object>) map;
                leaves(subtree).forEach((subkey, leaf) -> leaves.put(key + "." + subkey, leaf));
            } else {
                leaves.put(key, value);
            }
        });
        return leaves;
    }
}
