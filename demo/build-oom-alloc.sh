#!/usr/bin/env bash
# Compiles demo/oom-alloc.c. The one place its compiler flags live: the demo script
# and the integration tests (OomAllocBinary) both build through here.
#
# Usage: demo/build-oom-alloc.sh [output-path]   (default: build/demo/oom-alloc)
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
output=${1:-$repo_root/build/demo/oom-alloc}

mkdir -p "$(dirname "$output")"
# -fno-inline and -fno-omit-frame-pointer keep every function of the chain as its own
# frame, which is what nodescope's stack walk follows (the leaf needs more: see touch_pages).
gcc -O1 -g -fno-omit-frame-pointer -fno-inline -Wall -Wextra -Werror \
	-o "$output" "$repo_root/demo/oom-alloc.c"
echo "$output"
