/**
 * Stage 3, enrich: what /proc and the cgroup filesystems say about the pids and cgroup ids an event names.
 */
package io.nodescope.proc;
