#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Smoke test of bench/datapath: --quick runs and prints its whole table, bad options are refused, and an interrupted run leaves nothing behind. No timing is checked.
#
# The test runs in a network and mount namespace of its own (re-exec under unshare, tmpfs on /run), as
# tests/cli/cli.sh does; the benchmark makes its own namespaces below that one. Whatever either leaked
# would show in the test's namespace, which the checks compare before and after.
set -uo pipefail
bin=$(realpath "${1:?usage: datapath-smoke.sh PATH-TO-datapath}")
[[ $(id -u) -eq 0 ]] || { echo "SKIP: needs root"; exit 77; }
if [[ -z "${VMTAP_DP_SMOKE_IN_NS:-}" ]]; then
	VMTAP_DP_SMOKE_IN_NS=1 exec unshare --net --mount --propagation private \
		bash -c 'mount -t tmpfs tmpfs /run && exec "$0" "$@"' "$0" "$bin"
fi
fail=0
n=0
bad() { n=$((n + 1)); echo "not ok $n - $*"; fail=1; }
ok() { n=$((n + 1)); echo "ok $n - $*"; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# processes running the benchmark's binary (by /proc/PID/exe, never by name; one find, no fork per process)
bench_pids() {
	find /proc -mindepth 2 -maxdepth 2 -name exe -lname "$bin" 2>/dev/null
	return 0
}
# what a leftover would show: devices and namespaces here, mounts, device nodes, processes
snapshot() {
	ip -o link show | awk -F': ' '{print $2}' | sort
	ls /run/netns 2>/dev/null || true
	ls -A /run
	grep -E ' /run/(dp|netns|vmtap)' /proc/self/mountinfo || true
	find /dev -maxdepth 1 \( -name 'tap[0-9]*' -o -name 'macvtap*' \) | sort
	bench_pids
}
snapshot >"$out/before"

# 1. a quick run: exit 0 and every row of the table
if "$bin" --quick >"$out/quick.log" 2>&1; then ok "--quick exits 0"; else bad "--quick exit status $?"; cat "$out/quick.log"; fi
rows=$(grep -cE '^(64 B|1500 B|64K GSO) +[0-9]+ +(floor|bridge|bridge-nf0|redirect|macvtap) ' "$out/quick.log")
[[ $rows -eq 30 ]] && ok "30 table rows" || bad "$rows table rows, not 30"
# delivery itself is checked by the program before it measures (it exits 1 if a topology loses frames);
# a row's rate is timing, which this test never judges
grep -q 'every topology delivers every workload' "$out/quick.log" && ok "every topology delivered" ||
	bad "no delivery check passed"
targets=$(grep -cE '\(target (<=|>=) ' "$out/quick.log")
[[ $targets -eq 36 ]] && ok "36 target lines" || bad "$targets target lines, not 36"
grep -q '^Where the limits are' "$out/quick.log" && ok "limits section" || bad "no limits section"
grep -qE '^(All targets met\.|Some targets MISSED)' "$out/quick.log" && ok "verdict line" || bad "no verdict line"
# bridge, redirect and macvtap are vmtap's endpoints
grep -qE '^  bridge +vmtap endpoint TAP' "$out/quick.log" && grep -qE '^  redirect +vmtap redirect endpoint TAP' "$out/quick.log" &&
	ok "bridge and redirect are vmtap endpoints" || bad "bridge or redirect not built by vmtap"
grep -qE '^  macvtap +vmtap macvtap endpoint' "$out/quick.log" && ok "macvtap is a vmtap endpoint" ||
	bad "the macvtap row is not a vmtap endpoint"

# 2. a subset of modes, and bad options: status 2, nothing run
if "$bin" --quick --modes redirect >"$out/sub.log" 2>&1 &&
	[[ $(grep -cE '^(64 B|1500 B|64K GSO) +[0-9]+ +(floor|redirect) ' "$out/sub.log") -eq 12 ]] &&
	! grep -qE '^(64 B|1500 B|64K GSO) +[0-9]+ +(bridge|bridge-nf0|macvtap) ' "$out/sub.log"; then
	ok "--modes redirect runs the floor and redirect only"
else
	bad "--modes redirect"; cat "$out/sub.log"
fi
for args in "--modes nosuch" "--queues 1" "--rounds 0" "--duration x" "--bogus"; do
	# shellcheck disable=SC2086
	"$bin" $args >"$out/bad.log" 2>&1
	st=$?
	[[ $st -eq 2 ]] && grep -q '^Usage' "$out/bad.log" && ok "$args refused (status 2)" || bad "$args: status $st"
done

# 3. ended in the middle of measuring: the process goes and takes everything with it.
# Job control on, so that the background run does not start with SIGINT ignored.
set -m
for sig in INT TERM KILL; do
	"$bin" >"$out/int.log" 2>&1 &
	pid=$!
	for _ in $(seq 150); do grep -q 'measuring' "$out/int.log" && break; sleep 0.1; done
	grep -q 'measuring' "$out/int.log" || bad "SIG$sig: the run never started measuring"
	sleep 0.5
	kill -"$sig" "$pid"
	wait "$pid"
	st=$?
	want=$((128 + $(kill -l "$sig")))
	[[ $st -eq $want ]] && ok "SIG$sig ends the run (status $st)" || { bad "status $st after SIG$sig"; cat "$out/int.log"; }
	kill -0 "$pid" 2>/dev/null && bad "process $pid still there"
done
set +m

# The kernel tears a namespace down after its last user is gone, asynchronously (and deleting a TAP
# that was up waits for RCU): a killed run's devices, and the /dev/tapN node devtmpfs made for its
# macvtap, may outlive the process for a moment. Give them 30 s; what stays longer is a leak.
deadline=$((SECONDS + 30))
while snapshot >"$out/after" && ! cmp -s "$out/before" "$out/after" && ((SECONDS < deadline)); do
	sleep 0.2
done
if diff -u "$out/before" "$out/after"; then
	ok "nothing left: devices, namespaces, /run, mounts, /dev nodes, processes"
else
	bad "leftovers"
fi
echo "$n checks"
exit $fail
