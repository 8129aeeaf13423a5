/**
 * What led to an OOM kill: a rolling history of every limited memory cgroup, sampled by the daemon
 * from the cgroup files (the kernel's vmscan tracepoints only cover the last second before a memcg
 * kill), and the rules that turn it into a verdict on the kill's span.
 */
package io.nodescope.module.oom.incident;
