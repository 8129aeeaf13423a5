package io.nodescope.proc;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import static io.nodescope.proc.TestPods.containerId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PodDirectoryTest {
    private static final Duration RETENTION = Duration.ofMinutes(10);
    private final AtomicLong now = new AtomicLong(1_000);
    private final PodDirectory directory = new PodDirectory(RETENTION, now::get);

    @Test
    void findsAPodByItsContainersId() {
        directory.upsert(TestPods.pod("cart", "uid-1", containerId('a')));

        PodDirectory.ContainerOfPod found = directory.byContainerId(containerId('a')).orElseThrow();

        assertEquals("cart", found.pod().name());
        assertEquals("shop", found.pod().namespace());
        assertEquals("cart-app", found.pod().serviceName());
        assertEquals(Optional.of(PodQosClass.BURSTABLE), found.pod().qosClass());
        assertEquals(new KnownPod.KnownContainer("main", "containerd"), found.container());
        assertEquals(Optional.of(found.pod()), directory.byUid("uid-1"));
    }

    /** After an OOM kill the kubelet restarts the container: the dead one's id moves to lastState. */
    @Test
    void theRestartedContainersPreviousIdStillResolves() {
        directory.upsert(TestPods.pod("cart", "uid-1", containerId('a')));
        directory.upsert(TestPods.running("cart", "uid-1", containerId('b')).editStatus()
                .withContainerStatuses(new ContainerStatusBuilder().withName("main")
                        .withContainerID("containerd://" + containerId('b'))
                        .withNewLastState().withNewTerminated().withReason("OOMKilled").withExitCode(137)
                        .withContainerID("containerd://" + containerId('a')).endTerminated().endLastState().build())
                .endStatus().build());

        assertEquals("main", directory.byContainerId(containerId('a')).orElseThrow().container().name());
        assertEquals("main", directory.byContainerId(containerId('b')).orElseThrow().container().name());
    }

    @Test
    void idsThatLeftTheStatusAreForgotten() {
        directory.upsert(TestPods.pod("cart", "uid-1", containerId('a')));
        directory.upsert(TestPods.pod("cart", "uid-1", containerId('b')));

        assertEquals(Optional.empty(), directory.byContainerId(containerId('a')));
    }

    @Test
    void aDeletedPodIsKeptForItsRetentionThenDropped() {
        Pod pod = TestPods.pod("cart", "uid-1", containerId('a'));
        directory.upsert(pod);
        directory.delete(pod);

        now.addAndGet(RETENTION.toNanos() - 1);
        directory.upsert(TestPods.pod("other", "uid-2", containerId('c')));
        assertTrue(directory.byContainerId(containerId('a')).isPresent(), "kept within the retention");

        now.addAndGet(1);
        directory.upsert(TestPods.pod("other", "uid-2", containerId('c')));
        assertEquals(Optional.empty(), directory.byContainerId(containerId('a')));
        assertEquals(Optional.empty(), directory.byUid("uid-1"));
        assertEquals(1, directory.size());
    }
}
