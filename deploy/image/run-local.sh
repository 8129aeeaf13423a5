#!/usr/bin/env bash
# Runs nodescope's image on this host with podman, with the privileges the DaemonSet grants
# and nothing more: host PID namespace, all capabilities dropped except BPF, PERFMON,
# SYS_PTRACE, DAC_READ_SEARCH, SYSLOG (deploy/daemonset.yaml says why each), a read-only root file system, the host's BTF, tracefs, cgroup fs
# and /proc mounted read-only, and a seccomp profile that admits bpf() and perf_event_open()
# without CAP_SYS_ADMIN. Spans print on the console (no OTLP endpoint) unless OTEL_* is passed.
#
# Usage: deploy/image/run-local.sh [nodescope flags...]     (root; Ctrl-C stops and removes it)
# Env:   IMAGE (localhost/nodescope:dev), NAME (container name, nodescope-local),
#        HTTP_ADDRESS (127.0.0.1:9464: the container shares the host's network here),
#        MEMORY (256m) and CPUS (0.5): the DaemonSet's limits, PODMAN_ARGS (extra podman run options,
#        e.g. "-d" or "-e OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4317")
set -euo pipefail

image_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IMAGE=${IMAGE:-localhost/nodescope:dev}
NAME=${NAME:-nodescope-local}
HTTP_ADDRESS=${HTTP_ADDRESS:-127.0.0.1:9464}
MEMORY=${MEMORY:-256m}
CPUS=${CPUS:-0.5}

fail() { echo "run-local: $*" >&2; exit 1; }
[[ $(id -u) == 0 ]] || fail "needs root (rootful podman: rootless cannot grant CAP_BPF on the host); run: sudo $0"
# shellcheck source=podman/env.sh
. "$image_dir/podman/env.sh"
podman image exists "$IMAGE" || fail "no image $IMAGE; build it: sudo make image"

# tracefs, only where the host has it mounted: the daemon attaches through tp_btf, which needs
# none; only its fallback (the classic oom/mark_victim tracepoint, for kernels that refuse tp_btf)
# looks tracepoint ids up there. Nothing is mounted on the host for it.
tracefs=()
if [[ -d /sys/kernel/tracing/events ]]; then
	tracefs=(-v /sys/kernel/tracing:/sys/kernel/tracing:ro)
elif [[ -d /sys/kernel/debug/tracing/events ]]; then
	tracefs=(-v /sys/kernel/debug:/sys/kernel/debug:ro)
fi

# The host's cgroup fs read-only, each of its mounts: on cgroup v1 and hybrid hosts the
# controllers are separate mounts under a tmpfs, and a plain `-v ...:ro` (a recursive bind)
# leaves those submounts writable. On a pure v2 host this is one mount.
cgroup_mounts=()
while read -r target; do
	cgroup_mounts+=(-v "$target:/host$target:ro")
done < <(findmnt -R -n -l -o TARGET /sys/fs/cgroup)

# --rm and a fixed name: a stopped run leaves nothing behind, and a second run says so.
# --read-only-tmpfs=false: no writable /tmp, /run either; the image must not need them.
# shellcheck disable=SC2086 # PODMAN_ARGS is a list of options
exec podman run --rm --name "$NAME" --pull=never \
	--network=host --pid=host \
	--cap-drop=all --cap-add=BPF,PERFMON,SYS_PTRACE,DAC_READ_SEARCH,SYSLOG \
	--security-opt no-new-privileges --security-opt seccomp="$NODESCOPE_SECCOMP_PROFILE" \
	--read-only --read-only-tmpfs=false \
	--memory "$MEMORY" --cpus "$CPUS" --stop-timeout 15 \
	-v /sys/kernel/btf:/sys/kernel/btf:ro \
	"${tracefs[@]}" \
	"${cgroup_mounts[@]}" \
	-v /proc:/host/proc:ro \
	-e NODESCOPE_CGROUP_ROOT=/host/sys/fs/cgroup \
	-e NODESCOPE_PROC_ROOT=/host/proc \
	-e NODESCOPE_HTTP_ADDRESS="$HTTP_ADDRESS" \
	-e NODE_NAME="$(hostname)" \
	${PODMAN_ARGS:-} \
	"$IMAGE" "$@"
