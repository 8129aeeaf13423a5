#!/usr/bin/env bash
# Installs the Debian packages that build and run nodescope's image, those missing only:
# `make image-deps` (a prerequisite of `make image` and `make test`, whose end-to-end test builds
# and runs the image) and build.sh call it. Not part of `make deps`: `make run` needs no podman.
# Without root it only names what is missing (the image's test then skips, or fails with CI=true).
set -euo pipefail
packages=(podman buildah debootstrap runc conmon uidmap fuse-overlayfs unzip)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
((${#missing[@]})) || exit 0
if [[ $(id -u) != 0 ]]; then
	echo "image: missing ${missing[*]}; run: sudo make image-deps" >&2
	exit 0
fi
echo "image: installing ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
