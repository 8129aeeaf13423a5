package io.nodescope.span;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.nodescope.proc.WorkloadIdentity;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.resources.Resource;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WorkloadResourcesTest {
    private final WorkloadResources resources = new WorkloadResources(Resource.empty());

    private Resource forPath(String path) {
        return resources.forWorkload(WorkloadIdentity.builder().cgroupPath(Optional.of(path)).build());
    }

    private void fillWithOthers(int count) {
        for (int i = 0; i < count; i++) {
            forPath("/other/" + i);
        }
    }

    @Test
    void leastRecentlyUsedWorkloadIsEvictedBeyondTheBound() {
        Resource first = forPath("/a");

        fillWithOthers(WorkloadResources.MAX_WORKLOADS);

        Resource rebuilt = forPath("/a");
        assertNotSame(first, rebuilt);
        assertEquals(first, rebuilt);
    }

    @Test
    void recentlyUsedWorkloadSurvivesEviction() {
        Resource first = forPath("/a");
        fillWithOthers(WorkloadResources.MAX_WORKLOADS - 1);

        forPath("/a");
        forPath("/one-more");

        assertSame(first, forPath("/a"));
    }

    @Test
    void oneResourceObjectPerWorkloadIdentity() {
        WorkloadIdentity cart = WorkloadIdentity.builder().podUid(Optional.of("uid-1"))
                .containerId(Optional.of("c1")).serviceName(Optional.of("cart")).build();

        Resource first = resources.forWorkload(cart);

        assertSame(first, resources.forWorkload(WorkloadIdentity.builder().podUid(Optional.of("uid-1"))
                .containerId(Optional.of("c1")).serviceName(Optional.of("cart")).build()));
        assertEquals("uid-1", first.getAttribute(AttributeKey.stringKey("k8s.pod.uid")));
    }

    @Test
    void theWorkloadsServiceNameReplacesTheDaemons() {
        WorkloadResources withNode = new WorkloadResources(Resource.create(Attributes.of(
                AttributeKey.stringKey("service.name"), "nodescope", AttributeKey.stringKey("k8s.node.name"), "n1")));

        Resource workload = withNode.forWorkload(WorkloadIdentity.builder().serviceName(Optional.of("cart")).build());

        assertEquals("cart", workload.getAttribute(AttributeKey.stringKey("service.name")));
        assertEquals("n1", workload.getAttribute(AttributeKey.stringKey("k8s.node.name")));
    }
}
