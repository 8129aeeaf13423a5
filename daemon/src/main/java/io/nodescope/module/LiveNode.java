package io.nodescope.module;

import io.nodescope.proc.MemcgPaths;
import io.nodescope.proc.ProcessFiles;
import io.nodescope.proc.WorkloadIdentityResolver;
import io.nodescope.symbol.StackSymbolizer;

import java.util.concurrent.ScheduledExecutorService;

/**
 * The services that read this node, for live runs only.
 *
 * @param stacks     capture (at arrival) and name (on the report worker) the stacks of any pid
 * @param workloads  memcg id / pid -> workload identity (container, pod)
 * @param timer      one shared thread for modules' periodic work (e.g. reporting what waited too
 *                   long); keep each task short
 */
public record LiveNode(StackSymbolizer stacks, MemcgPaths memcgPaths, ProcessFiles processFiles,
                       WorkloadIdentityResolver workloads, ScheduledExecutorService timer) {
}
