package io.nodescope.proc;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;

import java.util.Map;

/** Pods as the API server returns them for a node, with the fields the enrich stage reads. */
final class TestPods {
    static final String NODE = "node-a";

    private TestPods() {}

    static String containerId(char digit) {
        return String.valueOf(digit).repeat(64);
    }

    /** A running pod on NODE with one container "main" of the given id, run by containerd. */
    static PodBuilder running(String name, String uid, String containerId) {
        return new PodBuilder()
                .withNewMetadata().withName(name).withNamespace("shop").withUid(uid)
                .withLabels(Map.of("app.kubernetes.io/name", name + "-app", NodeSelectingCrudDispatcher.NODE_LABEL, NODE))
                .endMetadata()
                .withNewSpec().withNodeName(NODE).addNewContainer().withName("main").withImage("busybox").endContainer()
                .endSpec()
                .withNewStatus().withQosClass("Burstable")
                .withContainerStatuses(new ContainerStatusBuilder().withName("main")
                        .withContainerID("containerd://" + containerId).build())
                .endStatus();
    }

    static Pod pod(String name, String uid, String containerId) {
        return running(name, uid, containerId).build();
    }
}
