package io.nodescope.proc;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.nodescope.metrics.Counter;
import io.nodescope.metrics.MetricsRegistry;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * Who a cgroup id and pid belong to. For an OOM kill, pass the victim's memcg id and pid (at
 * mark_victim, the current task is the allocating one, often another process). Never waits on
 * the network: Kubernetes metadata comes from a directory a background watch keeps current.
 * Call while the process still exists (the pipeline enriches as events arrive); what is gone
 * by then is left out and counted in nodescope_enrich_misses_total.
 *
 * <p>Cgroup ids become paths through {@link MemcgPaths}, which walks its hierarchy again when
 * asked for an id it has not seen. Why a walk on a miss rather than the alternatives: inotify
 * watches one directory each (one per cgroup of a node, against fs.inotify.max_user_watches,
 * with a race for every directory created before its parent is watched), and BPF-reported
 * creation (tracepoint cgroup/cgroup_mkdir) needs another probe whose events must be ordered
 * against the OOM ring's. A walk costs milliseconds and happens once per new id: a container's
 * cgroup exists long before its OOM kill, and the runtime's removal of the victim's cgroup
 * does not drop it from the index of the last walk.
 */
public final class WorkloadIdentityResolver implements AutoCloseable {
    private static final String UNKNOWN_SERVICE = "unknown_service:";

    private final MemcgPaths cgroupPaths;
    private final ProcessFiles processFiles;
    private final IdentitySettings settings;
    private final Optional<PodDirectory> pods;
    private final Optional<KubernetesPodWatch> podWatch;
    private final Counter cgroupMisses;
    private final Counter podMisses;

    WorkloadIdentityResolver(MemcgPaths cgroupPaths, ProcessFiles processFiles, IdentitySettings settings,
                             Optional<PodDirectory> pods, Optional<KubernetesPodWatch> podWatch, MetricsRegistry metrics) {
        this.cgroupPaths = cgroupPaths;
        this.processFiles = processFiles;
        this.settings = settings;
        this.pods = pods;
        this.podWatch = podWatch;
        this.cgroupMisses = metrics.counter("nodescope_enrich_misses_total",
                "Lookups that found nothing (cgroup gone, not mounted)", "lookup", "workload_cgroup");
        this.podMisses = metrics.counter("nodescope_enrich_misses_total",
                "Lookups that found nothing (cgroup gone, not mounted)", "lookup", "kubernetes_pod");
    }

    /**
     * Resolves memcg ids with memcgPaths (share the daemon's: one index, one walk per new id)
     * and starts the pod watch when settings ask for it (with the client's auto-configuration:
     * in a pod, its service account).
     */
    public static WorkloadIdentityResolver start(MemcgPaths memcgPaths, ProcessFiles processFiles,
                                                 IdentitySettings settings, MetricsRegistry metrics) {
        return start(memcgPaths, processFiles, settings, metrics, () -> new KubernetesClientBuilder().build());
    }

    static WorkloadIdentityResolver start(MemcgPaths cgroupPaths, ProcessFiles processFiles,
                                          IdentitySettings settings, MetricsRegistry metrics,
                                          Supplier<KubernetesClient> client) {
        if (!settings.kubernetes()) {
            return new WorkloadIdentityResolver(cgroupPaths, processFiles, settings, Optional.empty(), Optional.empty(),
                    metrics);
        }
        PodDirectory directory = new PodDirectory(settings.deletedPodRetention(), System::nanoTime);
        KubernetesPodWatch watch = KubernetesPodWatch.start(client.get(), settings.nodeName().orElseThrow(),
                directory, metrics);
        return new WorkloadIdentityResolver(cgroupPaths, processFiles, settings, Optional.of(directory),
                Optional.of(watch), metrics);
    }

    /** For a memcg id from BPF: its path from the index (walking on a new id), else the process's. */
    public WorkloadIdentity resolve(long cgroupId, int pid) {
        Optional<String> pathOfId = cgroupPaths.pathOf(cgroupId);
        return pathOfId.isPresent() ? resolve(pathOfId, pid)
                : resolve(pid > 0 ? memoryCgroupPathOf(pid) : Optional.empty(), pid);
    }

