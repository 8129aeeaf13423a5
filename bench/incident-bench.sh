#!/bin/bash
# The OOM incident sampler benchmark (see bench/IncidentBench.java). Needs root and cgroup v1's memory
# hierarchy; builds the jar when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
[ -f daemon/target/nodescope.jar ] || mvn -B -q -pl daemon package -DskipTests
exec "$JAVA_HOME/bin/java" -cp daemon/target/nodescope.jar bench/IncidentBench.java
