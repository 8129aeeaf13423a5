package io.nodescope.proc;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Paths as kubelet, containerd, CRI-O, Docker, Podman and kind create them on real nodes. */
class ContainerCgroupTest {
    private static final String ID = "8d3a21c1f5d3b0a9e0e3d1c2b4a5968778695a4b3c2d1e0f9a8b7c6d5e4f3a2b";
    private static final String UID = "5a2b7e9c-1d3f-4a6b-8c0d-2e4f6a8b0c1d";
    private static final String UID_SYSTEMD = UID.replace('-', '_');
    /** Static (mirror) pods' uids are the hash of their manifest, without dashes. */
    private static final String STATIC_UID = "6b3c9e3b2f8f4c3d9f4b6e1a2c3d4e5f";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            # systemd driver: QoS in the slice names, '_' for '-' in the uid
            /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod@S.slice/cri-containerd-@ID.scope | @ID | containerd | @U | BURSTABLE
            /kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod@S.slice/cri-containerd-@ID.scope | @ID | containerd | @U | BEST_EFFORT
            /kubepods.slice/kubepods-pod@S.slice/cri-containerd-@ID.scope | @ID | containerd | @U | GUARANTEED
            /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod@S.slice/crio-@ID.scope | @ID | cri-o | @U | BURSTABLE
            /kubepods.slice/kubepods-pod@S.slice/crio-@ID.scope | @ID | cri-o | @U | GUARANTEED
            /kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod@S.slice/docker-@ID.scope | @ID | docker | @U | BEST_EFFORT
            # CRI-O's conmon watches the container from outside: the pod, not a container
            /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod@S.slice/crio-conmon-@ID.scope | - | - | @U | BURSTABLE
            # a container running systemd has cgroups of its own below its scope
            /kubepods.slice/kubepods-pod@S.slice/cri-containerd-@ID.scope/init.scope | @ID | containerd | @U | GUARANTEED
            # the pod's own cgroup, between containers
            /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod@S.slice | - | - | @U | BURSTABLE
            # cgroupfs driver: plain directories; the runtime is not in the path for containerd and Docker
            /kubepods/burstable/pod@U/@ID | @ID | - | @U | BURSTABLE
            /kubepods/besteffort/pod@U/@ID | @ID | - | @U | BEST_EFFORT
            /kubepods/pod@U/@ID | @ID | - | @U | GUARANTEED
            /kubepods/burstable/pod@U/crio-@ID | @ID | cri-o | @U | BURSTABLE
            /kubepods/burstable/pod@U/crio-conmon-@ID | - | - | @U | BURSTABLE
            /kubepods/pod@STATIC/@ID | @ID | - | @STATIC | GUARANTEED
            /kubepods.slice/kubepods-pod@STATIC.slice/cri-containerd-@ID.scope | @ID | containerd | @STATIC | GUARANTEED
            # nested nodes: kind's node is a Docker container itself; its id is not the workload's
            /docker/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef/kubepods/burstable/pod@U/@ID | @ID | - | @U | BURSTABLE
            /docker/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef/kubepods/besteffort/pod@U | - | - | @U | BEST_EFFORT
            /kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-burstable.slice/kubelet-kubepods-burstable-pod@S.slice/cri-containerd-@ID.scope | @ID | containerd | @U | BURSTABLE
            /kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-pod@S.slice/cri-containerd-@ID.scope | @ID | containerd | @U | GUARANTEED
            # no Kubernetes
            /docker/@ID | @ID | docker | - | -
            /system.slice/docker-@ID.scope | @ID | docker | - | -
            /machine.slice/libpod-@ID.scope/container | @ID | podman | - | -
            /system.slice/containerd.service | - | - | - | -
            /user.slice/user-1000.slice/session-3.scope | - | - | - | -
            / | - | - | - | -
            # not kubelet's: a "pod" directory outside kubepods, ids of the wrong length
            /podcast/@ID | @ID | - | - | -
            /kubepods/burstable/pod@U/abc123 | - | - | @U | BURSTABLE
            """)
    void parsesTheLayout(String path, String containerId, String runtime, String podUid, PodQosClass qosClass) {
        ContainerCgroup parsed = ContainerCgroup.parse(expand(path));

        assertEquals(new ContainerCgroup(Optional.ofNullable(containerId).map(ContainerCgroupTest::expand),
                Optional.ofNullable(runtime), Optional.ofNullable(podUid).map(ContainerCgroupTest::expand),
                Optional.ofNullable(qosClass)), parsed);
    }

    private static String expand(String template) {
        return template.replace("@ID", ID).replace("@STATIC", STATIC_UID).replace("@S", UID_SYSTEMD)
                .replace("@U", UID);
    }
}
