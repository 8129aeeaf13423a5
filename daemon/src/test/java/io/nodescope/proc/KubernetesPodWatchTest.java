package io.nodescope.proc;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.nodescope.metrics.MetricsRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import static io.nodescope.proc.TestPods.NODE;
import static io.nodescope.proc.TestPods.containerId;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Against fabric8's mock API server: crud mode keeps pods and sends watch events like an API server. */
class KubernetesPodWatchTest {
    private static final Duration RETENTION = Duration.ofMinutes(10);
    private final AtomicLong now = new AtomicLong();
    private final PodDirectory directory = new PodDirectory(RETENTION, now::get);
    private final MetricsRegistry metrics = new MetricsRegistry();
    private KubernetesMockServer server;
    private KubernetesPodWatch watch;

    @AfterEach
    void stop() {
        if (watch != null) {
            watch.close();
        }
        server.destroy();
    }

    @Test
    void learnsThisNodesPodsFromTheListAndTheWatch() {
        KubernetesClient api = startCrudServer();
        api.resource(TestPods.pod("listed", "uid-listed", containerId('a'))).create();
        String elsewhere = uidOf(api.resource(TestPods.running("elsewhere", "uid-elsewhere", containerId('e'))
                .editSpec().withNodeName("node-b").endSpec()
                .editMetadata().addToLabels(NodeSelectingCrudDispatcher.NODE_LABEL, "node-b").endMetadata()
                .build()).create());

        watch = KubernetesPodWatch.start(api, NODE, directory, metrics);
        awaitWatchUp();
        awaitPod(uidOf(api.resource(TestPods.pod("watched", "uid-watched", containerId('b'))).create()));

        assertEquals("listed", directory.byContainerId(containerId('a')).orElseThrow().pod().name());
        assertEquals("watched", directory.byContainerId(containerId('b')).orElseThrow().pod().name());
        assertEquals(Optional.empty(), directory.byUid(elsewhere), "another node's pod");
        assertEquals(2, metric("nodescope_kubernetes_pods_known"));
    }

    @Test
    void aDeletedPodResolvesUntilItsRetentionEnds() {
        KubernetesClient api = startCrudServer();
        Pod victim = api.resource(TestPods.pod("victim", "uid-victim", containerId('a'))).create();
        watch = KubernetesPodWatch.start(api, NODE, directory, metrics);
        awaitPod(uidOf(victim));
        awaitWatchUp();

        api.resource(victim).delete();
        // Events arrive in order: once the next pod is known, the deletion has been handled.
        awaitPod(uidOf(api.resource(TestPods.pod("next", "uid-next", containerId('b'))).create()));
        assertEquals("victim", directory.byContainerId(containerId('a')).orElseThrow().pod().name());

        now.addAndGet(RETENTION.toNanos());
        awaitPod(uidOf(api.resource(TestPods.pod("later", "uid-later", containerId('c'))).create()));
        assertEquals(Optional.empty(), directory.byContainerId(containerId('a')));
    }

    @Test
    void whenTheApiServerGoesAwayWhatIsKnownStays() {
        KubernetesClient api = startCrudServer();
        Pod known = api.resource(TestPods.pod("known", "uid-known", containerId('a'))).create();
        watch = KubernetesPodWatch.start(api, NODE, directory, metrics);
        awaitPod(uidOf(known));
        awaitWatchUp();

        server.destroy();

        Await.until("the watch reported down", () -> metric("nodescope_kubernetes_pod_watch_up") == 0);
        assertEquals("known", directory.byContainerId(containerId('a')).orElseThrow().pod().name());
    }

    @Test
    void rbacDenyingTheListIsCountedAndRetried() {
        server = new KubernetesMockServer(false);
        server.init();
        server.expect().get().withPath("/api/v1/pods?fieldSelector=spec.nodeName%3D" + NODE + "&resourceVersion=0")
                .andReturn(403, new StatusBuilder().withCode(403).withReason("Forbidden")
                        .withMessage("pods is forbidden: User \"system:serviceaccount:nodescope:nodescope\" "
                                + "cannot list resource \"pods\" at the cluster scope").build())
                .always();

        watch = KubernetesPodWatch.start(server.createClient(), NODE, directory, metrics);

        Await.until("a retry after the first refusal", () -> metric("nodescope_kubernetes_watch_errors_total") >= 2);
        assertEquals(0, directory.size());
    }

    private KubernetesClient startCrudServer() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new NodeSelectingCrudDispatcher(), false);
        server.init();
        return server.createClient();
    }

    /** The mock, like an API server, gives created pods uids of its own. */
    private static String uidOf(Pod created) {
        return created.getMetadata().getUid();
    }

    /** The mock keeps no event history: what happens between the list and the watch would be lost. */
    private void awaitWatchUp() {
        Await.until("the watch up", () -> metric("nodescope_kubernetes_pod_watch_up") == 1);
    }

    private void awaitPod(String uid) {
        Await.until("pod " + uid + " in the directory", () -> directory.byUid(uid).isPresent());
    }

    private long metric(String name) {
        return metrics.renderPrometheusText().lines()
                .filter(line -> line.startsWith(name + " "))
                .mapToLong(line -> (long) Double.parseDouble(line.substring(line.indexOf(' ') + 1)))
                .sum();
    }
}
