package io.nodescope.testing;

/** Cgroup paths as the kubelet lays out a pod's containers, for tests that kill inside a "pod". */
public final class KubeletCgroups {
    private KubeletCgroups() {}

    /** A Burstable pod's containerd container with the systemd cgroup driver, below the hierarchy's root. */
    public static String burstableContainerdContainer(String podUid, String containerId) {
        return "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + podUid.replace('-', '_')
                + ".slice/cri-containerd-" + containerId + ".scope";
    }
}
