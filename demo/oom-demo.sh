#!/usr/bin/env bash
# Provokes one real OOM kill: runs demo/oom-alloc inside a fresh 64 MiB memory cgroup,
# reports how it died and what the memcg counted, and removes the cgroup on every path.
# Run nodescope alongside (`sudo make run`) to see the kill as a span.
#
# Usage: sudo demo/oom-demo.sh [oom-alloc options: -c chunk-MiB -t total-MiB -p pause-s]
set -euo pipefail

readonly LIMIT_BYTES=$((64 * 1024 * 1024))
readonly NAME_PREFIX=nodescope-demo-
readonly CGROUP_MOUNT=/sys/fs/cgroup
# How long cleanup waits for the cgroup to empty after killing our child.
readonly EMPTY_WAIT_TENTHS=50

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
memory_version=""
memory_root=""
cgroup=""
# Set only while the child is unreaped, so cleanup never signals a recycled pid.
child_pid=""

log() { echo "oom-demo: $*"; }
fail() { echo "oom-demo: $*" >&2; exit 1; }

# Sets memory_version (1 or 2) and memory_root, the directory new memory cgroups go under.
# v2 only counts when children can use the controller (cgroup.subtree_control); this
# machine family has v1 memory plus a memory-less cgroup2, most current nodes pure v2.
find_memory_hierarchy() {
	if grep -qw memory "$CGROUP_MOUNT/cgroup.subtree_control" 2>/dev/null; then
		memory_version=2
		memory_root=$CGROUP_MOUNT
	elif [[ -f $CGROUP_MOUNT/memory/memory.limit_in_bytes ]]; then
		memory_version=1
		memory_root=$CGROUP_MOUNT/memory
	else
		fail "no usable memory cgroup: neither $CGROUP_MOUNT/cgroup.subtree_control lists memory (v2) nor $CGROUP_MOUNT/memory is mounted (v1)"
	fi
}

# Swap would let the allocator page out instead of being killed, so swap is capped too.
set_limit() {
	if [[ $memory_version == 2 ]]; then
		echo "$LIMIT_BYTES" >"$cgroup/memory.max"
		if [[ -f $cgroup/memory.swap.max ]]; then echo 0 >"$cgroup/memory.swap.max"; fi
	else
		# memsw (memory+swap) may never be below the memory limit: memory first.
		echo "$LIMIT_BYTES" >"$cgroup/memory.limit_in_bytes"
		if [[ -f $cgroup/memory.memsw.limit_in_bytes ]]; then
			echo "$LIMIT_BYTES" >"$cgroup/memory.memsw.limit_in_bytes"
		fi
	fi
}

oom_kill_count() {
	local counters=memory.oom_control
	if [[ $memory_version == 2 ]]; then counters=memory.events; fi
	awk '$1 == "oom_kill" { print $2 }' "$cgroup/$counters"
}

# Cgroups of earlier runs that were themselves SIGKILLed (no trap runs then): empty ones
# whose owning script is gone. Parallel runs keep theirs: their pid is alive.
remove_stale_cgroups() {
	local stale owner
	for stale in "$memory_root/$NAME_PREFIX"*; do
		[[ -d $stale ]] || continue
		owner=${stale##*"$NAME_PREFIX"}
		[[ $owner =~ ^[0-9]+$ ]] || continue
		if ! kill -0 "$owner" 2>/dev/null && [[ -z $(cat "$stale/cgroup.procs") ]]; then
			rmdir "$stale" && log "removed stale $stale"
		fi
	done
}

cleanup() {
	local tenths=0
	[[ -n $cgroup && -d $cgroup ]] || return 0
	# Only our own child: anything else in the cgroup is left alone and reported.
	if [[ -n $child_pid ]] && kill -0 "$child_pid" 2>/dev/null; then
		kill -KILL "$child_pid" 2>/dev/null || true
		wait "$child_pid" 2>/dev/null || true
	fi
	# rmdir fails with EBUSY while a task is still in the cgroup, and exit is not instant.
	while [[ -n $(cat "$cgroup/cgroup.procs") ]]; do
		if ((tenths++ >= EMPTY_WAIT_TENTHS)); then
			echo "oom-demo: $cgroup still holds pids $(tr '\n' ' ' <"$cgroup/cgroup.procs"); left in place" >&2
			return 0
		fi
		sleep 0.1
	done
	rmdir "$cgroup"
	log "removed $cgroup"
}

describe_exit() {
	local pid=$1 status=$2 kills=$3 signal
	if ((status > 128)); then
		signal=$((status - 128))
		log "oom-alloc (pid $pid) was killed by SIG$(kill -l "$signal") (signal $signal): a shell sees exit status $status = 128 + $signal"
	else
		log "oom-alloc (pid $pid) exited by itself with status $status"
	fi
	if ((kills > 0)); then
		log "the memory cgroup's OOM killer ran: oom_kill = $kills (limit $((LIMIT_BYTES / 1024 / 1024)) MiB)"
	else
		log "the memory cgroup recorded no OOM kill (oom_kill = 0)"
	fi
}

main() {
	if [[ $(id -u) != 0 ]]; then
		fail "needs root to create a memory cgroup; run: sudo make demo-oom"
	fi
	find_memory_hierarchy
	remove_stale_cgroups
	local binary pid status=0
	binary=$("$repo_root/demo/build-oom-alloc.sh")

	trap cleanup EXIT
	# Exiting from the handler runs the EXIT trap, so an interrupted run cleans up too.
	trap 'exit 130' INT
	trap 'exit 143' TERM

	cgroup=$memory_root/$NAME_PREFIX$$
	mkdir "$cgroup"
	set_limit
	log "cgroup v$memory_version $cgroup, limit $((LIMIT_BYTES / 1024 / 1024)) MiB"

	# The child shell joins the cgroup, then execs: oom-alloc is inside from its first instruction.
	# shellcheck disable=SC2016 # $$ and $@ belong to the child shell
	sh -c 'echo $$ >"$0" && exec "$@"' "$cgroup/cgroup.procs" "$binary" "$@" &
	child_pid=$!
	pid=$child_pid
	wait "$pid" || status=$?
	child_pid=""
	describe_exit "$pid" "$status" "$(oom_kill_count)"
}

main "$@"
