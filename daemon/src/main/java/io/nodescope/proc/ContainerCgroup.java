package io.nodescope.proc;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a cgroup path says about the container and pod inside it, for the layouts container
 * runtimes and kubelet create:
 * <ul>
 *   <li>kubelet, systemd driver: /kubepods.slice/kubepods-burstable.slice/
 *       kubepods-burstable-pod&lt;uid with '_' for '-'&gt;.slice/cri-containerd-&lt;id&gt;.scope
 *       (crio-&lt;id&gt;.scope, docker-&lt;id&gt;.scope); Guaranteed pods sit right under kubepods.slice</li>
 *   <li>kubelet, cgroupfs driver: /kubepods/besteffort/pod&lt;uid&gt;/&lt;id&gt; (crio-&lt;id&gt; for CRI-O)</li>
 *   <li>Docker alone: /docker/&lt;id&gt; or /system.slice/docker-&lt;id&gt;.scope; Podman: libpod-&lt;id&gt;.scope</li>
 *   <li>nested nodes (kind, minikube): the node's own cgroup before kubepods, e.g.
 *       /docker/&lt;node id&gt;/kubepods/... or /kubelet.slice/kubelet-kubepods.slice/...</li>
 * </ul>
 * The innermost container wins, and a container segment above the pod is the node's, not the
 * workload's. CRI-O's conmon (crio-conmon-&lt;id&gt;) monitors a container from outside it and is
 * not the container.
 *
 * @param containerId 64 hex digits, as the runtime and the Kubernetes API name it
 * @param runtime     "containerd", "cri-o", "docker" or "podman"; empty when the layout does not say
 *                    (kubelet's cgroupfs driver names containerd's and Docker's containers alike)
 * @param podUid      with dashes, as the Kubernetes API spells it
 * @param qosClass    present exactly when podUid is
 */
record ContainerCgroup(Optional<String> containerId, Optional<String> runtime, Optional<String> podUid,
                       Optional<PodQosClass> qosClass) {
    static final ContainerCgroup NONE = new ContainerCgroup(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty());

    private static final String ID = "([0-9a-f]{64})";
    private static final Pattern CONMON = Pattern.compile("crio-conmon-[0-9a-f]{64}(\\.scope)?");
    private static final Pattern SCOPED_CONTAINER = Pattern.compile(
            "(cri-containerd|crio|docker|libpod)-" + ID + "(\\.scope)?");
    private static final Pattern BARE_CONTAINER = Pattern.compile(ID);
    /** kubepods-pod&lt;uid&gt;.slice, kubepods-burstable-pod&lt;uid&gt;.slice, kubelet-kubepods-...: the systemd driver. */
    private static final Pattern SYSTEMD_POD = Pattern.compile(
            "(?:[a-z0-9]+-)*kubepods(?:-(besteffort|burstable))?-pod([0-9a-f_]+)\\.slice");
    /** Static pods' uids are a config hash without dashes: any hex with dashes is accepted. */
    private static final Pattern CGROUPFS_POD = Pattern.compile("pod([0-9a-f-]+)");

    static ContainerCgroup parse(String cgroupPath) {
        ContainerCgroup found = NONE;
        boolean underKubepods = false;
        String parent = "";
        for (String segment : cgroupPath.split("/")) {
            Matcher systemdPod = SYSTEMD_POD.matcher(segment);
            Matcher cgroupfsPod = CGROUPFS_POD.matcher(segment);
            Matcher scoped = SCOPED_CONTAINER.matcher(segment);
            if (systemdPod.matches()) {
                found = pod(systemdPod.group(2).replace('_', '-'), systemdPod.group(1));
            } else if (underKubepods && cgroupfsPod.matches()) {
                found = pod(cgroupfsPod.group(1), parent.equals("besteffort") || parent.equals("burstable")
                        ? parent : null);
            } else if (CONMON.matcher(segment).matches()) {
                found = withoutContainer(found);
            } else if (scoped.matches()) {
                found = new ContainerCgroup(Optional.of(scoped.group(2)), Optional.of(runtimeOfPrefix(scoped.group(1))),
                        found.podUid, found.qosClass);
            } else if (BARE_CONTAINER.matcher(segment).matches()) {
                Optional<String> runtime = parent.equals("docker") ? Optional.of("docker") : Optional.empty();
                found = new ContainerCgroup(Optional.of(segment), runtime, found.podUid, found.qosClass);
            }
            underKubepods |= segment.equals("kubepods") || segment.endsWith("kubepods.slice");
            parent = segment;
        }
        return found;
    }

    /** A pod segment starts the workload: what was found above it belongs to the node. */
    private static ContainerCgroup pod(String uid, String qosLevel) {
        return new ContainerCgroup(Optional.empty(), Optional.empty(), Optional.of(uid),
                Optional.of(qosLevel == null ? PodQosClass.GUARANTEED : PodQosClass.ofCgroupLevel(qosLevel)));
    }

    private static ContainerCgroup withoutContainer(ContainerCgroup found) {
        return new ContainerCgroup(Optional.empty(), Optional.empty(), found.podUid, found.qosClass);
    }

    private static String runtimeOfPrefix(String prefix) {
        return switch (prefix) {
            case "cri-containerd" -> "containerd";
            case "crio" -> "cri-o";
            case "libpod" -> "podman";
            default -> prefix;
        };
    }
}
