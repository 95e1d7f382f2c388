#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# End-to-end test of vmtap-cni: the chain bridge + host-local -> vmtap-cni, a QEMU guest on the endpoint through `vmtap exec`, pinging the gateway and pinged by a second pod; both modes, 1 and 4 queues.
#
# Usage: VMTAP=path/to/vmtap [VMTAP_CNI=path/to/vmtap-cni] test-cni.sh   (root)
# Re-executes itself in new network and mount namespaces with a tmpfs on /run: the CNI "host" (where the
# bridge plugin makes its bridge) is that private namespace; pods, IPAM data, the result cache and vmtap's
# state live there or in the run's work directory.
set -euo pipefail

VMTAP=$(readlink -f "${VMTAP:?set VMTAP to the vmtap binary}")
VMTAP_CNI=$(readlink -f "${VMTAP_CNI:-$(dirname "$VMTAP")/../cni/vmtap-cni}")
RUNNER=$(readlink -f "$(dirname "$(readlink -f "$0")")/../cni/cnitool.sh")
if [[ -z "${VMTAP_E2E_CNI_IN_NS:-}" ]]; then
	export VMTAP VMTAP_CNI VMTAP_E2E_CNI_IN_NS=1
	# shellcheck disable=SC2016 # expanded by the inner shell
	exec unshare --net --mount --propagation private bash -c 'mount -t tmpfs tmpfs /run && exec "$0" "$@"' "$0" "$@"
fi

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$(readlink -f "$0")")/lib.sh"

e2e_ensure_host
ip link set lo up
if ! printf '{}' | env -i CNI_COMMAND=VERSION "$VMTAP_CNI" | grep -q '"1.1.0"'; then
	e2e_die "$VMTAP_CNI does not answer VERSION"
fi
STATE="$E2E_WORKDIR/state"
status=$(jq -nc --arg s "$STATE" '{cniVersion: "1.1.0", name: "e2enet", type: "vmtap-cni", stateDir: $s}' |
	env -i CNI_COMMAND=STATUS "$VMTAP_CNI" || true)
if grep -q 'built against a libvmtap without' <<<"$status"; then
	echo "ok # SKIP vmtap-cni was built without the library's redirect and macvtap endpoints"
	exit 0
fi
export CNI_PATH="/usr/lib/cni:$E2E_WORKDIR/bin"
mkdir -p "$E2E_WORKDIR/bin"
ln -s "$VMTAP_CNI" "$E2E_WORKDIR/bin/vmtap-cni"
GW=10.93.0.1

e2e_build_guest
boot_tmo="$(e2e_timeout 60)"
step_tmo="$(e2e_timeout 20)"

cnitool() { "$RUNNER" --cache-dir "$E2E_WORKDIR/cache" "$@"; }
bridge_conf() {
	jq -nc --arg dir "$E2E_WORKDIR/ipam" '{type: "bridge", bridge: "cnie2e0", isGateway: true,
		ipam: {type: "host-local", subnet: "10.93.0.0/24", dataDir: $dir, routes: [{dst: "0.0.0.0/0"}]}}'
}
jq -n --argjson br "$(bridge_conf)" '{cniVersion: "1.0.0", name: "e2enet", plugins: [$br]}' >"$E2E_WORKDIR/plain.conflist"
guest_line() { tr -d '\r' <"$(e2e_qemu_log "$1")" | grep -Eo "VMTAP-GUEST: $2" | head -n1; }

e2e_netns_new POD_B podb
plain=$(cnitool add "$E2E_WORKDIR/plain.conflist" plainpod "/run/netns/$POD_B" eth0)
IP_B=$(jq -r '.ips[0].address | split("/")[0]' <<<"$plain")

