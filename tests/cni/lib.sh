# SPDX-License-Identifier: GPL-2.0-or-later
# The helpers of vmtap-cni's tests: checks and their count, namespaces, configuration lists, the plugin run by hand, what an attachment leaves.
# shellcheck shell=bash disable=SC2016 # jq programs in single quotes
#
# Sourced by cni.sh once it runs in its own namespaces; needs W, STATE, PLUGIN, RUNNER and CNI_PATH set,
# and appends to NETNS every namespace it makes (cni.sh deletes them).

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok $pass - $*"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $*"; }
check() { # check DESCRIPTION COMMAND...: passes when COMMAND succeeds
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}
skip() { echo "ok # SKIP $*"; }
jqe() { jq -e "$@" >/dev/null; } # jqe FILTER [ARGS]: whether FILTER holds for stdin
section() { echo "# ---- $* (at ${SECONDS}s)"; }

# pingns NS ADDR: one ping from inside NS (iputils if installed, else busybox's)
pingns() {
	if command -v ping >/dev/null; then ip netns exec "$1" ping -c1 -W2 "$2"; else ip netns exec "$1" busybox ping -c1 -W2 "$2"; fi >/dev/null 2>&1
}
netns_new() { ip netns add "$1" && NETNS+=("$1") && ip -n "$1" link set lo up; }
cnitool() { "$RUNNER" --cache-dir "$W/cache" "$@"; }

# conflist FILE NAME VERSION PLUGIN-JSON...: a configuration list
conflist() {
	local file=$1 name=$2 version=$3
	shift 3
	jq -n --arg n "$name" --arg v "$version" '{cniVersion: $v, name: $n, plugins: $ARGS.positional}' \
		--jsonargs "$@" >"$file"
}
# bridge_conf BRIDGE SUBNET: the bridge plugin with host-local, its store in the test's directory
bridge_conf() {
	jq -nc --arg br "$1" --arg sub "$2" --arg dir "$W/ipam" \
		'{type: "bridge", bridge: $br, isGateway: true,
		  ipam: {type: "host-local", subnet: $sub, dataDir: $dir, routes: [{dst: "0.0.0.0/0"}]}}'
}

# the plugin run by hand, as the runner would for the last plugin of a chain: vmtap STDIN ENV...
vmtap() {
	local stdin=$1
	shift
	printf '%s' "$stdin" | env -i PATH="$PATH" CNI_PATH="$CNI_PATH" "$@" "$PLUGIN"
}
vm_plugin() { # vm_plugin NAME VERSION JQ-EXPR: a vmtap-cni plugin configuration of network NAME
	jq -nc --arg s "$STATE" "{type: \"vmtap-cni\", stateDir: \$s} | ${3:-.}"
}
# eth0_state NS: the pod interface as the bridge plugin made it (kind, MAC, MTU, flags, addresses, routes)
eth0_state() {
	ip -n "$1" -j -d link show eth0 | jq -c '.[0] | {address, mtu, flags, master, kind: .linkinfo.info_kind}'
	ip -n "$1" -j addr show dev eth0 | jq -c '[.[0].addr_info[] | select(.scope == "global") | .local + "/" + (.prefixlen | tostring)]'
	ip -n "$1" route show | sort
	tc -n "$1" qdisc show dev eth0 | grep -v 'qdisc noqueue' || true
}
# attachment artefacts: TAP-like devices in NS, records in the state directory
taps_in() { ip -n "$1" -o -d link show 2>/dev/null | grep -cE ' (tun|macvtap) ' || true; }
records() { find "$STATE" -maxdepth 1 -name '*.json' 2>/dev/null | wc -l; }
ingress_filters() { tc -n "$1" filter show dev "$2" ingress 2>/dev/null | grep -c 'mirred' || true; }
export -f taps_in records ingress_filters
export STATE

# tap_of RESULT: the TAP's name in a vmtap-cni result (the interface before the VM's)
tap_of() { jq -r '.interfaces[-2].name' <<<"$1"; }
# link_json NS DEV: `ip -d -j link show` of one device
link_json() { ip -n "$1" -d -j link show "$2" | jq -c '.[0]'; }
# pod_clean NS: no TAP, no vmtap filter, no record
pod_clean() { [ "$(taps_in "$1")" -eq 0 ] && [ "$(ingress_filters "$1" eth0)" -eq 0 ] && [ "$(records)" -eq 0 ]; }
# by_hand VERB CID NS CONF: vmtap-cni alone, as the last plugin of a chain
by_hand() { vmtap "$4" CNI_COMMAND="$1" CNI_CONTAINERID="$2" CNI_NETNS="/run/netns/$3" CNI_IFNAME=eth0; }
# with_prev CONF RESULT [VERSION]: CONF with prevResult RESULT (cniVersion VERSION on both, when given)
with_prev() {
	jq -c --argjson p "$2" --arg v "${3:-}" '. + {prevResult: $p} | if $v != "" then .cniVersion = $v | .prevResult.cniVersion = $v else . end' <<<"$1"
}

# fake_pod NS: eth0 in NS as a pod plugin would leave it (a veth with an address, its peer in NS too:
# the bridge plugin's Go start-up is not what these tests are about); prints the prevResult saying so
fake_pod() {
	ip -n "$1" link add eth0 type veth peer name eth0peer && ip -n "$1" link set eth0 up &&
		ip -n "$1" link set eth0peer up && ip -n "$1" addr add 10.95.0.2/24 dev eth0 || return 1
	jq -nc --arg mac "$(link_json "$1" eth0 | jq -r .address)" --arg ns "/run/netns/$1" \
		'{cniVersion: "1.0.0", interfaces: [{name: "eth0", mac: $mac, sandbox: $ns}],
		  ips: [{address: "10.95.0.2/24", gateway: "10.95.0.1", interface: 0}], routes: [{dst: "0.0.0.0/0"}]}'
}
fake_pod_gone() { ip -n "$1" link del eth0; }
