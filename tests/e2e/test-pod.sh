#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# End-to-end test of a QEMU guest in a "pod": behind the pod's veth by tc redirect (1 and 4 queues) and by macvtap (2 and 4).
#
# Usage: VMTAP=path/to/vmtap test-pod.sh   (root; everything happens in namespaces made here)
#
# The topology is what the CNI bridge plugin leaves: a "node" namespace with
# a bridge (10.99.0.1/24) and, in a "pod" namespace, eth0 (10.99.0.2/24),
# the other end of a veth whose peer is a port of the bridge.  The guest
# takes the pod's place on the wire (its MAC and IP, as Kata's guests do),
# pings the bridge side and is pinged back, and TCP runs both ways.  After
# each destroy the pod's eth0 must be exactly as it was, without any tc
# object of vmtap's.
set -euo pipefail

source "$(dirname "$(readlink -f "$0")")/lib.sh"

VMTAP=$(readlink -f "${VMTAP:?set VMTAP to the vmtap binary}")
NODE_IP=10.99.0.1
POD_IP=10.99.0.2
PORT=5001
STATE="$E2E_WORKDIR/state"

e2e_ensure_host
e2e_build_guest
boot_tmo="$(e2e_timeout 60)"
step_tmo="$(e2e_timeout 20)"

e2e_netns_new NODE node
e2e_netns_new POD pod
ip -n "$NODE" link add cni0 type bridge
ip -n "$NODE" addr add "$NODE_IP/24" dev cni0
ip -n "$NODE" link set cni0 up
ip -n "$NODE" link add veth0 type veth peer name eth0 netns "$POD"
ip -n "$NODE" link set veth0 master cni0 up
ip -n "$POD" link set eth0 address 0a:58:0a:63:00:02 mtu 1500 up
ip -n "$POD" addr add "$POD_IP/24" dev eth0
ip -n "$POD" route add default via "$NODE_IP"
POD_MAC=0a:58:0a:63:00:02

vmtap() { "$VMTAP" --state-dir "$STATE" "$@"; }
# the pod's eth0 as ip and tc show it: addresses, routes, MAC, MTU, flags, qdiscs and filters
pod_eth0() {
	ip -n "$POD" -j -d link show eth0 | jq -c '.[0] | {address, mtu, flags, promiscuity, ifalias}'
	ip -n "$POD" -j addr show dev eth0 | jq -c '[.[0].addr_info[] | "\(.local)/\(.prefixlen)"]'
	ip -n "$POD" -j route show dev eth0 | jq -c 'sort_by(.dst)'
	tc -n "$POD" qdisc show dev eth0 ingress
	tc -n "$POD" filter show dev eth0 ingress
}
guest_line() { tr -d '\r' <"$(e2e_qemu_log "$1")" | grep -Eo "VMTAP-GUEST: $2" | head -n1; }
# wait until the pod's link-local IPv6 address is no longer tentative, so that snapshots compare
for _ in $(seq 50); do ip -n "$POD" addr show dev eth0 | grep -q tentative || break; sleep 0.1; done
BEFORE="$(pod_eth0)"

# serve_banner: the node side answers one TCP connection on PORT with its banner (backgrounded, bounded)
serve_banner() {
	printf '#!/bin/sh\necho VMTAP-TCP-NODE\n' >"$E2E_WORKDIR/banner"
	chmod 0755 "$E2E_WORKDIR/banner"
	ip netns exec "$NODE" timeout "$boot_tmo" busybox nc -l -p "$PORT" -e "$E2E_WORKDIR/banner" \
		>/dev/null 2>&1 </dev/null &
	BANNER_PID=$!
}

# run_guest NAME QUEUES NIC-SPEC: boot the guest as the pod and prove its network both ways, ICMP and TCP
run_guest() {
	local name=$1 queues=$2 spec=$3 mac q out
	serve_banner
	E2E_QEMU_VIA=("$VMTAP" --state-dir "$STATE" exec --nic "$spec" --)
	e2e_run_qemu "$name" --netns "$POD" \
		--append "vmtap.mode=wait vmtap.ip=$POD_IP/24 vmtap.host=$NODE_IP vmtap.count=3 vmtap.tcp=$PORT vmtap.timeout=$(e2e_timeout 60)" \
		-- -smp "$queues"
	E2E_QEMU_VIA=()
	if e2e_wait_guest "$name" 'VMTAP-GUEST: ping (ok|fail)' "$boot_tmo" && [[ -n "$(guest_line "$name" 'ping ok')" ]]; then
		e2e_ok "$name: guest pinged the node's bridge ($(e2e_qemu_elapsed "$name") s after start)"
	else
		e2e_fail "$name: guest could not ping the node's bridge"
	fi
	if e2e_wait_guest "$name" 'VMTAP-GUEST: tcp (ok|fail)' "$step_tmo" &&
		[[ -n "$(guest_line "$name" 'tcp ok VMTAP-TCP-NODE')" ]]; then
		e2e_ok "$name: guest read the node's TCP banner"
	else
		e2e_fail "$name: guest could not reach the node by TCP"
	fi
	wait "$BANNER_PID" 2>/dev/null || true
	mac="$(guest_line "$name" 'iface=eth0 mac=[0-9a-f:]+' | sed 's/.*mac=//')"
	[[ "$mac" == "$POD_MAC" ]] && e2e_ok "$name: the guest has the pod's MAC" ||
		e2e_fail "$name: the guest's MAC is ${mac:-?}, the pod's $POD_MAC"
	q="$(guest_line "$name" 'queues=[0-9]+' | cut -d= -f2)"
	[[ "$q" == "$queues" ]] && e2e_ok "$name: guest sees $q queues" || e2e_fail "$name: guest sees ${q:-?} queues, want $queues"
	if e2e_wait_guest "$name" 'VMTAP-GUEST: waiting' "$step_tmo" &&
		e2e_ping "$NODE" -c 3 -W 2 "$POD_IP" >"$E2E_WORKDIR/$name-ping.log" 2>&1; then
		e2e_ok "$name: the node pinged the guest"
	else
		e2e_fail "$name: the node could not ping the guest"
	fi
	out="$(ip netns exec "$NODE" timeout 10 busybox nc -w 5 "$POD_IP" "$PORT" </dev/null 2>&1 | tr -d '\r' || true)"
	[[ "$out" == VMTAP-TCP-GUEST ]] && e2e_ok "$name: the node read the guest's TCP banner" ||
		e2e_fail "$name: the node's TCP connection to the guest got '$out'"
	e2e_guest_send "$name" vmtap-stop || true
	if e2e_wait_guest "$name" 'VMTAP-GUEST: poweroff' "$step_tmo" && e2e_wait_qemu_exit "$name" "$step_tmo" &&
		[[ "$(e2e_qemu_rc "$name")" == 0 ]]; then
		e2e_ok "$name: guest powered off, QEMU exited 0"
	else
		e2e_fail "$name: QEMU did not exit cleanly (status $(e2e_qemu_rc "$name" || true))"
	fi
}

