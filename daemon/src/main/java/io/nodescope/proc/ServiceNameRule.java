package io.nodescope.proc;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;

import java.util.Map;
import java.util.Optional;

/**
 * A pod's service.name, as the OpenTelemetry Kubernetes conventions (non-normative
 * k8s-attributes) and the Collector's k8sattributes processor derive it, so that an OOM span
 * joins the application's own telemetry. First found wins:
 * <ol>
 *   <li>annotation resource.opentelemetry.io/service.name</li>
 *   <li>label app.kubernetes.io/instance</li>
 *   <li>label app.kubernetes.io/name</li>
 *   <li>label app (the pre-"app.kubernetes.io" convention many charts still use)</li>
 *   <li>the controlling workload's name: a Deployment's for a ReplicaSet's pod (the
 *       ReplicaSet's name less its pod-template-hash), else the owner's (StatefulSet, DaemonSet, Job)</li>
 *   <li>the pod's name</li>
 * </ol>
 */
final class ServiceNameRule {
    static final String ANNOTATION = "resource.opentelemetry.io/service.name";
    private static final String[] LABELS = {"app.kubernetes.io/instance", "app.kubernetes.io/name", "app"};
    private static final String POD_TEMPLATE_HASH = "pod-template-hash";

    private ServiceNameRule() {}

    static String of(Pod pod) {
        ObjectMeta metadata = pod.getMetadata();
        Map<String, String> labels = Optional.ofNullable(metadata.getLabels()).orElse(Map.of());
        Optional<String> name = nonBlank(Optional.ofNullable(metadata.getAnnotations()).orElse(Map.of()).get(ANNOTATION));
        for (int i = 0; name.isEmpty() && i < LABELS.length; i++) {
            name = nonBlank(labels.get(LABELS[i]));
        }
        return name.or(() -> controllerName(metadata, labels)).orElse(metadata.getName());
    }

    private static Optional<String> controllerName(ObjectMeta metadata, Map<String, String> labels) {
        return Optional.ofNullable(metadata.getOwnerReferences()).orElse(java.util.List.of()).stream()
                .filter(owner -> Boolean.TRUE.equals(owner.getController()))
                .findFirst()
                .map(owner -> deploymentName(owner, labels).orElse(owner.getName()));
    }

    private static Optional<String> deploymentName(OwnerReference owner, Map<String, String> labels) {
        String hashSuffix = "-" + labels.get(POD_TEMPLATE_HASH);
        return owner.getKind().equals("ReplicaSet") && labels.containsKey(POD_TEMPLATE_HASH)
                && owner.getName().endsWith(hashSuffix)
                ? Optional.of(owner.getName().substring(0, owner.getName().length() - hashSuffix.length()))
                : Optional.empty();
    }

    private static Optional<String> nonBlank(String value) {
        return Optional.ofNullable(value).filter(v -> !v.isBlank());
    }
}
