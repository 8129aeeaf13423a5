#!/bin/bash
# The unwinder benchmark: nodescope's CFI unwinder vs perf's DWARF unwinding on the same workload,
# accuracy against gdb, and unwind table build times for libc and libjvm.so. As root (gdb attaches,
# perf records another process). Needs gcc, gdb and perf (Debian: gcc gdb linux-perf).
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export JAVA_HOME
for tool in gcc gdb perf; do command -v $tool >/dev/null || { echo "unwind-bench: $tool missing (apt-get install gcc gdb linux-perf)" >&2; exit 1; }; done
[ "$(id -u)" = 0 ] || { echo "unwind-bench: run as root (sudo make bench-unwind): gdb and perf attach to the workload" >&2; exit 1; }
[ -f daemon/target/nodescope.jar ] || mvn -B -q -pl daemon package -DskipTests
# The bench reuses the tests' program builder and gdb capture, and the package's own tables.
mvn -B -q -pl daemon test-compile
mkdir -p build/bench/unwind
CLASSPATH="daemon/target/nodescope.jar:daemon/target/test-classes"
"$JAVA_HOME/bin/javac" -nowarn -cp "$CLASSPATH" -d build/bench/unwind bench/UnwindBench.java
exec "$JAVA_HOME/bin/java" ${BENCH_JAVA_OPTS:-} -cp "build/bench/unwind:$CLASSPATH" io.nodescope.symbol.UnwindBench
