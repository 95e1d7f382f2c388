#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Smoke run of bench/cni (3 pods, both modes): every row and ratio printed, C measured in rotation, nothing left behind.
#
# Usage: cni-smoke.sh PATH/TO/bench/cni   (root; skips, 77, without Debian's CNI plugins)
set -uo pipefail
bench=$1
[[ $(id -u) -eq 0 ]] || { echo "needs root"; exit 77; }
[[ -x /usr/lib/cni/bridge && -x /usr/lib/cni/host-local ]] || { echo "no Debian CNI plugins in /usr/lib/cni"; exit 77; }
pass=0
fail=0
check() { # check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then pass=$((pass + 1)); echo "ok $pass - $what"; else fail=$((fail + 1)); echo "not ok - $what"; fi
}
before=$(ls -d /tmp/vmtap-bench-cni.* 2>/dev/null)
for mode in redirect macvtap; do
	out=$("$bench" --pods 3 --mode "$mode" 2>&1)
	rc=$?
	check "$mode: exit 0 ($out)" test $rc -eq 0
	for row in "A wall" "B wall" "C wall (A + 2 no-op processes" "B/A:" "B/C:" "C/A:" "C's stand-in"; do
		check "$mode: '$row' printed" grep -qF "$row" <<<"$out"
	done
	check "$mode: 3 pods per chain" grep -q "^CNI ADD+DEL per pod, 3 pods per chain, in rotation; vmtap-cni $mode mode" <<<"$out"
done
check "a bad option is refused with usage, exit 2" bash -c "'$bench' --nope 2>&1 | grep -q '^usage: cni'; [ \${PIPESTATUS[0]} -eq 2 ]"
check "no work directory left in /tmp" test "$(ls -d /tmp/vmtap-bench-cni.* 2>/dev/null)" = "$before"
check "no TAP or macvtap in this namespace" test -z "$(ip -o link show type tun; ip -o link show type macvtap)"
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
