package io.nodescope.proc;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ServiceNameRuleTest {
    @Test
    void theAnnotationWinsOverEveryLabel() {
        assertEquals("checkout", ServiceNameRule.of(pod(Map.of(ServiceNameRule.ANNOTATION, "checkout"),
                Map.of("app.kubernetes.io/instance", "shop-prod", "app.kubernetes.io/name", "shop", "app", "a"))));
    }

    @Test
    void wellKnownLabelsInTheConventionsOrder() {
        assertEquals("shop-prod", ServiceNameRule.of(pod(Map.of(),
                Map.of("app.kubernetes.io/instance", "shop-prod", "app.kubernetes.io/name", "shop", "app", "a"))));
        assertEquals("shop", ServiceNameRule.of(pod(Map.of(), Map.of("app.kubernetes.io/name", "shop", "app", "a"))));
        assertEquals("legacy", ServiceNameRule.of(pod(Map.of(), Map.of("app", "legacy"))));
    }

    @Test
    void aDeploymentsPodIsNamedAfterTheDeployment() {
        Pod pod = new PodBuilder(pod(Map.of(), Map.of("pod-template-hash", "7d9f8b6c5")))
                .editMetadata().withOwnerReferences(new OwnerReferenceBuilder().withKind("ReplicaSet")
                        .withName("checkout-7d9f8b6c5").withController(true).build()).endMetadata()
                .build();

        assertEquals("checkout", ServiceNameRule.of(pod));
    }

    @Test
    void anotherControllerLendsItsName() {
        Pod pod = new PodBuilder(pod(Map.of(), Map.of()))
                .editMetadata().withOwnerReferences(new OwnerReferenceBuilder().withKind("StatefulSet")
                        .withName("postgres").withController(true).build()).endMetadata()
                .build();

        assertEquals("postgres", ServiceNameRule.of(pod));
    }

    @Test
    void aBarePodIsItsOwnService() {
        assertEquals("debug-shell", ServiceNameRule.of(pod(Map.of(), Map.of("app", " "))));
    }

    private static Pod pod(Map<String, String> annotations, Map<String, String> labels) {
        return new PodBuilder().withMetadata(new ObjectMetaBuilder().withName("debug-shell").withNamespace("ns")
                .withAnnotations(annotations).withLabels(labels).build()).build();
    }
}
