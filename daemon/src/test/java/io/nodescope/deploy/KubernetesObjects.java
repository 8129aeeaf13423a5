package io.nodescope.deploy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Rendered YAML read into fabric8's typed Kubernetes API model, which is generated from the
 * API's OpenAPI schema. A value of the wrong type fails the parse; unknown or misspelt fields do
 * not: fabric8 keeps them in each object's additionalProperties, so those maps, empty everywhere
 * in the object tree, are the check. Not checked (no API server here): required fields and enum
 * values.
 */
final class KubernetesObjects {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private KubernetesObjects() {}

    /** The object of one YAML document, typed by its apiVersion and kind. */
    static HasMetadata parse(String yaml) {
        HasMetadata object = SERIALIZATION.unmarshal(yaml);
        if (object instanceof GenericKubernetesResource generic) {
            throw new AssertionError("no typed model for " + generic.getApiVersion() + " " + generic.getKind()
                    + ": not a Kubernetes API type this test knows (add its fabric8 model)");
        }
        return object;
    }

    /** Paths like "spec.template.spec.containers[0].securityContext.hostPIDD" of what the schema lacks. */
    static List<String> fieldsOutsideSchema(HasMetadata object) {
        List<String> found = new ArrayList<>();
        collect(object, object.getKind(), found);
        // HasMetadata's views (getFinalizers, ...) reach some fields twice
        return found.stream().distinct().toList();
    }

    private static void collect(Object node, String path, List<String> found) {
        switch (node) {
            case null -> {}
            case List<?> list -> {
                for (int i = 0; i < list.size(); i++) {
                    collect(list.get(i), path + "[" + i + "]", found);
                }
            }
            case Map<?, ?> map -> map.forEach((key, value) -> collect(value, path + "." + key, found));
            default -> {
                if (!node.getClass().getPackageName().startsWith("io.fabric8")) {
                    return; // a String, number or enum: a leaf
                }
                for (Method getter : node.getClass().getMethods()) {
                    if (isPropertyGetter(getter)) {
                        Object value = invoke(getter, node);
                        if (getter.getName().equals("getAdditionalProperties")) {
                            ((Map<?, ?>) value).keySet().forEach(key -> found.add(path + "." + key));
                        } else {
                            collect(value, path + "." + propertyName(getter), found);
                        }
                    }
                }
            }
        }
    }

    private static boolean isPropertyGetter(Method method) {
        return method.getName().startsWith("get") && method.getParameterCount() == 0
                && !Modifier.isStatic(method.getModifiers())
                && method.getDeclaringClass().getPackageName().startsWith("io.fabric8");
    }

    private static String propertyName(Method getter) {
        String name = getter.getName().substring(3);
        return Character.toLowerCase(name.charAt(0)) + name.substring(1);
    }

    private static Object invoke(Method getter, Object target) {
        try {
            return getter.invoke(target);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + getter + " of the fabric8 model", e);
        }
    }
}
