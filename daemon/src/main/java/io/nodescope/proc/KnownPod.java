package io.nodescope.proc;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What nodescope keeps of a pod from the Kubernetes API: a few names, not the whole object.
 *
 * @param containersById every container id the pod's status names, with the container's name
 *                       and runtime: the running ones and, from lastState, the ones that just
 *                       died, because an OOM-killed container is often replaced before its
 *                       event is enriched
 */
record KnownPod(String uid, String name, String namespace, String serviceName, Optional<PodQosClass> qosClass,
                Map<String, KnownContainer> containersById) {
    record KnownContainer(String name, String runtime) {}

    KnownPod {
        containersById = Map.copyOf(containersById);
    }

    static KnownPod of(Pod pod) {
        PodStatus status = Optional.ofNullable(pod.getStatus()).orElseGet(PodStatus::new);
        Map<String, KnownContainer> containers = new HashMap<>();
        Stream.of(status.getContainerStatuses(), status.getInitContainerStatuses(),
                        status.getEphemeralContainerStatuses())
                .flatMap(statuses -> Optional.ofNullable(statuses).orElse(List.of()).stream())
                .forEach(container -> {
                    put(containers, container.getName(), container.getContainerID());
                    lastContainerId(container).ifPresent(id -> put(containers, container.getName(), id));
                });
        return new KnownPod(pod.getMetadata().getUid(), pod.getMetadata().getName(),
                pod.getMetadata().getNamespace(), ServiceNameRule.of(pod), qosClass(status.getQosClass()),
                containers);
    }

    private static Optional<String> lastContainerId(ContainerStatus container) {
        return Optional.ofNullable(container.getLastState())
                .flatMap(state -> Optional.ofNullable(state.getTerminated()))
                .flatMap(terminated -> Optional.ofNullable(terminated.getContainerID()));
    }

    /** The API spells container ids "&lt;runtime&gt;://&lt;id&gt;", e.g. "containerd://4f1c...". */
    private static void put(Map<String, KnownContainer> containers, String name, String runtimeAndId) {
        if (runtimeAndId == null) {
            return;
        }
        int separator = runtimeAndId.indexOf("://");
        if (separator > 0) {
            containers.put(runtimeAndId.substring(separator + 3),
                    new KnownContainer(name, runtimeAndId.substring(0, separator)));
        }
    }

    private static Optional<PodQosClass> qosClass(String kubernetesName) {
        return Stream.of(PodQosClass.values()).filter(qos -> qos.kubernetesName().equals(kubernetesName)).findFirst();
    }
}
