#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Install dependencies, build vmtap, and show it at work: probe, then a 4-queue TAP in a scratch namespace, removed with it.
#
# Run as root on Debian 12: sudo ./scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/deps.sh
build=${VMTAP_BUILD_DIR:-build}/release
[[ -f $build/build.ninja ]] || meson setup "$build" -Dbuildtype=release -Dtests=false >/dev/null
ninja -C "$build" >/dev/null
vmtap=$build/cli/vmtap

ns=vmtap-demo-$$
cleanup() { ip netns del "$ns" 2>/dev/null || true; }
trap cleanup EXIT
ip netns add "$ns"

run() { echo "+ vmtap $*"; "$vmtap" "$@"; }
run probe
run create demo0 --queues 4 --netns "$ns"
run show demo0 --netns "$ns"
run -j list --netns "$ns"
run delete demo0 --netns "$ns"
run list --netns "$ns"
cleanup
trap - EXIT
echo "demo done: namespace $ns and its device are gone"
