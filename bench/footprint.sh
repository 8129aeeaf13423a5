#!/usr/bin/env bash
# Footprint benchmark: the daemon's resident memory with nodescope's JVM flags
# (deploy/jvm.options, what `make run` and the image use) side by side with the JVM's defaults, in
# the same run. Started as `make run` starts it (as root, console output, no OTLP endpoint) for
# the idle figures; with OTLP pointed at a loopback port where nothing listens and real OOM kills
# (demo/oom-demo.sh --repeat) until the export queue holds its 2048 spans for the full-queue ones.
# See bench/README.md.
#
# Knobs: RUNS (medians over them), SETTLE_SECONDS (after ready / after the queue filled),
# SAMPLE_SECONDS (one VmRSS sample a second), CONFIGS (which of "defaults nodescope" to run).
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
SETTLE_SECONDS=${SETTLE_SECONDS:-10}
SAMPLE_SECONDS=${SAMPLE_SECONDS:-20}
CONFIGS=${CONFIGS:-"defaults nodescope"}
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAR=daemon/target/nodescope.jar
JVM_OPTIONS=deploy/jvm.options
OUT=build/bench/footprint
# Port 1 (tcpmux) on loopback: nothing listens there, so every export fails and is retried, as
# with a collector that is down.
DEAD_COLLECTOR=http://127.0.0.1:1
QUEUE_SIZE=2048
# Kills per round while filling the queue; a small limit makes each kill a few milliseconds.
KILLS_PER_ROUND=200
KILL_LIMIT_MIB=8

fail() { echo "footprint: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || fail "needs root to load BPF programs and cause OOM kills; run 'sudo make bench-footprint'"
[ -f "$JAR" ] || fail "$JAR missing; run 'make build' first"

# "defaults": only the options the daemon cannot start without (the file's -- lines), every
# heap, collector and compiler setting left to the JVM. "nodescope": the whole file.
jvm_flags() {
	case $1 in
		defaults) grep -E '^--' "$JVM_OPTIONS" ;;
		nodescope) echo "@$JVM_OPTIONS" ;;
		*) fail "unknown configuration '$1' (known: defaults nodescope)" ;;
	esac
}

daemon_pid=""
stop_daemon() {
	[ -n "$daemon_pid" ] || return 0
	kill -TERM "$daemon_pid" 2>/dev/null || true
	wait "$daemon_pid" 2>/dev/null || true
	daemon_pid=""
}
trap stop_daemon EXIT
# Exiting from the handler runs the EXIT trap, so an interrupted run stops its daemon too.
trap 'exit 130' INT
trap 'exit 143' TERM

# A loopback port nothing listens on, for the daemon's /readyz and /metrics (several daemons may
# run on this machine: 9464 may be taken).
free_port() {
	local port
	while :; do
		port=$((20000 + RANDOM % 20000))
		ss -Htln "sport = :$port" | grep -q . || { echo "$port"; return; }
	done
}

# Starts the daemon in the background (extra environment in "$@") and waits until /readyz answers
# (the BPF probes are attached); sets daemon_pid and metrics_url.
start_daemon() {
	local config=$1 log=$2 tenths=0 address
	shift 2
	address=127.0.0.1:$(free_port)
	# shellcheck disable=SC2046 # one flag per line of the options file
	env "$@" "$JAVA_HOME/bin/java" $(jvm_flags "$config") -jar "$JAR" --http-address "$address" \
		>"$log" 2>&1 &
	daemon_pid=$!
	until curl -sf -o /dev/null "http://$address/readyz"; do
		kill -0 "$daemon_pid" 2>/dev/null || fail "the daemon exited during start-up; see $log"
		((tenths++ < 600)) || fail "the daemon was not ready within 60 s; see $log"
		sleep 0.1
	done
	metrics_url=http://$address/metrics
}

status_kib() {
	awk -v field="$1:" '$1 == field { print $2 }' "/proc/$daemon_pid/status"
}

