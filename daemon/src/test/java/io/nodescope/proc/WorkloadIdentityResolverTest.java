package io.nodescope.proc;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.nodescope.metrics.MetricsRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static io.nodescope.proc.TestPods.NODE;
import static io.nodescope.proc.TestPods.containerId;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Against a cgroup tree and a /proc built in a temporary directory: ids are the directories'
 * real inode numbers, as on a cgroup filesystem. The privileged twin, WorkloadIdentityIT, uses
 * the real hierarchies.
 */
class WorkloadIdentityResolverTest {
    private static final String UID = "5a2b7e9c-1d3f-4a6b-8c0d-2e4f6a8b0c1d";
    private static final String CONTAINER_PATH = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
            + UID.replace('-', '_') + ".slice/cri-containerd-" + containerId('a') + ".scope";
    private static final int PID = 4242;

    @TempDir
    Path temp;
    private Path memory;
    private Path proc;
    private final MetricsRegistry metrics = new MetricsRegistry();

    @BeforeEach
    void buildTree() throws IOException {
        memory = Files.createDirectories(temp.resolve("memory"));
        Files.createDirectories(memory.resolve(CONTAINER_PATH.substring(1)));
        proc = Files.createDirectories(temp.resolve("proc"));
        process(PID, CONTAINER_PATH, "java\0-jar\0app.jar\0--password\0hunter2\0");
    }

    @Test
    void aProcessGoneBeforeItsExecutableWasReadIsNamedByTheKernelsTaskName() {
        WorkloadIdentity identity = resolver(settings(false, false), Optional.empty())
                .resolve(Optional.of(CONTAINER_PATH), 999_999, Optional.of("oom-alloc"));

        assertEquals(Optional.empty(), identity.executablePath());
        assertEquals(Optional.of("unknown_service:oom-alloc"), identity.serviceName());
        assertEquals(Optional.of(containerId('a')), identity.containerId());
    }

    @Test
    void withoutKubernetesTheCgroupPathAndProcSay() {
        WorkloadIdentity identity = resolver(settings(false, false), Optional.empty()).resolve(idOf(CONTAINER_PATH), PID);

        assertEquals(WorkloadIdentity.builder()
                .cgroupPath(Optional.of(CONTAINER_PATH))
                .containerId(Optional.of(containerId('a'))).containerRuntime(Optional.of("containerd"))
                .podUid(Optional.of(UID)).qosClass(Optional.of(PodQosClass.BURSTABLE))
                .nodeName(Optional.of(NODE))
                .executablePath(Optional.of("/usr/bin/java")).executableName(Optional.of("java"))
                .serviceName(Optional.of("unknown_service:java"))
                .build(), identity);
    }

    @Test
    void theCommandLineOnlyWhenEnabledAndRedacted() {
        WorkloadIdentity identity = resolver(settings(false, true), Optional.empty()).resolve(idOf(CONTAINER_PATH), PID);

        assertEquals(Optional.of("java -jar app.jar --password <redacted>"), identity.commandLine());
    }

    @Test
    void anUnknownIdFallsBackToTheProcessCgroup() {
        WorkloadIdentity identity = resolver(settings(false, false), Optional.empty()).resolve(0, PID);

        assertEquals(Optional.of(CONTAINER_PATH), identity.cgroupPath());
        assertEquals(Optional.of(containerId('a')), identity.containerId());
    }

    /** BPF read the victim's path at the kill; the runtime has removed the cgroup since. */
    @Test
    void aPathTheCallerHasNeedsNoDirectory() throws IOException {
        Files.delete(memory.resolve(CONTAINER_PATH.substring(1)));

        WorkloadIdentity identity = resolver(settings(false, false), Optional.empty())
                .resolve(Optional.of(CONTAINER_PATH), PID);

        assertEquals(Optional.of(containerId('a')), identity.containerId());
        assertEquals(Optional.of("/usr/bin/java"), identity.executablePath());
    }

    /** The victim is gone and its pid was given to a process elsewhere: its executable is not the victim's. */
    @Test
    void aReusedPidLendsNothing() throws IOException {
        process(PID, "/system.slice/cron.service", "cron\0");

        WorkloadIdentity identity = resolver(settings(false, true), Optional.empty()).resolve(idOf(CONTAINER_PATH), PID);

        assertEquals(Optional.of(containerId('a')), identity.containerId());
        assertEquals(Optional.empty(), identity.executablePath());
        assertEquals(Optional.empty(), identity.commandLine());
    }

