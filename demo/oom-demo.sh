#!/usr/bin/env bash
# Provokes one real OOM kill inside a fresh 64 MiB memory cgroup, reports how the victim died
# and what the memcg counted, and removes the cgroup on every path. Run nodescope alongside
# (`sudo make run`) to see the kill as a span.
#
# Usage: sudo demo/oom-demo.sh [--neighbour] [--repeat N] [--limit-mib M] [oom-alloc options: -c chunk-MiB -t total-MiB -p pause-s]
#   default      one oom-alloc allocates past the limit and is killed: victim and trigger are one
#   --repeat N   N such kills one after the other in the same cgroup (many spans, e.g. for
#                bench/footprint.sh to fill the export queue)
#   --limit-mib  the cgroup's limit (default 64 MiB); a small one makes each kill quicker
#   --neighbour  a "hog" holds 40 MiB, then an "allocator" pushes the cgroup past its limit: the
#                OOM killer kills the hog (first in line, oom_score_adj 1000), the allocator
#                lives on, and the span names the allocator's stack as the trigger's
set -euo pipefail

LIMIT_BYTES=$((64 * 1024 * 1024))
readonly NAME_PREFIX=nodescope-demo-
readonly CGROUP_MOUNT=/sys/fs/cgroup
# How long cleanup waits for the cgroup to empty after killing our child.
readonly EMPTY_WAIT_TENTHS=50

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
memory_version=""
memory_root=""
cgroup=""
# Our children while unreaped, so cleanup never signals a recycled pid.
children=()

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
	# Only our own children: anything else in the cgroup is left alone and reported.
	local child
	for child in "${children[@]}"; do
		if kill -0 "$child" 2>/dev/null; then
			kill -KILL "$child" 2>/dev/null || true
			wait "$child" 2>/dev/null || true
		fi
	done
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
	local who=$1 pid=$2 status=$3 signal
	if ((status > 128)); then
		signal=$((status - 128))
		log "$who (pid $pid) was killed by SIG$(kill -l "$signal") (signal $signal): a shell sees exit status $status = 128 + $signal"
	else
		log "$who (pid $pid) exited by itself with status $status"
	fi
}

describe_oom_kills() {
	local kills=$1
	if ((kills > 0)); then
		log "the memory cgroup's OOM killer ran: oom_kill = $kills (limit $((LIMIT_BYTES / 1024 / 1024)) MiB)"
	else
		log "the memory cgroup recorded no OOM kill (oom_kill = 0)"
	fi
}

main() {
	neighbour=no
	local repeat=1
	while (($#)); do
		case $1 in
			--neighbour) neighbour=yes ;;
			--repeat) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || fail "--repeat needs a count, e.g. --repeat 100"
				repeat=$2; shift ;;
			--limit-mib) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || fail "--limit-mib needs a size in MiB, e.g. --limit-mib 8"
				LIMIT_BYTES=$(($2 * 1024 * 1024)); shift ;;
			*) break ;;
		esac
		shift
	done
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

	if [[ $neighbour == yes ]]; then
		run_neighbours "$binary"
	elif ((repeat > 1)); then
		run_repeatedly "$repeat" "$binary" "$@"
	else
		start_in_cgroup "$binary" "$@"
		pid=${children[-1]}
		wait "$pid" || status=$?
		describe_exit oom-alloc "$pid" "$status"
	fi
	describe_oom_kills "$(oom_kill_count)"
}

# The child shell joins the cgroup, then execs: the program is inside from its first instruction.
start_in_cgroup() {
	# shellcheck disable=SC2016 # $$ and $@ belong to the child shell
	sh -c 'echo $$ >"$0" && exec "$@"' "$cgroup/cgroup.procs" "$@" &
	children+=("$!")
}

# One oom-alloc after the other; each is reaped before the next starts, so cleanup never
# signals a recycled pid.
run_repeatedly() {
	local count=$1 binary=$2 run pid status
	shift 2
	log "running oom-alloc $count times"
	for ((run = 1; run <= count; run++)); do
		status=0
		start_in_cgroup "$binary" "$@" >/dev/null
		pid=${children[-1]}
		# bash reports each SIGKILLed job on stderr: one line per expected kill is noise here.
		wait "$pid" 2>/dev/null || status=$?
		unset 'children[-1]'
	done
	describe_exit "the last oom-alloc" "$pid" "$status"
}

rss_kib() {
	local kib
	kib=$(awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || true)
	echo "${kib:-0}"
}

run_neighbours() {
	local binary=$1 hog allocator hog_status=0 allocator_status=0 tenths=0
	start_in_cgroup "$binary" -t 40 -H 60 >/dev/null
	hog=${children[-1]}
	# The hog's 40 MiB must be charged before the allocator starts.
	until (($(rss_kib "$hog") >= 40 * 1024)); do
		((tenths++ < 100)) || fail "the hog (pid $hog) did not reach 40 MiB"
		sleep 0.1
	done
	echo 1000 >"/proc/$hog/oom_score_adj"
	log "hog (pid $hog) holds 40 MiB and is first in line for the OOM killer"
	start_in_cgroup "$binary" -t 40 -H 2 >/dev/null
	allocator=${children[-1]}
	log "allocator (pid $allocator) allocates 40 MiB more"
	wait "$hog" || hog_status=$?
	describe_exit hog "$hog" "$hog_status"
	wait "$allocator" || allocator_status=$?
	describe_exit allocator "$allocator" "$allocator_status"
}

main "$@"
