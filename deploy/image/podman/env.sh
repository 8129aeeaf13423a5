# Sourced by build.sh and run-local.sh: points podman at nodescope's own configuration and
# image store (build/image/podman/), rendered from the templates next to this file.
# Nothing outside the repository's build/ directory is configured or written.
_podman_conf_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
_repo_root=$(cd "$_podman_conf_dir/../../.." && pwd)
NODESCOPE_PODMAN_STATE=${NODESCOPE_PODMAN_STATE:-$_repo_root/build/image/podman}
mkdir -p "$NODESCOPE_PODMAN_STATE/run" "$NODESCOPE_PODMAN_STATE/tmp"
for _f in containers.conf storage.conf; do
	sed "s|@STATE@|$NODESCOPE_PODMAN_STATE|g" "$_podman_conf_dir/$_f.in" >"$NODESCOPE_PODMAN_STATE/$_f"
done
export CONTAINERS_CONF=$NODESCOPE_PODMAN_STATE/containers.conf
export CONTAINERS_STORAGE_CONF=$NODESCOPE_PODMAN_STATE/storage.conf
# podman/buildah stage layers in TMPDIR; keep them off a possibly small /tmp.
export TMPDIR=$NODESCOPE_PODMAN_STATE/tmp
NODESCOPE_SECCOMP_PROFILE=$_podman_conf_dir/seccomp-bpf.json
unset _podman_conf_dir _repo_root _f