    @Test
    void nothingKnownIsCountedAsAMiss() {
        WorkloadIdentity identity = resolver(settings(false, false), Optional.empty()).resolve(123456789, 99999);

        assertEquals(WorkloadIdentity.builder().nodeName(Optional.of(NODE)).build(), identity);
        assertEquals(1, misses("workload_cgroup"));
    }

    @Test
    void kubernetesNamesThePodAndContainer() {
        PodDirectory pods = new PodDirectory(Duration.ofMinutes(10), System::nanoTime);
        pods.upsert(TestPods.pod("cart-7d9f", UID, containerId('a')));

        WorkloadIdentity identity = resolver(settings(true, false), Optional.of(pods)).resolve(idOf(CONTAINER_PATH), PID);

        assertEquals(Optional.of("cart-7d9f"), identity.podName());
        assertEquals(Optional.of("shop"), identity.namespaceName());
        assertEquals(Optional.of("main"), identity.containerName());
        assertEquals(Optional.of("cart-7d9f-app"), identity.serviceName());
        assertEquals(0, misses("kubernetes_pod"));
    }

    /** A container that dies at its start is not in its pod's status yet: the pod is still known by its uid. */
    @Test
    void aContainerTheStatusDoesNotNameYetStillGetsItsPod() {
        PodDirectory pods = new PodDirectory(Duration.ofMinutes(10), System::nanoTime);
        pods.upsert(TestPods.pod("cart-7d9f", UID, containerId('b')));

        WorkloadIdentity identity = resolver(settings(true, false), Optional.of(pods)).resolve(idOf(CONTAINER_PATH), PID);

        assertEquals(Optional.of("cart-7d9f"), identity.podName());
        assertEquals(Optional.empty(), identity.containerName());
        assertEquals(Optional.of(containerId('a')), identity.containerId());
    }

    @Test
    void withTheApiServerDenyingEnrichmentGoesOnAndCountsMisses() {
        KubernetesMockServer server = new KubernetesMockServer(false);
        server.init();
        server.expect().get().withPath("/api/v1/pods?fieldSelector=spec.nodeName%3D" + NODE + "&resourceVersion=0")
                .andReturn(403, new StatusBuilder().withCode(403).withReason("Forbidden").build()).always();
        try (WorkloadIdentityResolver resolver = WorkloadIdentityResolver.start(cgroupPaths(),
                new ProcessFiles(proc), settings(true, false), metrics, server::createClient)) {

            WorkloadIdentity identity = resolver.resolve(idOf(CONTAINER_PATH), PID);

            assertEquals(Optional.of(UID), identity.podUid());
            assertEquals(Optional.empty(), identity.podName());
            assertEquals(1, misses("kubernetes_pod"));
        } finally {
            server.destroy();
        }
    }

    private WorkloadIdentityResolver resolver(IdentitySettings settings, Optional<PodDirectory> pods) {
        return new WorkloadIdentityResolver(cgroupPaths(), new ProcessFiles(proc), settings, pods,
                Optional.empty(), metrics);
    }

    private MemcgPaths cgroupPaths() {
        return new MemcgPaths(Optional.of(memory));
    }

    private static IdentitySettings settings(boolean kubernetes, boolean commandLine) {
        return new IdentitySettings(kubernetes, Optional.of(NODE), commandLine, Duration.ofMinutes(10));
    }

    private long idOf(String cgroupPath) {
        try {
            return (Long) Files.getAttribute(memory.resolve(cgroupPath.substring(1)), "unix:ino");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void process(int pid, String memoryCgroup, String cmdline) throws IOException {
        Path dir = Files.createDirectories(proc.resolve(Integer.toString(pid)));
        Files.writeString(dir.resolve("cgroup"), "7:memory:" + memoryCgroup + "\n0::/\n");
        Files.write(dir.resolve("cmdline"), cmdline.getBytes(StandardCharsets.UTF_8));
        Files.deleteIfExists(dir.resolve("exe"));
        Files.createSymbolicLink(dir.resolve("exe"), Path.of("/usr/bin/" + cmdline.substring(0, cmdline.indexOf('\0'))));
    }

    private long misses(String lookup) {
        String prefix = "nodescope_enrich_misses_total{lookup=\"" + lookup + "\"} ";
        return metrics.renderPrometheusText().lines().filter(line -> line.startsWith(prefix))
                .mapToLong(line -> (long) Double.parseDouble(line.substring(prefix.length()))).sum();
    }
}
