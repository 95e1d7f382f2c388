#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Build the benchmarks if needed (release build in build/bench) and run bench/cni: run-cni.sh [--pods N] [--queues Q] [--mode redirect|macvtap].
#
# Needs root (its own network and mount namespaces) and Debian's containernetworking-plugins in
# /usr/lib/cni (scripts/deps.sh installs them).  About 0.3 s per pod and chain on 2 cores.
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
build="$src/build/bench"

if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" "$src" -Dbuildtype=release >&2
fi
ninja -C "$build" bench/cni bench/noop cni/vmtap-cni >&2
exec "$build/bench/cni" "$@"
