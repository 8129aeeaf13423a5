package io.nodescope.span;

import io.nodescope.proc.WorkloadIdentity;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.resources.Resource;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One Resource object per workload. The OTLP marshaler groups spans into ResourceSpans by
 * Resource identity, so equal Resources built twice would be sent as separate groups: build once,
 * reuse. Bounded (least recently used evicted) because workloads come and go on a node.
 */
public final class WorkloadResources {
    /** The cgroup a workload runs in: its most stable identity without a container runtime's help. */
    public static final AttributeKey<String> CGROUP_PATH = WorkloadIdentity.CGROUP_PATH;
    static final int MAX_WORKLOADS = 4096;

    private final Resource node;
    private final Map<WorkloadIdentity, Resource> byWorkload = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<WorkloadIdentity, Resource> eldest) {
            return size() > MAX_WORKLOADS;
        }
    };

    /** node: the daemon's configured Resource (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, host). */
    public WorkloadResources(Resource node) {
        // Its attributes only: the SDK's autoconfigured Resource ties service.* to a "service"
        // entity and logs a warning on every merge that replaces service.name, which every
        // workload's does.
        this.node = Resource.create(node.getAttributes(), node.getSchemaUrl());
    }

    /**
     * The node's Resource with the workload's attributes over it (a workload's service.name
     * replaces the daemon's). Equal identities get the same Resource object.
     */
    public synchronized Resource forWorkload(WorkloadIdentity identity) {
        return byWorkload.computeIfAbsent(identity, i -> node.merge(Resource.create(i.toResourceAttributes())));
    }
}