for mode in redirect macvtap; do
	for q in 1 4; do
		name="$mode-q$q"
		e2e_netns_new POD_A "pod-$mode-$q"
		list="$E2E_WORKDIR/vm-$name.conflist"
		jq -n --argjson br "$(bridge_conf)" --arg s "$STATE" --arg m "$mode" --argjson q "$q" \
			'{cniVersion: "1.0.0", name: "e2enet", disableCheck: ($m == "macvtap"),
			  plugins: [$br, {type: "vmtap-cni", stateDir: $s, mode: $m, queues: $q}]}' >"$list"
		cid="vm$mode$q"
		if ! res=$(cnitool add "$list" "$cid" "/run/netns/$POD_A" eth0); then
			e2e_fail "$name: chain ADD failed"
			continue
		fi
		if [[ $mode == redirect ]]; then
			e2e_check "$name: chain CHECK" cnitool check "$list" "$cid" "/run/netns/$POD_A" eth0 || true
		else
			# the list disables CHECK (the bridge plugin's wants eth0's addresses, which the guest has now):
			# vmtap-cni's own CHECK, through the runner with a list of it alone and the cached result
			jq '.disableCheck = false | .plugins = [.plugins[1]]' "$list" >"$list.vmtap-only"
			e2e_check "$name: vmtap-cni's CHECK" cnitool check "$list.vmtap-only" "$cid" "/run/netns/$POD_A" eth0 || true
		fi
		id=$("$VMTAP_CNI" --endpoint-id "$cid" eth0)
		# the guest's address: the copy pointing at the VM's interface
		vm_ip=$(jq -r '(.interfaces | length - 1) as $vm | .ips[] | select(.interface == $vm) | .address' <<<"$res")
		addr=${vm_ip%/*}
		# shellcheck disable=SC2034 # read by e2e_run_qemu
		E2E_QEMU_VIA=("$VMTAP" --state-dir "$STATE" exec --nic "endpoint=$id" --)
		e2e_run_qemu "$name" --netns "$POD_A" \
			--append "vmtap.mode=wait vmtap.ip=$vm_ip vmtap.host=$GW vmtap.count=3 vmtap.timeout=$(e2e_timeout 60)" \
			-- -smp "$q"
		# shellcheck disable=SC2034 # read by e2e_run_qemu
		E2E_QEMU_VIA=()
		if e2e_wait_guest "$name" 'VMTAP-GUEST: ping (ok|fail)' "$boot_tmo" && [[ -n "$(guest_line "$name" 'ping ok')" ]]; then
			e2e_ok "$name: the guest ($vm_ip) pinged the bridge's gateway $GW ($(e2e_qemu_elapsed "$name") s after start)"
		else
			e2e_fail "$name: the guest could not ping the gateway"
		fi
		got_q="$(guest_line "$name" 'queues=[0-9]+' | cut -d= -f2)"
		if [[ "$got_q" == "$q" ]]; then
			e2e_ok "$name: the guest sees $q queue(s)"
		else
			e2e_fail "$name: the guest sees ${got_q:-?} queues, want $q"
		fi
		if e2e_wait_guest "$name" 'VMTAP-GUEST: waiting' "$step_tmo" &&
			e2e_ping "$POD_B" -c 3 -W 2 "$addr" >"$E2E_WORKDIR/$name-ping.log" 2>&1; then
			e2e_ok "$name: the second pod ($IP_B) pinged the guest at the pod's address $addr"
		else
			e2e_fail "$name: the second pod could not ping the guest"
		fi
		e2e_guest_send "$name" vmtap-stop || true
		# a guest now and then echoes the line and never acts on it (2 runs in 4 on a loaded machine,
		# both times the first guest of the run; cause not found): say it once more before failing
		if ! e2e_wait_guest "$name" 'VMTAP-GUEST: (stop requested|poweroff)' "$step_tmo"; then
			e2e_log "$name: the guest did not act on vmtap-stop; sent again"
			e2e_guest_send "$name" vmtap-stop || true
		fi
		if e2e_wait_guest "$name" 'VMTAP-GUEST: poweroff' "$step_tmo" && e2e_wait_qemu_exit "$name" "$step_tmo"; then
			e2e_ok "$name: guest powered off"
		else
			e2e_fail "$name: QEMU did not exit"
		fi
		e2e_check "$name: chain DEL" cnitool del "$list" "$cid" "/run/netns/$POD_A" eth0 || true
		left=$(ip -n "$POD_A" -o -d link show | grep -cE ' (tun|macvtap) ' || true)
		if [[ $left -eq 0 && -z "$(find "$STATE" -name '*.json' 2>/dev/null)" ]]; then
			e2e_ok "$name: no TAP or record left"
		else
			e2e_fail "$name: left: $left devices, $(ls "$STATE")"
		fi
	done
done
cnitool del "$E2E_WORKDIR/plain.conflist" plainpod "/run/netns/$POD_B" eth0

[[ $E2E_FAILED -eq 0 ]]
