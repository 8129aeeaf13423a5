package io.nodescope.proc;

import io.nodescope.metrics.MetricsRegistry;
import io.nodescope.testing.CgroupTree;
import io.nodescope.testing.RequiresRoot;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * kubelet's cgroup layouts rebuilt in this machine's real hierarchies (v1 memory, and cgroup2),
 * with a real process inside: its cgroup's id (the directory inode, what BPF reports) and its
 * pid each resolve to the pod and container the path names.
 */
@RequiresRoot("creates cgroups and moves processes into them")
class WorkloadIdentityIT {
    private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");
    private static final String UID = "0f6c3f1e-8b2a-4c5d-9e7f-1a2b3c4d5e6f";
    private static final String SLICE_UID = UID.replace('-', '_');
    private static final String ID = "3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d";

    record Layout(String name, String path, Optional<String> runtime, PodQosClass qosClass) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Layout> layouts() {
        return List.of(
                new Layout("systemd, Burstable, containerd", "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
                        + SLICE_UID + ".slice/cri-containerd-" + ID + ".scope", Optional.of("containerd"), PodQosClass.BURSTABLE),
                new Layout("systemd, BestEffort, CRI-O", "kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod"
                        + SLICE_UID + ".slice/crio-" + ID + ".scope", Optional.of("cri-o"), PodQosClass.BEST_EFFORT),
                new Layout("systemd, Guaranteed, Docker", "kubepods.slice/kubepods-pod" + SLICE_UID + ".slice/docker-"
                        + ID + ".scope", Optional.of("docker"), PodQosClass.GUARANTEED),
                new Layout("cgroupfs, Burstable, containerd", "kubepods/burstable/pod" + UID + "/" + ID,
                        Optional.empty(), PodQosClass.BURSTABLE),
                new Layout("cgroupfs, BestEffort, CRI-O", "kubepods/besteffort/pod" + UID + "/crio-" + ID,
                        Optional.of("cri-o"), PodQosClass.BEST_EFFORT),
                new Layout("cgroupfs, Guaranteed, Docker", "kubepods/pod" + UID + "/" + ID,
                        Optional.empty(), PodQosClass.GUARANTEED),
                new Layout("kind node, systemd, Burstable", "kubelet.slice/kubelet-kubepods.slice/"
                        + "kubelet-kubepods-burstable.slice/kubelet-kubepods-burstable-pod" + SLICE_UID
                        + ".slice/cri-containerd-" + ID + ".scope", Optional.of("containerd"), PodQosClass.BURSTABLE));
    }

    /** The memory controller's hierarchy (BPF's memcg ids) and, where it is another, the cgroup2 one. */
    static Stream<Arguments> layoutsInEachHierarchy() {
        Path memory = MemcgPaths.discover(CGROUP_ROOT).hierarchy().orElseThrow();
        return Stream.of(memory, CGROUP_ROOT, CGROUP_ROOT.resolve("unified"))
                .filter(mount -> isUnified(mount) || mount.equals(memory))
                .distinct()
                .flatMap(mount -> layouts().stream().map(layout -> Arguments.of(
                        (isUnified(mount) ? "v2 " : "v1 memory ") + layout.name(), mount, layout)));
    }

    private static boolean isUnified(Path mount) {
        return Files.isRegularFile(mount.resolve("cgroup.controllers"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layoutsInEachHierarchy")
    void theIdAndThePidOfAProcessInsideResolveToItsPodAndContainer(String name, Path hierarchy, Layout layout) {
        try (CgroupTree tree = CgroupTree.create(hierarchy, "nodescope-it", layout.path());
             WorkloadIdentityResolver resolver = new WorkloadIdentityResolver(
                     new MemcgPaths(Optional.of(hierarchy)), new ProcessFiles(Path.of("/proc")),
                     new IdentitySettings(false, Optional.empty(), false, Duration.ofMinutes(10)), Optional.empty(),
                     Optional.empty(), new MetricsRegistry())) {
            Process sleeper = tree.start(List.of("sleep", "600"));
            WorkloadIdentity expected = WorkloadIdentity.builder()
                    .cgroupPath(Optional.of(tree.pathInHierarchy()))
                    .containerId(Optional.of(ID)).containerRuntime(layout.runtime())
                    .podUid(Optional.of(UID)).qosClass(Optional.of(layout.qosClass()))
                    .executablePath(sleeper.info().command()).executableName(Optional.of("sleep"))
                    .serviceName(Optional.of("unknown_service:sleep"))
                    .build();

            assertEquals(expected, resolver.resolve(tree.leafId(), (int) sleeper.pid()), "by cgroup id");
            assertEquals(expected, resolver.resolve(0, (int) sleeper.pid()), "by pid");
        }
    }
}
