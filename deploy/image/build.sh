#!/usr/bin/env bash
# Builds nodescope's OCI image without any registry: a debootstrap'ed Debian 12 minbase with
# libbpf1 (cached as build/image/rootfs.tar), a jlink'ed JRE from the Temurin 25 JDK, the daemon
# jar, assembled FROM scratch by `podman build --pull=never --network=none`.
#
# Reproducible: file times are clamped to SOURCE_DATE_EPOCH (default: the last commit's time),
# so the same rootfs.tar, JDK and jar give the same image id. Delete build/image/rootfs.tar to
# refresh the Debian packages (security updates).
#
# Usage: deploy/image/build.sh            (root; `make image` builds the jar first)
# Env:   IMAGE (localhost/nodescope:dev), JAVA_HOME, MIRROR (Debian mirror), SOURCE_DATE_EPOCH
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
image_dir=$repo_root/deploy/image
out=$repo_root/build/image
jar=$repo_root/daemon/target/nodescope.jar
IMAGE=${IMAGE:-localhost/nodescope:dev}
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
# Only what the daemon uses (jdeps on the shaded jar, then verified by running the image):
# java.logging for System.Logger/JUL, jdk.unsupported for sun.misc.Unsafe (protobuf, netty).
# jdeps also names java.desktop (JNA's AWT helpers), java.naming (netty's TLS server side)
# and jdk.jfr (netty's allocator events); none of those paths runs in the daemon.
JRE_MODULES=java.base,java.logging,jdk.unsupported
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$repo_root" log -1 --format=%ct)}
# Debian 12's debootstrap script; bookworm matches the libbpf 1.1 the daemon is tested with.
SUITE=bookworm

log() { echo "image: $*"; }
fail() { echo "image: $*" >&2; exit 1; }

[[ $(id -u) == 0 ]] || fail "needs root (debootstrap and rootful podman); run: sudo make image"
[[ -f $jar ]] || fail "$jar missing; run: make build (or make image)"
[[ -x $JAVA_HOME/bin/jlink ]] || fail "no jlink in JAVA_HOME=$JAVA_HOME; set JAVA_HOME to a JDK 25"

packages=(podman buildah debootstrap runc conmon uidmap fuse-overlayfs unzip)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
	log "installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# shellcheck source=podman/env.sh
. "$image_dir/podman/env.sh"
mkdir -p "$out"
t0=$SECONDS

# 1. root file system, cached: debootstrap is the slow, network-bound step.
if [[ ! -f $out/rootfs.tar ]]; then
	# the machine's own Debian mirror (deb822 sources first, then sources.list)
	MIRROR=${MIRROR:-$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)}
	MIRROR=${MIRROR:-$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list 2>/dev/null)}
	MIRROR=${MIRROR:-http://deb.debian.org/debian}
	log "debootstrap $SUITE minbase + libbpf1 from $MIRROR (cached in $out/rootfs.tar)"
	rm -rf "$out/rootfs"
	debootstrap --variant=minbase --include=libbpf1 "$SUITE" "$out/rootfs" "$MIRROR" \
		>"$out/debootstrap.log" 2>&1 || fail "debootstrap failed; see $out/debootstrap.log"
	# apt state, docs and locales are not needed to run; /dev, /proc, /sys come from the runtime
	rm -rf "$out"/rootfs/var/cache/apt/* "$out"/rootfs/var/lib/apt/lists/* "$out"/rootfs/usr/share/doc/* \
		"$out"/rootfs/usr/share/man/* "$out"/rootfs/usr/share/locale/* "$out"/rootfs/var/log/* \
		"$out"/rootfs/dev/* "$out"/rootfs/tmp/* "$out"/rootfs/proc/* "$out"/rootfs/sys/*
	# the packages in the image, for the record (and for vulnerability scanners)
	chroot "$out/rootfs" dpkg-query -W -f '${Package} ${Version}\n' >"$out/packages.txt"
	tar --sort=name --mtime="@$SOURCE_DATE_EPOCH" --numeric-owner --xattrs \
		-C "$out/rootfs" -cf "$out/rootfs.tar.tmp" .
	mv "$out/rootfs.tar.tmp" "$out/rootfs.tar"
	rm -rf "$out/rootfs"
fi
t1=$SECONDS

# 2. build context: JRE, JNA stub, jar
ctx=$out/context
rm -rf "$ctx"
mkdir -p "$ctx/lib"
ln "$out/rootfs.tar" "$ctx/rootfs.tar" 2>/dev/null || cp "$out/rootfs.tar" "$ctx/rootfs.tar"
# JDK 25 ships no jmods/: jlink links from the run-time image (JEP 493).
"$JAVA_HOME/bin/jlink" --add-modules "$JRE_MODULES" --strip-debug --no-header-files --no-man-pages \
	--compress=zip-6 --generate-cds-archive --output "$ctx/jre"
cp "$jar" "$ctx/nodescope.jar"
cp "$repo_root/deploy/jvm.options" "$ctx/jvm.options"
case $(uname -m) in
	x86_64) jna_arch=linux-x86-64 ;;
	aarch64) jna_arch=linux-aarch64 ;;
	*) fail "no JNA stub mapping for $(uname -m)" ;;
esac
unzip -p "$jar" "com/sun/jna/$jna_arch/libjnidispatch.so" >"$ctx/lib/libjnidispatch.so"
[[ -s $ctx/lib/libjnidispatch.so ]] || fail "com/sun/jna/$jna_arch/libjnidispatch.so not in $jar"
cp "$image_dir/Containerfile" "$ctx/Containerfile"
t2=$SECONDS

# 3. image
revision=$(git -C "$repo_root" rev-parse HEAD)
podman build --pull=never --network=none --timestamp "$SOURCE_DATE_EPOCH" \
	--label org.opencontainers.image.title=nodescope \
	--label org.opencontainers.image.revision="$revision" \
	-t "$IMAGE" -f "$ctx/Containerfile" "$ctx"
t3=$SECONDS
log "built $IMAGE ($(podman image inspect --format '{{.Id}}' "$IMAGE" | cut -c1-12)) in $((t3 - t0))s:" \
	"rootfs $((t1 - t0))s, jre+context $((t2 - t1))s, podman build $((t3 - t2))s"
podman image ls "$IMAGE"
