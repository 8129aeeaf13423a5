#!/usr/bin/env bash
# Ring drain benchmark: the Java consumer (MappedRing + RingPoller) against libbpf's
# ring_buffer__poll (as libbpf sets it up, and with the ring edge-triggered), on the same BPF object and the same load, side by side. See bench/README.md.
# Knobs: EVENTS per run, RUNS (medians over them, after one warm-up), LOAD_CPU / CONSUMER_CPU,
# WAKEUP_MODES (bytes waiting before the program wakes the consumer; 0 = kernel's adaptive wake-up).
set -euo pipefail
cd "$(dirname "$0")/.."

EVENTS=${EVENTS:-5000000}
RUNS=${RUNS:-5}
LOAD_CPU=${LOAD_CPU:-1}
CONSUMER_CPU=${CONSUMER_CPU:-0}
WAKEUP_MODES=${WAKEUP_MODES:-"262144 0"}
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAR=daemon/target/nodescope.jar
OUT=build/bench

[ "$(id -u)" = 0 ] || { echo "bench: needs root to load BPF programs; run 'sudo make bench'" >&2; exit 1; }
[ -f "$JAR" ] || { echo "bench: $JAR missing; run 'make build' first" >&2; exit 1; }
# Tracepoint attachment looks up the event id in tracefs.
[ -d /sys/kernel/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing

mkdir -p "$OUT"
make -s build/bpf/vmlinux.h
clang -O2 -g -target bpf -Ibuild/bpf -Ibench -Wall -Werror -c bench/ringbench.bpf.c -o "$OUT/ringbench.bpf.o"
gcc -O2 -Wall -Werror -o "$OUT/loadgen" bench/loadgen.c
gcc -O2 -Wall -Werror -Ibench -o "$OUT/ring_consumer" bench/ring_consumer.c -lbpf

for wakeup in $WAKEUP_MODES; do
    args=("$OUT/ringbench.bpf.o" "$OUT/loadgen" "$EVENTS" "$RUNS" "$LOAD_CPU" "$wakeup")
    taskset -c "$CONSUMER_CPU" "$OUT/ring_consumer" "${args[@]}"
    taskset -c "$CONSUMER_CPU" "$OUT/ring_consumer" "${args[@]}" et
    taskset -c "$CONSUMER_CPU" "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED \
        -cp "$JAR" bench/RingDrainBench.java "${args[@]}"
done | tee "$OUT/results.txt" | awk -f bench/summarize.awk
