package io.nodescope.proc;

import io.fabric8.kubernetes.api.model.Pod;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * This node's pods by uid and by container id. One writer (the watch's thread), any number of
 * readers (the event pipeline), which only read concurrent maps and so never wait for the API
 * server. A deleted pod stays for {@code deletedPodRetention}: an OOM-killed container's pod may
 * be deleted (a Job finishing, a rollout) before the kill's event is enriched.
 */
final class PodDirectory {
    record ContainerOfPod(KnownPod pod, KnownPod.KnownContainer container) {}

    private final Map<String, KnownPod> podsByUid = new ConcurrentHashMap<>();
    private final Map<String, ContainerOfPod> containersById = new ConcurrentHashMap<>();
    private final Map<String, Long> deletedAtNanos = new ConcurrentHashMap<>();
    private final long retentionNanos;
    private final LongSupplier nanoTime;

    PodDirectory(Duration deletedPodRetention, LongSupplier nanoTime) {
        this.retentionNanos = deletedPodRetention.toNanos();
        this.nanoTime = nanoTime;
    }

    Optional<ContainerOfPod> byContainerId(String containerId) {
        return Optional.ofNullable(containersById.get(containerId));
    }

    Optional<KnownPod> byUid(String podUid) {
        return Optional.ofNullable(podsByUid.get(podUid));
    }

    int size() {
        return podsByUid.size();
    }

    /**
     * Expires first and publishes the pod by uid last: whoever sees this pod sees the rest of
     * this event's changes too (its containers, the pods whose retention it ended).
     */
    void upsert(Pod pod) {
        removeExpired();
        KnownPod known = KnownPod.of(pod);
        deletedAtNanos.remove(known.uid());
        known.containersById().forEach((id, container) -> containersById.put(id, new ContainerOfPod(known, container)));
        KnownPod previous = podsByUid.put(known.uid(), known);
        if (previous != null) {
            // Containers that left the status (restarted twice since) are gone for good.
            previous.containersById().keySet().stream()
                    .filter(id -> !known.containersById().containsKey(id))
                    .forEach(containersById::remove);
        }
    }

    void delete(Pod pod) {
        deletedAtNanos.put(pod.getMetadata().getUid(), nanoTime.getAsLong());
        removeExpired();
    }

    /**
     * Runs on every watch event rather than on a timer of its own: a quiet node keeps a deleted
     * pod past its retention until the next event, which costs a few hundred bytes, not a thread.
     */
    private void removeExpired() {
        long now = nanoTime.getAsLong();
        deletedAtNanos.entrySet().removeIf(deletion -> {
            if (now - deletion.getValue() < retentionNanos) {
                return false;
            }
            KnownPod removed = podsByUid.remove(deletion.getKey());
            if (removed != null) {
                removed.containersById().keySet().forEach(containersById::remove);
            }
            return true;
        });
    }
}
