#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Build the benchmarks if needed (release build in build/bench) and run bench/datapath: run-datapath.sh [--quick] [OPTIONS].
#
# Needs root: the benchmark makes its own network and mount namespaces, so nothing it creates outlives it.
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
build="$src/build/bench"

if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" "$src" -Dbuildtype=release >&2
fi
ninja -C "$build" bench/datapath >&2
exec "$build/bench/datapath" "$@"
