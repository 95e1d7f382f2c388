#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# End-to-end test of `vmtap exec`: real QEMU guests on 1, 2 and 4 queues, an endpoint's device, and specs refused up front.
#
# Usage: VMTAP=path/to/vmtap test-exec.sh   (root; everything happens in namespaces made here)
set -euo pipefail

source "$(dirname "$(readlink -f "$0")")/lib.sh"

VMTAP=$(readlink -f "${VMTAP:?set VMTAP to the vmtap binary}")
HOST_IP=10.99.0.1
GUEST_IP=10.99.0.2
STATE="$E2E_WORKDIR/state"

e2e_ensure_host
e2e_build_guest
boot_tmo="$(e2e_timeout 60)"
step_tmo="$(e2e_timeout 20)"

e2e_netns_new NS exec
# the host side: a bridge with an address, as a libvirt host has; vmtap attaches the TAPs to it
ip -n "$NS" link add br0 type bridge
ip -n "$NS" addr add "$HOST_IP/24" dev br0
ip -n "$NS" link set br0 up

tap_names() { ip -n "$NS" -o link show type tun 2>/dev/null | awk -F': ' '{print $2}' | tr '\n' ' '; }
guest_line() { tr -d '\r' <"$(e2e_qemu_log "$1")" | grep -Eo "VMTAP-GUEST: $2" | head -n1; }

# run_guest NAME QUEUES NIC-SPEC: boot a guest through vmtap exec and prove its network both ways
run_guest() {
	local name=$1 queues=$2 spec=$3 q tap
	E2E_QEMU_VIA=("$VMTAP" --state-dir "$STATE" exec --nic "$spec" --)
	e2e_run_qemu "$name" --netns "$NS" \
		--append "vmtap.mode=wait vmtap.ip=$GUEST_IP/24 vmtap.host=$HOST_IP vmtap.count=3 vmtap.timeout=$(e2e_timeout 40)" \
		-- -smp "$queues"
	E2E_QEMU_VIA=()
	if e2e_wait_guest "$name" 'VMTAP-GUEST: ping (ok|fail)' "$boot_tmo" && [[ -n "$(guest_line "$name" 'ping ok')" ]]; then
		e2e_ok "$name: guest pinged the host ($(e2e_qemu_elapsed "$name") s after start)"
	else
		e2e_fail "$name: guest could not ping the host"
	fi
	q="$(guest_line "$name" 'queues=[0-9]+' | cut -d= -f2)"
	[[ "$q" == "$queues" ]] && e2e_ok "$name: guest sees $q queues" || e2e_fail "$name: guest sees ${q:-?} queues, want $queues"
	tap="$(ip -n "$NS" -o link show type tun master br0 | awk -F': ' '{print $2}' | head -n1)"
	if [[ -n "$tap" ]] && ip -n "$NS" -d link show "$tap" | grep -q "vnet_hdr on" &&
		{ [[ $queues -eq 1 ]] || ip -n "$NS" -d link show "$tap" | grep -q "numqueues $queues "; }; then
		e2e_ok "$name: TAP $tap on br0 with vnet_hdr and $queues queue(s) held by QEMU"
	else
		e2e_fail "$name: TAP not as expected: $(ip -n "$NS" -d link show type tun | tr '\n' ' ')"
	fi
	if e2e_wait_guest "$name" 'VMTAP-GUEST: waiting' "$step_tmo" &&
		e2e_ping "$NS" -c 3 -W 2 "$GUEST_IP" >"$E2E_WORKDIR/$name-ping.log" 2>&1; then
		e2e_ok "$name: host pinged the guest"
	else
		e2e_fail "$name: host could not ping the guest"
	fi
	e2e_guest_send "$name" vmtap-stop || true
	if e2e_wait_guest "$name" 'VMTAP-GUEST: poweroff' "$step_tmo" && e2e_wait_qemu_exit "$name" "$step_tmo" &&
		[[ "$(e2e_qemu_rc "$name")" == 0 ]]; then
		e2e_ok "$name: guest powered off, QEMU (the vmtap process) exited 0"
	else
		e2e_fail "$name: QEMU did not exit cleanly (status $(e2e_qemu_rc "$name" || true))"
	fi
}

