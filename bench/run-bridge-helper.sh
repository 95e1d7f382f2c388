#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Build the benchmarks if needed (release build in build/bench) and run bench/bridge_helper: run-bridge-helper.sh [--rounds R] [--batch K] [--queues Q].
#
# Needs root for the set-up (namespaces, set-uid copies of both helpers, a 0666 /dev/net/tun in its own
# mount namespace); the helpers then run as uid 4242.  A short run: --rounds 3 --batch 10.
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
build="$src/build/bench"

if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" "$src" -Dbuildtype=release >&2
fi
ninja -C "$build" bench/bridge_helper bench/noop helper/vmtap-bridge-helper >&2
exec "$build/bench/bridge_helper" "$@"