    /**
     * For a memory cgroup path the caller already has (the OOM enricher's victim path, which BPF
     * read at the kill while the cgroup still existed).
     */
    public WorkloadIdentity resolve(Optional<String> cgroupPath, int pid) {
        return resolve(cgroupPath, pid, Optional.empty());
    }

    /**
     * @param kernelTaskName the task name the kernel reported (comm): names an unknown service
     *                       when the process is gone before its executable could be read
     */
    public WorkloadIdentity resolve(Optional<String> cgroupPath, int pid, Optional<String> kernelTaskName) {
        if (cgroupPath.isEmpty()) {
            cgroupMisses.increment();
        }
        ContainerCgroup container = cgroupPath.map(ContainerCgroup::parse).orElse(ContainerCgroup.NONE);
        WorkloadIdentity.Builder identity = WorkloadIdentity.builder()
                .cgroupPath(cgroupPath)
                .containerId(container.containerId())
                .containerRuntime(container.runtime())
                .podUid(container.podUid())
                .qosClass(container.qosClass())
                .nodeName(settings.nodeName());
        Optional<String> serviceName = addPod(identity, container);
        // A pid in another cgroup was reused (or the process moved): its files are not the workload's.
        boolean pidInCgroup = pid > 0 && (cgroupPath.isEmpty() || memoryCgroupPathOf(pid)
                .filter(seen -> NamespacedCgroupPath.sameCgroup(cgroupPath.get(), seen)).isPresent());
        Optional<String> executablePath = pidInCgroup ? processFiles.executablePath(pid) : Optional.empty();
        Optional<String> executableName = executablePath.map(WorkloadIdentityResolver::fileName);
        identity.executablePath(executablePath).executableName(executableName);
        if (settings.commandLine() && executablePath.isPresent()) {
            identity.commandLine(processFiles.arguments(pid).map(CommandLineRedactor::redact));
        }
        // service.name is required on a Resource; without it the workload would pass as the daemon itself.
        return identity.serviceName(serviceName.or(() -> executableName.or(() -> kernelTaskName)
                .map(name -> UNKNOWN_SERVICE + name))).build();
    }

    private Optional<String> memoryCgroupPathOf(int pid) {
        return processFiles.memoryCgroupPath(pid, cgroupPaths.isUnified());
    }

    /** Adds what the Kubernetes API knows of the container, or of its pod; returns the pod's service name. */
    private Optional<String> addPod(WorkloadIdentity.Builder identity, ContainerCgroup container) {
        if (pods.isEmpty() || container.podUid().isEmpty() && container.containerId().isEmpty()) {
            return Optional.empty();
        }
        Optional<PodDirectory.ContainerOfPod> byContainer = container.containerId().flatMap(pods.get()::byContainerId);
        Optional<KnownPod> pod = byContainer.map(PodDirectory.ContainerOfPod::pod)
                .or(() -> container.podUid().flatMap(pods.get()::byUid));
        if (pod.isEmpty()) {
            if (container.podUid().isPresent()) {
                podMisses.increment();
            }
            return Optional.empty();
        }
        byContainer.ifPresent(found -> identity.containerName(Optional.of(found.container().name()))
                .containerRuntime(container.runtime().or(() -> Optional.of(found.container().runtime()))));
        identity.podUid(Optional.of(pod.get().uid()))
                .podName(Optional.of(pod.get().name()))
                .namespaceName(Optional.of(pod.get().namespace()))
                .qosClass(container.qosClass().or(pod.get()::qosClass));
        return Optional.of(pod.get().serviceName());
    }

    private static String fileName(String executablePath) {
        String path = executablePath.endsWith(" (deleted)")
                ? executablePath.substring(0, executablePath.length() - " (deleted)".length()) : executablePath;
        return path.substring(path.lastIndexOf('/') + 1);
    }

    @Override
    public void close() {
        podWatch.ifPresent(KubernetesPodWatch::close);
    }
}