# ---- ephemeral TAPs: gone with QEMU ----
for queues in 1 2 4; do
	run_guest "q$queues" "$queues" "queues=$queues,bridge=br0,netns=$NS,mac=52:54:00:12:34:0$queues,vhost=on"
	left="$(tap_names)"
	[[ -z "$left" ]] && e2e_ok "q$queues: the TAP disappeared with QEMU" || e2e_fail "q$queues: TAP left: $left"
done

# ---- an endpoint: its persistent device stays for the next start ----
"$VMTAP" --state-dir "$STATE" endpoint create vm-e2e --queues 2 --bridge br0 --netns "$NS" >/dev/null
dev="$("$VMTAP" --state-dir "$STATE" -j endpoint show vm-e2e | jq -r '.[0].ifname')"
run_guest endpoint 2 "endpoint=vm-e2e,id=net0"
if ip -n "$NS" -d link show "$dev" 2>/dev/null | grep -q "persist on"; then
	e2e_ok "endpoint: device $dev is still there after QEMU exited"
else
	e2e_fail "endpoint: device $dev is gone"
fi
hv="$("$VMTAP" --state-dir "$STATE" -j endpoint show vm-e2e | jq -c '.[0].hypervisor')"
if [[ "$(jq -r '.device + " " + .netdev' <<<"$hv")" == "net0 hostnet0" && "$(jq -r .pid <<<"$hv")" -gt 0 ]]; then
	e2e_ok "endpoint: record names the QEMU pid, netdev and device ($hv)"
else
	e2e_fail "endpoint: record's hypervisor side is $hv"
fi
if "$VMTAP" --state-dir "$STATE" exec --nic endpoint=vm-e2e -- true; then
	e2e_ok "endpoint: its queues open again for the next start"
else
	e2e_fail "endpoint: could not open its queues again"
fi
"$VMTAP" --state-dir "$STATE" endpoint destroy vm-e2e
[[ -z "$(tap_names)" ]] && e2e_ok "endpoint: destroyed, no TAP left" || e2e_fail "endpoint: TAP left: $(tap_names)"

# ---- bad specs: refused before QEMU starts, nothing created ----
bad() { # bad EXIT NEEDLE SPEC...: vmtap exec must exit EXIT saying NEEDLE, start no QEMU, create nothing
	local want=$1 needle=$2 out rc=0
	shift 2
	local args=()
	for s in "$@"; do args+=(--nic "$s"); done
	out="$(ip netns exec "$NS" "$VMTAP" --state-dir "$STATE" exec "${args[@]}" -- \
		sh -c "echo QEMU-STARTED" 2>&1)" || rc=$?
	if [[ $rc -eq $want && "$out" == *"$needle"* && "$out" != *QEMU-STARTED* && -z "$(tap_names)" ]]; then
		e2e_ok "refused before start: $* -> $rc"
	else
		e2e_fail "bad spec $*: exit $rc (want $want), output: $out, TAPs: $(tap_names)"
	fi
}
bad 3 "outside 1..256" "queues=0"
bad 3 "outside 1..256" "queues=257"
bad 3 "unicast" "mac=01:00:5e:00:00:01"
bad 3 "same id" "id=a,queues=1" "id=a,queues=2"
bad 3 "same MAC" "mac=52:54:00:00:00:09" "mac=52:54:00:00:00:09"
bad 3 "too few for 4 queues" "queues=4,vectors=8"
bad 3 "unknown key" "queue=2"
bad 3 "come from the endpoint" "endpoint=vm-e2e,queues=2"
bad 4 "no endpoint" "endpoint=nope"
bad 4 "bridge nobr does not exist" "queues=2,bridge=nobr"
bad 4 "bridge nobr does not exist" "queues=1,bridge=br0" "queues=2,bridge=nobr"

e2e_cleanup
e2e_check "no QEMU, netns or TAP of this run remains" e2e_check_clean
printf 'test-exec: %s (total %s s)\n' "$([[ $E2E_FAILED -eq 0 ]] && echo ok || echo FAIL)" "$(e2e_elapsed "$E2E_T0")"
exit "$E2E_FAILED"
