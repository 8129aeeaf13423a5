#!/bin/bash
# Builds the binaries the symbol tests resolve, into $1. Each variant is one way real binaries reach a node.
set -euo pipefail
out=$1
src=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
cd "$out"
CFLAGS="-O1 -g -fno-omit-frame-pointer -fno-inline"

gcc $CFLAGS -shared -fPIC -Wl,--build-id -o libsymtest.so "$src/library.c"
gcc $CFLAGS -fPIE -pie -Wl,--build-id -o target-pie "$src/target.c" -L. -lsymtest -Wl,-rpath,'$ORIGIN'
gcc $CFLAGS -fno-pie -no-pie -Wl,--build-id -o target-nopie "$src/target.c" -L. -lsymtest -Wl,-rpath,'$ORIGIN'

# Stripped: only .dynsym is left, which names no function of an executable.
strip --strip-all -o target-stripped target-pie

# Split debug file found through .gnu_debuglink (CRC32 checked), as Debian's -dbgsym packages ship them.
objcopy --only-keep-debug target-pie target-debuglink.debug
strip --strip-all -o target-debuglink target-pie
objcopy --add-gnu-debuglink=target-debuglink.debug target-debuglink

# The same debug file under a /usr/lib/debug/.build-id tree, found by build-id alone.
build_id=$(readelf -n target-pie | sed -n 's/.*Build ID: //p')
mkdir -p "debug-root/usr/lib/debug/.build-id/${build_id:0:2}"
cp target-debuglink.debug "debug-root/usr/lib/debug/.build-id/${build_id:0:2}/${build_id:2}.debug"
strip --strip-all -o target-buildid-only target-pie

# MiniDebugInfo, Fedora's recipe (find-debuginfo.sh): the function symbols .dynsym lacks, xz-compressed.
nm -D target-pie --format=posix --defined-only | awk '{ print $1 }' | sort > dynsyms
nm target-pie --format=posix --defined-only | awk '{ if ($2 == "T" || $2 == "t" || $2 == "D") print $1 }' | sort > funcsyms
comm -13 dynsyms funcsyms > keep_symbols
objcopy --only-keep-debug target-pie mini.debug
objcopy -S --remove-section .gdb_index --remove-section .comment --keep-symbols=keep_symbols mini.debug mini_debuginfo
rm -f mini_debuginfo.xz
xz --keep mini_debuginfo
strip --strip-all -o target-minidebuginfo target-pie
objcopy --add-section .gnu_debugdata=mini_debuginfo.xz target-minidebuginfo