# pod_as_before WHAT: the pod's eth0 is exactly as it was, and no endpoint is left
pod_as_before() {
	local now
	now="$(pod_eth0)"
	if [[ "$now" == "$BEFORE" ]]; then
		e2e_ok "$1: the pod's eth0 is as it was, without a tc object"
	else
		e2e_fail "$1: the pod's eth0 changed: $(diff <(echo "$BEFORE") <(echo "$now") | tr '\n' ' ')"
	fi
	[[ -z "$(vmtap endpoint list)" ]] && e2e_ok "$1: no endpoint left" || e2e_fail "$1: endpoints left: $(vmtap endpoint list)"
	[[ -z "$(ip -n "$POD" -o link show type tun)$(ip -n "$POD" -o link show type macvtap)" ]] &&
		e2e_ok "$1: no TAP or macvtap left" || e2e_fail "$1: TAP or macvtap left"
}

# wait_gone SECONDS: until the reaper has destroyed exec's ephemeral endpoints
wait_gone() {
	local i
	for ((i = 0; i < $1 * 10; i++)); do
		[[ -z "$(vmtap endpoint list)" ]] && ! pgrep -f "^$VMTAP --state-dir $STATE exec" >/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# ---- redirect, 1 queue: an endpoint made first, as Kata does, then exec with it ----
vmtap endpoint create pod-r1 --netns "$POD" --redirect eth0 >/dev/null
conn="$(vmtap -j endpoint show pod-r1 | jq -c '.[0].connection')"
[[ "$conn" == '{"type":"redirect","device":"eth0","tc_prio":30317}' ]] && e2e_ok "redirect: endpoint show -j: $conn" ||
	e2e_fail "redirect: endpoint show -j says $conn"
run_guest redirect1 1 "endpoint=pod-r1"
vmtap endpoint destroy pod-r1
pod_as_before redirect1

# ---- redirect, 4 queues: exec's own ephemeral endpoint, destroyed by the reaper after QEMU ----
run_guest redirect4 4 "redirect=eth0,netns=$POD,queues=4"
wait_gone "$step_tmo" && e2e_ok "redirect4: the reaper destroyed exec's endpoint and exited" ||
	e2e_fail "redirect4: endpoint or reaper left after QEMU: $(vmtap endpoint list)"
pod_as_before redirect4

# ---- macvtap, 2 queues: Kata's macvtap model, the guest takes eth0's MAC and address, eth0 gets them back ----
vmtap endpoint create pod-m2 --netns "$POD" --macvtap eth0 --queues 2 >/dev/null
conn="$(vmtap -j endpoint show pod-m2 | jq -c '.[0].connection')"
[[ "$conn" == '{"type":"macvtap","parent":"eth0","mode":"bridge"}' ]] && e2e_ok "macvtap: endpoint show -j: $conn" ||
	e2e_fail "macvtap: endpoint show -j says $conn"
eth0_now="$(ip -n "$POD" -j addr show dev eth0 | jq -c '.[0] | [.address, [.addr_info[] | select(.scope == "global")] | length]')"
[[ "$eth0_now" != *"$POD_MAC"* && "$eth0_now" == *',0]' ]] && e2e_ok "macvtap: eth0 gave the guest its MAC and address" ||
	e2e_fail "macvtap: eth0 while connected: $eth0_now"
run_guest macvtap2 2 "endpoint=pod-m2"
vmtap endpoint destroy pod-m2
pod_as_before macvtap2

# ---- macvtap, 4 queues: exec's own ephemeral endpoint, eth0 given back by the reaper after QEMU ----
run_guest macvtap4 4 "macvtap=eth0,netns=$POD,queues=4"
wait_gone "$step_tmo" && e2e_ok "macvtap4: the reaper destroyed exec's endpoint and exited" ||
	e2e_fail "macvtap4: endpoint or reaper left after QEMU: $(vmtap endpoint list)"
pod_as_before macvtap4

e2e_cleanup
e2e_check "no QEMU, netns or TAP of this run remains" e2e_check_clean
printf 'test-pod: %s (total %s s)\n' "$([[ $E2E_FAILED -eq 0 ]] && echo ok || echo FAIL)" "$(e2e_elapsed "$E2E_T0")"
exit "$E2E_FAILED"
