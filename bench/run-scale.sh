#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Build the benchmarks if needed (release build in build/bench) and run bench/scale: run-scale.sh [--quick] [--ipv6] [SIZE...].
#
# Needs root: the benchmark makes its own network and mount namespaces, so nothing it creates outlives it.
# The full run (100, 1,000 and 10,000 endpoints, 1 and 4 queues, two namespaces of 5,000) takes a few
# minutes on 2 cores; --quick is the smoke run CI makes.
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
build="$src/build/bench"

if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" "$src" -Dbuildtype=release >&2
fi
ninja -C "$build" bench/scale cli/vmtap >&2
exec "$build/bench/scale" "$@"
