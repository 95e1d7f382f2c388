#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# End-to-end: QEMU run by uid 4242 gets its NIC from a set-uid vmtap-bridge-helper (QEMU's -netdev bridge, 4 queues through libvmtap's client and through vmtap exec).
#
# Usage: VMTAP=path/to/build/cli/vmtap test-bridge-helper.sh   (root)
#   the helper and the test client are found next to it in the build tree
#   (override with VMTAP_BRIDGE_HELPER and VMTAP_BH_CLIENT).
# Runs in a private mount namespace: /etc is overlaid there (for /etc/qemu and
# /etc/vmtap), /run is a private tmpfs (for the netns this run makes), and the
# set-uid copy of the helper lives in the run's own directory; so does the
# upper layer of the overlay that puts another copy at the helper's installed
# path, where vmtap exec looks for it.  The user is a bare uid, never added
# to /etc/passwd.
set -euo pipefail

if [[ -z "${VMTAP_E2E_BH_IN_NS:-}" ]]; then
	VMTAP_E2E_BH_IN_NS=1 exec unshare --mount --propagation private "$BASH" "$0" "$@"
fi
mount -t tmpfs tmpfs /run

source "$(dirname "$(readlink -f "$0")")/lib.sh"

VMTAP=$(readlink -f "${VMTAP:?set VMTAP to the vmtap binary of a build tree}")
BUILD=$(dirname "$(dirname "$VMTAP")")
HELPER=$(readlink -f "${VMTAP_BRIDGE_HELPER:-$BUILD/helper/vmtap-bridge-helper}")
CLIENT=$(readlink -f "${VMTAP_BH_CLIENT:-$BUILD/tests/helper/bh-client}")
[[ -x $HELPER && -x $CLIENT ]] || e2e_die "no helper ($HELPER) or client ($CLIENT): build the tree first"
USR=4242
AS_USER=(setpriv --reuid=$USR --regid=$USR --clear-groups)
HOST_IP=10.99.0.1
GUEST_IP=10.99.0.2

e2e_ensure_host
e2e_build_guest
boot_tmo="$(e2e_timeout 60)"
step_tmo="$(e2e_timeout 20)"

# the run's directory holds the set-uid copy: the user must be able to reach it
chmod 711 "$E2E_WORKDIR"
mkdir -p "$E2E_WORKDIR/bin" "$E2E_WORKDIR/etc-upper/qemu" "$E2E_WORKDIR/etc-upper/vmtap" "$E2E_WORKDIR/etc-work"
chmod 755 "$E2E_WORKDIR/bin"
install -m 4755 "$HELPER" "$E2E_WORKDIR/bin/vmtap-bridge-helper"
BH="$E2E_WORKDIR/bin/vmtap-bridge-helper"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$E2E_WORKDIR/etc-upper,workdir=$E2E_WORKDIR/etc-work" /etc
e2e_on_exit 'umount /etc 2>/dev/null'
acl() { printf '%b' "$1" >/etc/qemu/bridge.conf && chmod 644 /etc/qemu/bridge.conf; }

e2e_netns_new NS bh
ip -n "$NS" link add br0 type bridge
ip -n "$NS" addr add "$HOST_IP/24" dev br0
ip -n "$NS" link set br0 up

tap_names() { ip -n "$NS" -o link show type tun 2>/dev/null | awk -F': ' '{print $2}' | tr '\n' ' '; }
guest_line() { tr -d '\r' <"$(e2e_qemu_log "$1")" | grep -Eo "VMTAP-GUEST: $2" | head -n1; }
tun_fds_of() { find "/proc/$1/fd" -lname /dev/net/tun 2>/dev/null | wc -l; }

