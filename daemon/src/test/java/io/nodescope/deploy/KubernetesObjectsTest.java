package io.nodescope.deploy;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The schema check HelmChartTest relies on catches what it claims to. */
class KubernetesObjectsTest {
    private static final String DAEMON_SET = """
            apiVersion: apps/v1
            kind: DaemonSet
            metadata:
              name: planted
            spec:
              selector:
                matchLabels: {app: planted}
              template:
                metadata:
                  labels: {app: planted}
                spec:
                  %s
                  containers:
                    - name: planted
                      image: planted
                      ports:
                        - containerPort: %s
            """;

    @Test
    void validObjectHasNothingOutsideTheSchema() {
        assertEquals(List.of(), KubernetesObjects.fieldsOutsideSchema(
                KubernetesObjects.parse(DAEMON_SET.formatted("hostPID: true", "9464"))));
    }

    @Test
    void findsAMisspeltField() {
        assertEquals(List.of("DaemonSet.spec.template.spec.hostPIDD"), KubernetesObjects.fieldsOutsideSchema(
                KubernetesObjects.parse(DAEMON_SET.formatted("hostPIDD: true", "9464"))));
    }

    @Test
    void refusesAValueOfTheWrongType() {
        assertThrows(IllegalArgumentException.class,
                () -> KubernetesObjects.parse(DAEMON_SET.formatted("hostPID: true", "http-metrics")));
    }

    @Test
    void refusesAKindWithoutModel() {
        assertThrows(AssertionError.class, () -> KubernetesObjects.parse("""
                apiVersion: example.com/v1
                kind: Widget
                metadata: {name: planted}
                """));
    }
}
