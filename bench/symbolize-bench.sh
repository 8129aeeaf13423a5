#!/bin/bash
# The symbolizer benchmark: nodescope vs llvm-symbolizer and addr2line on libc and libjvm.so.
# Builds the jar when it is missing; needs nm, addr2line and llvm-symbolizer (Debian: binutils, llvm).
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
for tool in nm addr2line; do command -v $tool >/dev/null || { echo "symbolize-bench: $tool missing (apt-get install binutils)" >&2; exit 1; }; done
command -v llvm-symbolizer-14 >/dev/null || command -v llvm-symbolizer >/dev/null \
  || { echo "symbolize-bench: llvm-symbolizer missing (apt-get install llvm)" >&2; exit 1; }
[ -f daemon/target/nodescope.jar ] || mvn -B -q -pl daemon package -DskipTests
exec "$JAVA_HOME/bin/java" -cp daemon/target/nodescope.jar bench/SymbolizeBench.java