# guest NAME QUEUES QEMU-ARGS...: boot a guest as the user and prove its network both ways, its TAP and its fds
guest() {
	local name=$1 queues=$2 pid tap q
	shift 2
	e2e_run_qemu "$name" --netns "$NS" \
		--append "vmtap.mode=wait vmtap.ip=$GUEST_IP/24 vmtap.host=$HOST_IP vmtap.count=3 vmtap.timeout=$(e2e_timeout 40)" \
		-- -smp "$queues" "$@"
	pid=$(e2e_qemu_pid "$name")
	if e2e_wait_guest "$name" 'VMTAP-GUEST: ping (ok|fail)' "$boot_tmo" && [[ -n "$(guest_line "$name" 'ping ok')" ]]; then
		e2e_ok "$name: guest pinged the bridge side ($(e2e_qemu_elapsed "$name") s after start)"
	else
		e2e_fail "$name: guest could not ping the bridge side"
	fi
	[[ "$(awk '/^Uid:/ {print $2 $3}' "/proc/$pid/status")" == "$USR$USR" ]] &&
		e2e_ok "$name: QEMU runs as uid $USR" || e2e_fail "$name: QEMU is not uid $USR"
	q="$(guest_line "$name" 'queues=[0-9]+' | cut -d= -f2)"
	[[ "$q" == "$queues" ]] && e2e_ok "$name: guest sees $q queue(s)" || e2e_fail "$name: guest sees ${q:-?} queues, want $queues"
	tap=$(ip -n "$NS" -o link show type tun master br0 | awk -F': ' '{print $2}' | head -n1)
	if [[ -n $tap ]] && ip -n "$NS" -d -j link show dev "$tap" | jq -e --argjson u $USR --argjson q "$queues" --arg tag \
		"vmtap-helper:uid=$USR,pid=$pid" '.[0] | .ifalias == $tag and .linkinfo.info_data.user == $u and
		(.linkinfo.info_data.persist | not) and (.address | startswith("fe:")) and
		($q == 1 or .linkinfo.info_data.numqueues == $q)' >/dev/null; then
		e2e_ok "$name: TAP $tap on br0, owned by uid $USR, tagged with QEMU's pid, $queues queue(s), not persistent"
	else
		e2e_fail "$name: TAP not as expected: $(ip -n "$NS" -d link show type tun | tr '\n' ' ')"
	fi
	# fd audit of QEMU: it holds exactly the queues it was handed, nothing else of the helper's
	[[ "$(tun_fds_of "$pid")" == "$queues" ]] && e2e_ok "$name: QEMU holds exactly $queues /dev/net/tun fd(s)" ||
		e2e_fail "$name: QEMU holds $(tun_fds_of "$pid") /dev/net/tun fds, want $queues"
	if e2e_wait_guest "$name" 'VMTAP-GUEST: waiting' "$step_tmo" &&
		e2e_ping "$NS" -c 3 -W 2 "$GUEST_IP" >"$E2E_WORKDIR/$name-ping.log" 2>&1; then
		e2e_ok "$name: the bridge side pinged the guest"
	else
		e2e_fail "$name: the bridge side could not ping the guest"
	fi
	e2e_guest_send "$name" vmtap-stop || true
	if e2e_wait_guest "$name" 'VMTAP-GUEST: poweroff' "$step_tmo" && e2e_wait_qemu_exit "$name" "$step_tmo" &&
		[[ "$(e2e_qemu_rc "$name")" == 0 ]]; then
		e2e_ok "$name: guest powered off, QEMU exited 0"
	else
		e2e_fail "$name: QEMU did not exit cleanly (status $(e2e_qemu_rc "$name" || true))"
	fi
	[[ -z "$(tap_names)" ]] && e2e_ok "$name: the TAP disappeared with QEMU" || e2e_fail "$name: TAP left: $(tap_names)"
}

# ---- QEMU's own -netdev bridge with our helper in place of qemu-bridge-helper ----
acl 'allow br0\n'
E2E_QEMU_VIA=("${AS_USER[@]}")
guest bridge1 1 -netdev "bridge,id=n0,br=br0,helper=$BH" -device virtio-net-pci,netdev=n0,mac=52:54:00:12:34:01
E2E_QEMU_VIA=()

# ---- 4 queues through libvmtap's client, as `vmtap exec` will do it: QEMU gets -netdev tap,fds=... ----
printf 'max-queues 4\n' >/etc/vmtap/bridge-helper.conf
E2E_QEMU_VIA=("${AS_USER[@]}" "$CLIENT" --helper "$BH" --br br0 --queues 4 --mac 52:54:00:12:34:04 --exec --)
guest client4 4
E2E_QEMU_VIA=()
out=$(ip netns exec "$NS" "${AS_USER[@]}" "$CLIENT" --helper "$BH" --br br0 --queues 8 --exec -- \
	sh -c 'echo QEMU-STARTED' 2>&1) && rc=0 || rc=$?
if [[ $rc -eq 8 && "$out" == *"8 queues asked for, the limit for uid $USR is 4"* && "$out" != *QEMU-STARTED* &&
	-z "$(tap_names)" ]]; then
	e2e_ok "8 queues over the user's limit of 4: refused before QEMU starts, nothing made"
else
	e2e_fail "over the limit: exit $rc, output: $out, TAPs: $(tap_names)"
fi

