package io.nodescope.span;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.opentelemetry.sdk.resources.Resource;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WorkloadResourcesTest {
    private final WorkloadResources resources = new WorkloadResources(Resource.empty());

    private Resource forPath(String path) {
        return resources.forCgroup(Optional.of(path));
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
}
