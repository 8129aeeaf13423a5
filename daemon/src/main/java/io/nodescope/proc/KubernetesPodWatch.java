package io.nodescope.proc;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.nodescope.metrics.Counter;
import io.nodescope.metrics.MetricsRegistry;

import java.net.HttpURLConnection;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps a {@link PodDirectory} current from the Kubernetes API: an informer (list, then watch,
 * relist after a lost watch) over the pods with spec.nodeName = this node, so the API server
 * sends only this node's pods. It runs on the client's own threads; start returns at once, so
 * an unreachable API server or RBAC denying the list delays nothing: the directory stays
 * empty (or stale), lookups miss and are counted, and the informer retries with the client's
 * exponential backoff. The first failure of an outage is logged as a warning, the rest at debug.
 * Metrics: watch errors counted, pods known and whether the watch is up as gauges.
 */
final class KubernetesPodWatch implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("nodescope.proc");

    private final KubernetesClient client;
    private final SharedIndexInformer<Pod> informer;

    private KubernetesPodWatch(KubernetesClient client, SharedIndexInformer<Pod> informer) {
        this.client = client;
        this.informer = informer;
    }

    /** Takes ownership of client: {@link #close()} closes it. */
    static KubernetesPodWatch start(KubernetesClient client, String nodeName, PodDirectory directory,
                                    MetricsRegistry metrics) {
        Counter errors = metrics.counter("nodescope_kubernetes_watch_errors_total",
                "Failed lists and watches of this node's pods (API server unreachable, RBAC denying)");
        metrics.gauge("nodescope_kubernetes_pods_known", "Pods of this node known from the Kubernetes API, "
                + "deleted ones in their retention included", directory::size);
        AtomicBoolean failing = new AtomicBoolean();
        // Resync 0: a periodic resync replays the cache to the handler, which keeps it already.
        SharedIndexInformer<Pod> informer = client.pods().inAnyNamespace()
                .withField("spec.nodeName", nodeName)
                .runnableInformer(0);
        informer.exceptionHandler((started, error) -> {
            errors.increment();
            if (failing.compareAndSet(false, true)) {
                LOG.log(System.Logger.Level.WARNING, "cannot watch the pods of node {0} ({1}): spans carry container "
                        + "ids without pod names until it works; retrying", nodeName, describe(error));
            } else {
                LOG.log(System.Logger.Level.DEBUG, "pod watch failed again: {0}", describe(error));
            }
            return true;
        });
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                recovered();
                directory.upsert(pod);
            }

            @Override
            public void onUpdate(Pod previous, Pod pod) {
                recovered();
                directory.upsert(pod);
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                recovered();
                directory.delete(pod);
            }

            private void recovered() {
                if (failing.compareAndSet(true, false)) {
                    LOG.log(System.Logger.Level.INFO, "watching the pods of node {0} again", nodeName);
                }
            }
        });
        // A watch the server dropped is re-established by the client without the exception handler
        // hearing of it: this gauge is what shows an API server that went away after the start.
        metrics.gauge("nodescope_kubernetes_pod_watch_up", "1 while the watch of this node's pods is established",
                () -> informer.isWatching() ? 1 : 0);
        informer.start();
        return new KubernetesPodWatch(client, informer);
    }

    /** The cause and the fix in one line. */
    static String describe(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof KubernetesClientException api && api.getCode() == HttpURLConnection.HTTP_FORBIDDEN) {
                return "forbidden: the service account needs get, list and watch on pods (deploy/rbac.yaml)";
            }
        }
        return error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    }

    @Override
    public void close() {
        informer.stop();
        client.close();
    }
}
