#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Smoke test of bench/datapath: --quick runs and prints its whole table, and an interrupted full run leaves nothing behind. No timing is checked.
set -uo pipefail
bin=${1:?usage: datapath-smoke.sh PATH-TO-datapath}
[[ $(id -u) -eq 0 ]] || { echo "SKIP: needs root"; exit 77; }
fail=0
bad() { echo "not ok - $*"; fail=1; }
ok() { echo "ok - $*"; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# what a leftover would show in the namespaces and mounts this test can see
snapshot() {
	ip -o link show | awk -F': ' '{print $2}' | sort
	ls /run/netns 2>/dev/null | grep '^dp-' || true
	[[ -e /run/dp ]] && echo /run/dp
	grep -E ' /run/(dp|netns/dp-)' /proc/self/mountinfo || true
}
snapshot >"$out/before"

# 1. a quick run: exit 0 and every row of the table
if "$bin" --quick >"$out/quick.log" 2>&1; then ok "--quick exits 0"; else bad "--quick exit status $?"; cat "$out/quick.log"; fi
rows=$(grep -cE '^(64 B|1500 B|64K GSO) +[0-9]+ +(floor|bridge|redirect|macvtap) ' "$out/quick.log")
[[ $rows -eq 24 ]] && ok "24 table rows" || bad "$rows table rows, not 24"
# delivery itself is checked by the program before it measures (it exits 1 if a topology loses frames);
# a row's rate is timing, which this test never judges
grep -q 'every topology delivers every workload' "$out/quick.log" && ok "every topology delivered" ||
	bad "no delivery check passed"
targets=$(grep -cE '\(target (<=|>=) ' "$out/quick.log")
[[ $targets -eq 27 ]] && ok "27 target lines" || bad "$targets target lines, not 27"
grep -q '^Where the limits are' "$out/quick.log" && ok "limits section" || bad "no limits section"
grep -qE '^(All targets met\.|Some targets MISSED)' "$out/quick.log" && ok "verdict line" || bad "no verdict line"

# 2. interrupted in the middle of measuring: the process goes and takes everything with it.
# Job control on, so that the background run does not start with SIGINT ignored.
set -m
for sig in INT TERM; do
	"$bin" >"$out/int.log" 2>&1 &
	pid=$!
	for _ in $(seq 100); do grep -q 'measuring' "$out/int.log" && break; sleep 0.1; done
	sleep 0.5
	kill -"$sig" "$pid"
	wait "$pid"
	st=$?
	want=$((128 + $(kill -l "$sig")))
	[[ $st -eq $want ]] && ok "SIG$sig ends the run (status $st)" || { bad "status $st after SIG$sig"; cat "$out/int.log"; }
	kill -0 "$pid" 2>/dev/null && bad "process $pid still there"
done
set +m

snapshot >"$out/after"
if diff -u "$out/before" "$out/after"; then ok "nothing left in this namespace, /run or the mounts"; else bad "leftovers"; fi
exit $fail
