package io.nodescope.proc;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class WorkloadIdentityTest {
    @Test
    void everyKnownFieldBecomesItsConventionalAttribute() {
        WorkloadIdentity identity = WorkloadIdentity.builder()
                .containerId(Optional.of("c0ffee")).containerRuntime(Optional.of("containerd"))
                .podUid(Optional.of("uid-1")).podName(Optional.of("cart-1")).namespaceName(Optional.of("shop"))
                .containerName(Optional.of("main")).qosClass(Optional.of(PodQosClass.BEST_EFFORT))
                .nodeName(Optional.of("node-a")).serviceName(Optional.of("cart"))
                .cgroupPath(Optional.of("/kubepods/besteffort/poduid-1/c0ffee"))
                .executableName(Optional.of("java")).executablePath(Optional.of("/usr/bin/java"))
                .commandLine(Optional.of("java -jar app.jar"))
                .build();

        assertEquals(Attributes.builder()
                .put(AttributeKey.stringKey("container.id"), "c0ffee")
                .put(AttributeKey.stringKey("container.runtime.name"), "containerd")
                .put(AttributeKey.stringKey("k8s.pod.uid"), "uid-1")
                .put(AttributeKey.stringKey("k8s.pod.name"), "cart-1")
                .put(AttributeKey.stringKey("k8s.namespace.name"), "shop")
                .put(AttributeKey.stringKey("k8s.container.name"), "main")
                .put(AttributeKey.stringKey("nodescope.k8s.pod.qos_class"), "BestEffort")
                .put(AttributeKey.stringKey("k8s.node.name"), "node-a")
                .put(AttributeKey.stringKey("service.name"), "cart")
                .put(AttributeKey.stringKey("nodescope.cgroup.path"), "/kubepods/besteffort/poduid-1/c0ffee")
                .put(AttributeKey.stringKey("process.executable.name"), "java")
                .put(AttributeKey.stringKey("process.executable.path"), "/usr/bin/java")
                .put(AttributeKey.stringKey("process.command_line"), "java -jar app.jar")
                .build(), identity.toResourceAttributes());
    }

    @Test
    void nothingKnownIsNoAttributes() {
        assertEquals(Attributes.empty(), WorkloadIdentity.builder().build().toResourceAttributes());
    }
}
