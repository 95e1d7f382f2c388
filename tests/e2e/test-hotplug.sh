#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# End-to-end test of vmtap hotplug/unplug over QMP: a running guest without a NIC gets 1 and 4 queues on a bridge, 2 on a macvtap, and the failure paths.
#
# Usage: VMTAP=path/to/vmtap test-hotplug.sh   (root; everything happens in namespaces made here)
set -euo pipefail

source "$(dirname "$(readlink -f "$0")")/lib.sh"

VMTAP=$(readlink -f "${VMTAP:?set VMTAP to the vmtap binary}")
HOST_IP=10.99.0.1
GUEST_IP=10.99.0.2
STATE="$E2E_WORKDIR/state"
QMP="$E2E_WORKDIR/qmp.sock"
vm() { ip netns exec "$NS" "$VMTAP" --state-dir "$STATE" "$@"; }

e2e_ensure_host
e2e_build_guest
boot_tmo="$(e2e_timeout 60)"
step_tmo="$(e2e_timeout 30)"

e2e_netns_new NS hp
ip -n "$NS" link add br0 type bridge
ip -n "$NS" addr add "$HOST_IP/24" dev br0
ip -n "$NS" link set br0 up
# a veth on the bridge, for a macvtap endpoint on its other end (vparent)
ip -n "$NS" link add vparent type veth peer name vpeer
ip -n "$NS" link set vpeer master br0 up
ip -n "$NS" link set vparent up

e2e_run_qemu guest --netns "$NS" \
	--append "vmtap.mode=hotplug-loop vmtap.ip=$GUEST_IP/24 vmtap.host=$HOST_IP vmtap.count=3 vmtap.timeout=$(e2e_timeout 240)" \
	-- -smp 4 -qmp "unix:$QMP,server=on,wait=off"
PID="$(e2e_qemu_pid guest)"
LOG="$(e2e_qemu_log guest)"
e2e_wait_guest guest 'VMTAP-GUEST: hotplug-loop waiting' "$boot_tmo" || e2e_die "guest did not boot"
e2e_ok "guest booted without a NIC"

fd_count() { find "/proc/$PID/fd" -mindepth 1 -maxdepth 1 | wc -l; }
tun_fds() { # queue fds: /dev/net/tun for a TAP, the private node vmtap opened a macvtap's queues through
	local f n=0
	for f in /proc/"$PID"/fd/*; do [[ "$(readlink "$f")" == */net/tun || "$(readlink "$f")" == "/q (deleted)" ]] && n=$((n + 1)); done
	echo "$n"
}
netdevs() { vm qmp --qmp "$QMP" human-monitor-command '{"command-line":"info network"}'; }
taps() { { ip -n "$NS" -o link show type tun; ip -n "$NS" -o link show type macvtap; } 2>/dev/null | awk -F': ' '{print $2}' | tr '\n' ' '; }
lines() { tr -d '\r' <"$LOG" | grep -c "VMTAP-GUEST: $1" || true; }
wait_count() { # wait_count PATTERN N: until the guest has said PATTERN N times
	local pat=$1 n=$2 deadline=$((SECONDS + step_tmo))
	while [[ $(lines "$pat") -lt $n ]]; do
		[[ $SECONDS -lt $deadline ]] || return 1
		kill -0 "$PID" 2>/dev/null || return 1
		read -rt 0.2 <> <(:) || true
	done
}
FDS0=$(fd_count)