median() {
	sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

# One VmRSS sample a second into the series file; prints their median (KiB).
sample_rss() {
	local series=$1 second
	for ((second = 1; second <= SAMPLE_SECONDS; second++)); do
		echo "$(date +%s.%N) $(status_kib VmRSS)" >>"$series"
		sleep 1
	done
	tail -n "$SAMPLE_SECONDS" "$series" | awk '{ print $2 }' | median
}

queued_spans() {
	curl -sf "$metrics_url" | awk '/^nodescope_export_queue_spans\{exporter="otlp"\}/ { print int($2) }'
}

metric() {
	curl -sf "$metrics_url" | awk -v name="$1" '$1 == name { print int($2) }'
}

# Idle: as `make run` starts it; the peak (VmHWM) is the start-up's.
measure_idle() {
	local config=$1 run=$2 base=$OUT/$1-idle-$2 rss
	: >"$base.rss"
	start_daemon "$config" "$base.log"
	echo "$(date +%s.%N) $(status_kib VmRSS) ready" >>"$base.rss"
	sleep "$SETTLE_SECONDS"
	rss=$(sample_rss "$base.rss")
	echo "$config idle run=$run rss_kib=$rss hwm_kib=$(status_kib VmHWM)" | tee -a "$OUT/results.txt"
	stop_daemon
}

# Full queue: OTLP only, to a collector that is down, and real OOM kills until 2048 spans wait.
measure_full_queue() {
	local config=$1 run=$2 base=$OUT/$1-full-$2 rss kills=0
	: >"$base.rss"
	start_daemon "$config" "$base.log" OTEL_EXPORTER_OTLP_ENDPOINT="$DEAD_COLLECTOR" \
		OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf
	while (($(queued_spans) < QUEUE_SIZE)); do
		((kills < 4 * QUEUE_SIZE)) || fail "the queue did not fill after $kills kills; see $base.log"
		demo/oom-demo.sh --repeat "$KILLS_PER_ROUND" --limit-mib "$KILL_LIMIT_MIB" >>"$base.kills.log" 2>&1 ||
			fail "causing OOM kills failed; see $base.kills.log"
		kills=$((kills + KILLS_PER_ROUND))
		echo "$(date +%s.%N) $(status_kib VmRSS) kills=$kills" >>"$base.rss"
	done
	# Spans held from here on: the queue's 2048, waiting or in a failing export (the gauge counts
	# only those waiting); what came after is dropped.
	sleep "$SETTLE_SECONDS"
	rss=$(sample_rss "$base.rss")
	echo "$config full run=$run rss_kib=$rss hwm_kib=$(status_kib VmHWM) kills=$kills" \
		"dropped=$(metric 'nodescope_spans_dropped_total{exporter="otlp"}')" \
		"exported=$(metric 'nodescope_spans_exported_total{exporter="otlp"}')" | tee -a "$OUT/results.txt"
	stop_daemon
}

rm -rf "$OUT"
mkdir -p "$OUT"
echo "footprint: $RUNS runs of: ${CONFIGS// / and } idle, then with a full export queue; samples in $OUT/"
for ((run = 1; run <= RUNS; run++)); do
	for config in $CONFIGS; do
		measure_idle "$config" "$run"
		measure_full_queue "$config" "$run"
	done
done

mib() { awk '{ printf "%.0f", $1 / 1024 }'; }
field() { awk -v config="$1" -v phase="$2" -v key="$3=" '$1 == config && $2 == phase {
	for (i = 3; i <= NF; i++) if (index($i, key) == 1) print substr($i, length(key) + 1) }' "$OUT/results.txt"; }
echo
echo "medians of $RUNS runs (MiB)"
printf '%-10s %14s %10s %16s %16s\n' config start-up-peak idle-rss full-queue-rss full-queue-peak
for config in $CONFIGS; do
	printf '%-10s %14s %10s %16s %16s\n' "$config" \
		"$(field "$config" idle hwm_kib | median | mib)" "$(field "$config" idle rss_kib | median | mib)" \
		"$(field "$config" full rss_kib | median | mib)" "$(field "$config" full hwm_kib | median | mib)"
done | tee "$OUT/summary.txt"