# ---- vmtap exec run by the user: without CAP_NET_ADMIN it runs the helper at its installed path itself ----
# that path is built into vmtap ('exec --help' shows it): the nearest directory above it that exists is
# overlaid in this mount namespace, and a set-uid copy put there
DEFAULT=$("$VMTAP" exec --help | grep -o '/[^ ]*/vmtap-bridge-helper$') || e2e_die "no helper path in 'vmtap exec --help'"
base=$(dirname "$DEFAULT")
while [[ ! -d $base ]]; do base=$(dirname "$base"); done
[[ $base != / ]] || e2e_die "will not overlay / for $DEFAULT"
mkdir -p "$E2E_WORKDIR/lx-upper" "$E2E_WORKDIR/lx-work"
mount -t overlay overlay -o "lowerdir=$base,upperdir=$E2E_WORKDIR/lx-upper,workdir=$E2E_WORKDIR/lx-work" "$base"
e2e_on_exit "umount '$base' 2>/dev/null"
mkdir -p "$(dirname "$DEFAULT")"
install -m 4755 "$HELPER" "$DEFAULT"
E2E_QEMU_VIA=("${AS_USER[@]}" "$VMTAP" exec --nic bridge=br0,queues=4,mac=52:54:00:12:34:05,vhost=on --)
guest exec4 4
E2E_QEMU_VIA=()
if grep -qF "vmtap: warning: vhost-net is unavailable (the bridge helper $DEFAULT sent no vhost-net fds)" \
	"$(e2e_qemu_log exec4)"; then
	e2e_ok "exec4: vhost=on without /dev/vhost-net: warned, vhost=off"
else
	e2e_fail "exec4: no vhost-net warning in $(e2e_qemu_log exec4)"
fi
out=$(ip netns exec "$NS" "${AS_USER[@]}" "$VMTAP" exec --nic bridge=br0,queues=8 -- \
	sh -c 'echo QEMU-STARTED' 2>&1) && rc=0 || rc=$?
if [[ $rc -eq 11 && "$out" == *"8 queues asked for, the limit for uid $USR is 4"* && "$out" != *QEMU-STARTED* &&
	-z "$(tap_names)" ]]; then
	e2e_ok "vmtap exec, 8 queues over the user's limit of 4: refused (11) with the helper's message, nothing made"
else
	e2e_fail "vmtap exec over the limit: exit $rc, output: $out, TAPs: $(tap_names)"
fi

# ---- refusals: QEMU fails to start with the helper's message, nothing is left ----
# qemu_bridge NAME BRIDGE WANT NEEDLE: QEMU as the user with -netdev bridge; WANT is start or fail
qemu_bridge() {
	local name=$1 br=$2 want=$3 needle=$4 log="$E2E_WORKDIR/$1.log" pid rc=0 i
	ip netns exec "$NS" "${AS_USER[@]}" qemu-system-x86_64 -machine none -nodefaults -display none \
		-name "$E2E_TAG-$name" -netdev "bridge,id=n0,br=$br,helper=$BH" </dev/null >"$log" 2>&1 &
	pid=$!
	for i in $(seq 100); do
		{ [[ -n "$(tap_names)" ]] || ! _e2e_pid_running "$pid"; } && break
		sleep 0.1
	done
	if [[ $want == start ]]; then
		if [[ -n "$(tap_names)" ]] && _e2e_pid_running "$pid" &&
			ip -n "$NS" -j link show type tun | jq -e --arg t "vmtap-helper:uid=$USR,pid=$pid" '.[0].ifalias == $t' >/dev/null; then
			e2e_ok "$name: QEMU started with the TAP"
		else
			e2e_fail "$name: QEMU did not get its TAP: $(tr '\n' ' ' <"$log")"
		fi
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	else
		wait "$pid" 2>/dev/null || rc=$?
		if [[ $rc -ne 0 ]] && grep -qF -- "$needle" "$log" && grep -q 'bridge helper failed' "$log"; then
			e2e_ok "$name: QEMU failed to start (status $rc) saying: $(grep -F -- "$needle" "$log" | head -n1)"
		else
			e2e_fail "$name: status $rc, QEMU said: $(tr '\n' ' ' <"$log")"
		fi
	fi
	for i in $(seq 50); do [[ -z "$(tap_names)" ]] && break; sleep 0.1; done
	[[ -z "$(tap_names)" ]] && e2e_ok "$name: nothing left behind" || e2e_fail "$name: TAP left: $(tap_names)"
}
acl 'allow br1\n'
qemu_bridge acl-deny br0 fail "access denied by acl file"
acl 'allow br0\ndeny br0\n'
qemu_bridge acl-deny-wins br0 fail "bridge br0 is denied by /etc/qemu/bridge.conf:2"
printf 'allow br0\n' >/etc/qemu/users.conf
chmod 644 /etc/qemu/users.conf
acl 'include /etc/qemu/users.conf\n'
qemu_bridge acl-include br0 start ""
rm /etc/qemu/bridge.conf
qemu_bridge acl-missing br0 fail "failed to parse default acl file \`/etc/qemu/bridge.conf': No such file or directory"
acl 'allow all\n'
qemu_bridge name-16-bytes 0123456789abcdef fail "name \`0123456789abcdef' too long: 16"
qemu_bridge no-such-bridge nobr fail "bridge nobr does not exist"

e2e_cleanup
e2e_check "no QEMU, netns or TAP of this run remains" e2e_check_clean
printf 'test-bridge-helper: %s (total %s s)\n' "$([[ $E2E_FAILED -eq 0 ]] && echo ok || echo FAIL)" "$(e2e_elapsed "$E2E_T0")"
exit "$E2E_FAILED"