# plug_cycle N ID QUEUES [CONNECTION...]: plug, prove the network both ways and the queue count, unplug, prove nothing stays
plug_cycle() {
	local n=$1 id=$2 queues=$3 dev q
	local conn=("${@:4}")
	[[ ${#conn[@]} -gt 0 ]] || conn=(--bridge br0)
	if out="$(vm hotplug --qmp "$QMP" "$id" --queues "$queues" "${conn[@]}" 2>&1)"; then
		e2e_ok "cycle $n: hotplug $id with $queues queue(s): $out"
	else
		e2e_fail "cycle $n: hotplug failed: $out"
		return
	fi
	if wait_count 'plugged iface' "$n" && [[ $(lines 'ping ok') -ge $n ]]; then
		e2e_ok "cycle $n: the guest configured the new NIC and pinged the host"
	else
		e2e_fail "cycle $n: guest: $(tr -d '\r' <"$LOG" | grep VMTAP-GUEST | tail -3 | tr '\n' '|')"
	fi
	q="$(tr -d '\r' <"$LOG" | grep -Eo 'VMTAP-GUEST: queues=[0-9]+' | tail -n1 | cut -d= -f2)"
	[[ "$q" == "$queues" ]] && e2e_ok "cycle $n: guest sees $q queue(s)" || e2e_fail "cycle $n: guest sees ${q:-?} queues, want $queues"
	if e2e_ping "$NS" -c 3 -W 2 "$GUEST_IP" >/dev/null 2>&1; then e2e_ok "cycle $n: host pinged the guest"; else e2e_fail "cycle $n: host could not ping the guest"; fi
	dev="$(vm -j endpoint show "$id" | jq -r '.[0].ifname')"
	# QEMU adds eventfds of its own per virtqueue; the TAP queues are what we handed over
	[[ $(tun_fds) -eq $queues ]] && e2e_ok "cycle $n: QEMU holds exactly the $queues TAP queue fd(s)" ||
		e2e_fail "cycle $n: QEMU holds $(tun_fds) TAP fds, want $queues"
	vm -j endpoint show "$id" | jq -e '.[0].hypervisor | .pid > 0 and .device == "vmtap-'"$id"'" and (.pci | test("^0000:"))' >/dev/null &&
		e2e_ok "cycle $n: record names QEMU's pid, the device and its PCI address" ||
		e2e_fail "cycle $n: record: $(vm -j endpoint show "$id")"
	if out="$(vm unplug --qmp "$QMP" "$id" 2>&1)"; then
		e2e_ok "cycle $n: unplug returned after the guest released the device"
	else
		e2e_fail "cycle $n: unplug failed: $out"
	fi
	wait_count 'unplugged iface' "$n" && e2e_ok "cycle $n: the guest saw the NIC go" || e2e_fail "cycle $n: guest still has the NIC"
	if ! netdevs | grep -q "hostvmtap-$id" && [[ $(fd_count) -eq $FDS0 ]] && [[ -z "$(taps)" ]] &&
		! vm endpoint show "$id" >/dev/null 2>&1; then
		e2e_ok "cycle $n: netdev, queue fds in QEMU, TAP $dev and record are gone"
	else
		e2e_fail "cycle $n: left: netdevs $(netdevs | tr -d '\r\n') fds $(fd_count)/$FDS0 taps [$(taps)]"
	fi
}

plug_cycle 1 e1 1
plug_cycle 2 e4 4
# a macvtap endpoint on vparent (Kata's model: the guest takes vparent's MAC): hot-plugged the same way
vparent_before="$(ip -n "$NS" -j link show vparent | jq -c '.[0] | {address, flags}')"
plug_cycle 3 m2 2 --macvtap vparent
[[ "$(ip -n "$NS" -j link show vparent | jq -c '.[0] | {address, flags}')" == "$vparent_before" ]] &&
	e2e_ok "cycle 3: vparent has its MAC back" || e2e_fail "cycle 3: vparent changed"

# device_add refused: nothing remains in QEMU or the kernel
if out="$(vm hotplug --qmp "$QMP" ebad --queues 2 --bus nope 2>&1)"; then
	e2e_fail "device_add on a bus that does not exist succeeded"
else
	if [[ "$out" == *"device_add refused"*"nope"* && $(fd_count) -eq $FDS0 && -z "$(taps)" ]] &&
		! netdevs | grep -q hostvmtap-ebad && ! vm endpoint show ebad >/dev/null 2>&1; then
		e2e_ok "device_add refused ($out): nothing left in QEMU or the kernel"
	else
		e2e_fail "after a refused device_add: $out; fds $(fd_count)/$FDS0 taps [$(taps)] netdevs $(netdevs | tr -d '\r\n')"
	fi
fi

# a guest that does not release the device: the timeout path, then a later unplug finishes
vm hotplug --qmp "$QMP" eslow --queues 2 --bridge br0 >/dev/null
wait_count 'plugged iface' 4 || true
vm qmp --qmp "$QMP" stop >/dev/null
start=$SECONDS
if out="$(vm unplug --qmp "$QMP" eslow --timeout 3 2>&1)"; then
	e2e_fail "unplug of a stopped guest succeeded"
else
	if [[ "$out" == *"did not release"* && $((SECONDS - start)) -lt 20 ]] && netdevs | grep -q hostvmtap-eslow &&
		vm endpoint show eslow >/dev/null; then
		e2e_ok "guest ignoring the unplug: clear error after the timeout, netdev and record kept ($out)"
	else
		e2e_fail "timeout path: $out; netdevs $(netdevs | tr -d '\r\n')"
	fi
fi
vm qmp --qmp "$QMP" cont >/dev/null
if out="$(vm unplug --qmp "$QMP" eslow 2>&1)" && [[ $(fd_count) -eq $FDS0 && -z "$(taps)" ]] && ! netdevs | grep -q hostvmtap-eslow; then
	e2e_ok "a later unplug finished the job"
else
	e2e_fail "second unplug: $out; fds $(fd_count)/$FDS0 taps [$(taps)]"
fi

# a line typed while the guest's read times out can be lost: say it again until it is heard
for _ in 1 2 3 4 5; do
	e2e_guest_send guest vmtap-stop || true
	e2e_wait_guest guest 'VMTAP-GUEST: poweroff' 3 2>/dev/null && break
done
if e2e_wait_guest guest 'VMTAP-GUEST: poweroff' "$step_tmo" && e2e_wait_qemu_exit guest "$step_tmo" &&
	[[ "$(e2e_qemu_rc guest)" == 0 ]]; then
	e2e_ok "guest powered off, QEMU exited 0"
else
	e2e_fail "QEMU did not exit cleanly"
fi
[[ -z "$(ls -A "$STATE" 2>/dev/null | grep -vx .state-id)" ]] && e2e_ok "no endpoint record left" || e2e_fail "records left: $(ls -A "$STATE")"

e2e_cleanup
e2e_check "no QEMU, netns or TAP of this run remains" e2e_check_clean
printf 'test-hotplug: %s (total %s s)\n' "$([[ $E2E_FAILED -eq 0 ]] && echo ok || echo FAIL)" "$(e2e_elapsed "$E2E_T0")"
exit "$E2E_FAILED"
