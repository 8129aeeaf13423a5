#!/usr/bin/env bash
# Builds nodescope's OCI image without any registry: a debootstrap'ed Debian 12 minbase with
# libbpf1 (cached as build/image/rootfs-KEY.tar), a jlink'ed JRE from the Temurin 25 JDK (cached
# as build/image/jre-KEY/), the daemon jar, assembled FROM scratch by
# `podman build --pull=never --network=none`.
#
# Reproducible: file times are clamped to SOURCE_DATE_EPOCH (default: the last commit's time),
# so the same rootfs tar, JDK and jar give the same image id. Delete build/image/rootfs-*.tar to
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
VARIANT=minbase
INCLUDE=libbpf1

log() { echo "image: $*"; }
fail() { echo "image: $*" >&2; exit 1; }

[[ $(id -u) == 0 ]] || fail "needs root (debootstrap and rootful podman); run: sudo make image"
[[ -f $jar ]] || fail "$jar missing; run: make build (or make image)"
[[ -x $JAVA_HOME/bin/jlink ]] || fail "no jlink in JAVA_HOME=$JAVA_HOME; set JAVA_HOME to a JDK 25"

"$image_dir/install-tools.sh"

# shellcheck source=podman/env.sh
. "$image_dir/podman/env.sh"
mkdir -p "$out"
t0=$SECONDS

# 1. root file system, cached: debootstrap is the slow, network-bound step. Keyed by what goes
# into it (suite, variant, packages, architecture and this script's recipe), so a change to any
# of them builds a new one; delete build/image/rootfs-*.tar to pick up Debian's updates.
rootfs_recipe=$(sed -n '/^# 1. root file system/,/^# 2. build context/p' "${BASH_SOURCE[0]}")
rootfs_key=$(printf '%s\n' "$SUITE" "$VARIANT" "$INCLUDE" "$(dpkg --print-architecture)" "$rootfs_recipe" | sha256sum | cut -c1-16)
rootfs_tar=$out/rootfs-$rootfs_key.tar
if [[ ! -f $rootfs_tar ]]; then
	# the machine's own Debian mirror (deb822 sources first, then sources.list)
	MIRROR=${MIRROR:-$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)}
	MIRROR=${MIRROR:-$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list 2>/dev/null)}
	MIRROR=${MIRROR:-http://deb.debian.org/debian}
	log "debootstrap $SUITE $VARIANT + $INCLUDE from $MIRROR (cached in $rootfs_tar)"
	rm -rf "$out/rootfs"
	debootstrap --variant="$VARIANT" --include="$INCLUDE" "$SUITE" "$out/rootfs" "$MIRROR" \
		>"$out/debootstrap.log" 2>&1 || fail "debootstrap failed; see $out/debootstrap.log"
	# apt state, docs and locales are not needed to run; /dev, /proc, /sys come from the runtime
	rm -rf "$out"/rootfs/var/cache/apt/* "$out"/rootfs/var/lib/apt/lists/* "$out"/rootfs/usr/share/doc/* \
		"$out"/rootfs/usr/share/man/* "$out"/rootfs/usr/share/locale/* "$out"/rootfs/var/log/* \
		"$out"/rootfs/dev/* "$out"/rootfs/tmp/* "$out"/rootfs/proc/* "$out"/rootfs/sys/*
	# the packages in the image, for the record (and for vulnerability scanners)
	chroot "$out/rootfs" dpkg-query -W -f '${Package} ${Version}\n' >"$out/packages.txt"
	tar --sort=name --mtime="@$SOURCE_DATE_EPOCH" --numeric-owner --xattrs \
		-C "$out/rootfs" -cf "$rootfs_tar.tmp" .
	mv "$rootfs_tar.tmp" "$rootfs_tar"
	rm -rf "$out/rootfs"
fi
t1=$SECONDS

# 2. build context: JRE, JNA stub, jar. The JRE is cached too, keyed by the JDK's build, the
# modules and jlink's options: jlink takes seconds, more on a busy machine. No CDS archive: the
# entry point runs with -Xshare:off (deploy/jvm.options says why).
ctx=$out/context
rm -rf "$ctx"
mkdir -p "$ctx/lib"
ln "$rootfs_tar" "$ctx/rootfs.tar" 2>/dev/null || cp "$rootfs_tar" "$ctx/rootfs.tar"
JLINK_OPTIONS=(--strip-debug --no-header-files --no-man-pages --compress=zip-6)
jre_key=$(cat "$JAVA_HOME/release" - <<<"$JRE_MODULES ${JLINK_OPTIONS[*]}" | sha256sum | cut -c1-16)
jre=$out/jre-$jre_key
if [[ ! -d $jre ]]; then
	rm -rf "$jre.tmp"
	# JDK 25 ships no jmods/: jlink links from the run-time image (JEP 493).
	"$JAVA_HOME/bin/jlink" --add-modules "$JRE_MODULES" "${JLINK_OPTIONS[@]}" --output "$jre.tmp"
	mv "$jre.tmp" "$jre"
fi
cp -al "$jre" "$ctx/jre" 2>/dev/null || cp -a "$jre" "$ctx/jre"
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
previous=$(podman image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)
podman build --pull=never --network=none --timestamp "$SOURCE_DATE_EPOCH" \
	--label org.opencontainers.image.title=nodescope \
	--label org.opencontainers.image.revision="$revision" \
	-t "$IMAGE" -f "$ctx/Containerfile" "$ctx"
t3=$SECONDS
# The image this tag named before, once no tag names it and no container uses it (podman rmi
# refuses then): each test run builds a new jar, and the private store would keep every one.
if [[ -n $previous && $(podman image inspect --format '{{len .RepoTags}}' "$previous" 2>/dev/null) == 0 ]]; then
	podman rmi "$previous" >/dev/null 2>&1 || true
fi
log "built $IMAGE ($(podman image inspect --format '{{.Id}}' "$IMAGE" | cut -c1-12)) in $((t3 - t0))s:" \
	"rootfs $((t1 - t0))s, jre+context $((t2 - t1))s, podman build $((t3 - t2))s"
podman image ls "$IMAGE"
