# SPDX-License-Identifier: GPL-2.0-or-later
# The runner proven alone with Debian's bridge + host-local, vmtap-cni's VERSION and STATUS, the bad-input table (each bad input its code, nothing changed).
# shellcheck shell=bash disable=SC2016 # jq programs and bash -c scripts in single quotes
#
# Sourced by cni.sh (part "basics"), with lib.sh's helpers and cni.sh's variables (W, STATE, PLUGIN, RUNNER, INTERWORKING).

section runner alone
# ---- 1. the runner alone, with Debian's bridge + host-local: proof that it runs plugins as libcni does ----
netns_new pod1
netns_new pod2
declare -A SUBNET=([0.3.1]=31 [0.4.0]=40 [1.0.0]=100)
for v in 0.3.1 0.4.0 1.0.0; do
	conflist "$W/bridge-$v.conflist" "br${v//./}" "$v" "$(bridge_conf "cnibr${v//./}" "10.88.${SUBNET[$v]}.0/24")"
done
res=$(cnitool add "$W/bridge-1.0.0.conflist" c1 /run/netns/pod1 eth0)
check "runner: bridge ADD prints a 1.0.0 result with eth0 in the pod" \
	jqe '.cniVersion == "1.0.0" and any(.interfaces[]; .name == "eth0" and .sandbox == "/run/netns/pod1")
		and (.ips[0].address | startswith("10.88.100."))' <<<"$res"
ip1=$(jq -r '.ips[0].address | split("/")[0]' <<<"$res")
check "runner: the bridge plugin put $ip1 on the pod's eth0" bash -c "ip -n pod1 -o addr show eth0 | grep -q ' $ip1/'"
check "runner: the result is cached outside /var/lib/cni" test -s "$W/cache/results/br100-c1-eth0"
check "runner: the IPAM store is the test's" test -e "$W/ipam/br100/$ip1"
check "runner: CHECK of the bridge chain passes" cnitool check "$W/bridge-1.0.0.conflist" c1 /run/netns/pod1 eth0
res2=$(cnitool add "$W/bridge-1.0.0.conflist" c2 /run/netns/pod2 eth0)
ip2=$(jq -r '.ips[0].address | split("/")[0]' <<<"$res2")
check "runner: pod1 pings pod2 ($ip2) and the gateway over the bridge" \
	eval 'pingns pod1 "$ip2" && pingns pod1 10.88.100.1'
ip -n pod1 addr flush dev eth0
check "runner: CHECK fails once the pod's address is gone (the bridge plugin checks it)" \
	bash -c "! '$RUNNER' --cache-dir '$W/cache' check '$W/bridge-1.0.0.conflist' c1 /run/netns/pod1 eth0 2>/dev/null"
check "runner: DEL with a bare environment" cnitool --bare-env del "$W/bridge-1.0.0.conflist" c1 /run/netns/pod1 eth0
check "runner: DEL removed eth0, the IP and the cache" \
	bash -c "! ip -n pod1 link show eth0 2>/dev/null && [ ! -e '$W/ipam/br100/$ip1' ] && [ ! -e '$W/cache/results/br100-c1-eth0' ]"
check "runner: a second DEL succeeds" cnitool del "$W/bridge-1.0.0.conflist" c1 /run/netns/pod1 eth0
check "runner: GC of a 1.0.0 list keeps the valid attachment" cnitool gc "$W/bridge-1.0.0.conflist" c2/eth0
check "runner: ... which is still there" eval 'ip -n pod2 link show eth0 >/dev/null'
check "runner: GC with no valid attachment DELs the cached one (libcni's first step)" cnitool gc "$W/bridge-1.0.0.conflist"
check "runner: ... and pod2's eth0 and IP are gone" bash -c "! ip -n pod2 link show eth0 2>/dev/null && [ ! -e '$W/ipam/br100/$ip2' ]"
for v in 0.3.1 0.4.0; do
	res=$(cnitool add "$W/bridge-$v.conflist" c1 /run/netns/pod1 eth0)
	check "runner: bridge ADD with a $v list gives a $v result with ips[].version" \
		jqe --arg v "$v" '.cniVersion == $v and .ips[0].version == "4"' <<<"$res"
	if [[ $v == 0.3.1 ]]; then
		check "runner: CHECK is refused for a 0.3.1 list, as libcni does" \
			bash -c "! '$RUNNER' --cache-dir '$W/cache' check '$W/bridge-$v.conflist' c1 /run/netns/pod1 eth0 2>/dev/null"
	else
		check "runner: CHECK of the $v chain passes" cnitool check "$W/bridge-$v.conflist" c1 /run/netns/pod1 eth0
	fi
	check "runner: DEL of the $v chain" cnitool del "$W/bridge-$v.conflist" c1 /run/netns/pod1 eth0
done
check "runner: a plugin that does not speak the list's version is refused at VERSION" \
	bash -c "jq '.cniVersion = \"1.1.0\"' '$W/bridge-1.0.0.conflist' >'$W/bridge-1.1.0.conflist' &&
		'$RUNNER' --cache-dir '$W/cache' add '$W/bridge-1.1.0.conflist' c9 /run/netns/pod1 eth0 2>&1 >/dev/null |
		grep -q 'does not support config version \"1.1.0\"' && ! ip -n pod1 link show eth0 2>/dev/null"
check "runner: no IP left allocated after all the DELs" \
	bash -c "[ -z \"\$(find '$W/ipam' -name '10.*')\" ]"

section VERSION and STATUS
# ---- 2. VERSION and STATUS of vmtap-cni ----
want='["0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]'
for v in 0.3.1 1.0.0 1.1.0; do
	out=$(printf '{"cniVersion":"%s"}' "$v" | env -i CNI_COMMAND=VERSION CNI_NETNS=dummy CNI_IFNAME=dummy CNI_PATH=dummy "$PLUGIN")
	check "VERSION asked in $v: answers in $v with every version it speaks" \
		jqe --arg v "$v" --argjson want "$want" '.cniVersion == $v and .supportedVersions == $want' <<<"$out"
done
out=$(env -i CNI_COMMAND=VERSION "$PLUGIN" </dev/null)
check "VERSION without stdin: answers in 1.1.0" jqe '.cniVersion == "1.1.0"' <<<"$out"
check "VERSION through the runner (libcni's dummy values)" \
	bash -c "'$RUNNER' version vmtap-cni | jq -e '.supportedVersions | index(\"1.1.0\")' >/dev/null"
conflist "$W/alone.conflist" vmalone 1.1.0 "$(jq -nc --arg s "$STATE" '{type: "vmtap-cni", stateDir: $s}')"
out=$(cnitool status "$W/alone.conflist" 2>/dev/null)
rc=$?
if [[ $INTERWORKING == yes ]]; then
	check "STATUS: 0 with tun usable and the state directory makeable (exit $rc: $out)" test $rc -eq 0
else
	check "STATUS in a build without redirect/macvtap endpoints: 50, saying so" \
		jqe '.code == 50 and (.details | test("built against"))' <<<"$out"
fi
check "STATUS made no state directory" test ! -e "$STATE"
mkdir -m 0777 "$W/open"
conflist "$W/open.conflist" vmopen 1.1.0 "$(jq -nc --arg s "$W/open" '{type: "vmtap-cni", stateDir: $s}')"
out=$(cnitool status "$W/open.conflist" 2>/dev/null)
check "STATUS: 50 for a state directory others can write" \
	jqe '.code == 50 and (.details | test("writable by all users"))' <<<"$out"
conflist "$W/gone.conflist" vmgone 1.1.0 '{"type":"vmtap-cni","stateDir":"/nonexistent-vmtap/state"}'
out=$(cnitool status "$W/gone.conflist" 2>/dev/null)
check "STATUS: 50 when the state directory's parent is missing" \
	jqe '.code == 50 and (.details | test("its parent"))' <<<"$out"
check "STATUS changed nothing" bash -c "[ ! -e /nonexistent-vmtap ] && [ \"\$(stat -c %a '$W/open')\" = 777 ]"

section bad input
# ---- 3. bad input: each gives its code and changes nothing ----
netns_new podbad
ip -n podbad link add eth0 type veth peer name veth-bad
# what a bad input could have changed: links everywhere, podbad's addresses and tc objects, the test's files
snapshot() {
	ip -o link | sed 's/ link\/.*//'
	ip -n podbad -o link | sed 's/ link\/.*//'
	ip -n podbad -o addr
	tc -n podbad qdisc show
	tc -n podbad filter show dev eth0 ingress 2>/dev/null
	find "$W" -path "$W/cache" -prune -o ! -name stderr -printf '%p %m\n' | sort
}
BASE_ENV=(CNI_COMMAND=ADD CNI_CONTAINERID=cbad CNI_NETNS=/run/netns/podbad CNI_IFNAME=eth0 CNI_PATH="$CNI_PATH")
# prevResult: eth0 in podbad
PREV='{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","mac":"02:00:00:00:00:01","sandbox":"/run/netns/podbad"}],"ips":[{"address":"10.9.0.2/24","interface":0}]}'
conf() { # conf VERSION [JQ-EXPR]: a vmtap-cni request configuration with prevResult
	jq -nc --arg v "$1" --arg s "$STATE" --argjson prev "$PREV" \
		"{cniVersion: \$v, name: \"vmbad\", type: \"vmtap-cni\", stateDir: \$s, prevResult: (\$prev | .cniVersion = \$v)} | ${2:-.}"
}
# bad CODE NEEDLE STDIN VAR=VALUE...: exit status CODE, the error JSON with CODE and NEEDLE, nothing changed
bad() {
	local code=$1 needle=$2 stdin=$3 out rc before after
	shift 3
	before=$(snapshot)
	out=$(printf '%s' "$stdin" | timeout 10 env -i PATH="$PATH" "$@" "$PLUGIN" 2>"$W/stderr")
	rc=$?
	after=$(snapshot)
	if [[ $rc -ne $code ]]; then
		not_ok "[$*] exit $rc, wanted $code: $out $(cat "$W/stderr")"
	elif ! jq -e --argjson c "$code" '.code == $c and (.msg | length > 0) and (.cniVersion | type == "string")' \
		<<<"$out" >/dev/null 2>&1; then
		not_ok "[$*] stdout is not the error object with code $code: $out"
	elif [[ "$(jq -r '.msg + " " + (.details // "")' <<<"$out")" != *"$needle"* ]]; then
		not_ok "[$*] the error lacks '$needle': $out"
	elif [[ "$before" != "$after" ]]; then
		not_ok "[$*] changed the system: $(diff <(echo "$before") <(echo "$after"))"
	else
		ok "bad input -> $code '$needle' [${*: -2}]"
	fi
}
# environment: 4
bad 4 "CNI_COMMAND is not set" "$(conf 1.0.0)"
bad 4 "none of ADD" "$(conf 1.0.0)" CNI_COMMAND=add
bad 4 "CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME" "$(conf 1.0.0)" CNI_COMMAND=ADD
bad 4 "[CNI_NETNS]" "$(conf 1.0.0)" CNI_COMMAND=ADD CNI_CONTAINERID=cbad CNI_IFNAME=eth0
bad 4 "[CNI_IFNAME]" "$(conf 1.0.0)" CNI_COMMAND=ADD CNI_CONTAINERID=cbad CNI_NETNS=/run/netns/podbad
bad 4 "[CNI_CONTAINERID, CNI_IFNAME]" "$(conf 1.0.0)" CNI_COMMAND=DEL CNI_CONTAINERID= CNI_NETNS=/run/netns/podbad
bad 4 "CNI_CONTAINERID" "$(conf 1.0.0)" "${BASE_ENV[@]}" CNI_CONTAINERID=-bad
bad 4 "CNI_IFNAME" "$(conf 1.0.0)" "${BASE_ENV[@]}" CNI_IFNAME=eth0/x
bad 4 "CNI_IFNAME" "$(conf 1.0.0)" "${BASE_ENV[@]}" CNI_IFNAME=0123456789abcdef
bad 4 "CNI_NETNS" "$(conf 1.0.0)" "${BASE_ENV[@]}" CNI_NETNS=podbad
bad 4 "VMTAP_QUEUES" "$(conf 1.0.0)" "${BASE_ENV[@]}" "CNI_ARGS=IgnoreUnknown=1;VMTAP_QUEUES=0"
bad 4 "VMTAP_OWNER" "$(conf 1.0.0)" "${BASE_ENV[@]}" "CNI_ARGS=VMTAP_OWNER=root"
bad 4 "not KEY=VALUE" "$(conf 1.0.0)" "${BASE_ENV[@]}" "CNI_ARGS=garbage"
# CNI_NETNS that is not a network namespace: 4, without blocking on a FIFO
mkfifo "$W/fifo"
: >"$W/file"
bad 4 "not a network namespace" "$(conf 1.0.0)" "${BASE_ENV[@]}" CNI_NETNS="$W/file"
bad 4 "not a network namespace" "$(conf 1.0.0)" "${BASE_ENV[@]}" CNI_NETNS="$W/fifo"
bad 4 "not a network namespace" "$(conf 1.0.0)" "${BASE_ENV[@]}" CNI_NETNS="$W"
bad 4 "not a network namespace" "$(conf 1.0.0)" "${BASE_ENV[@]}" CNI_NETNS=/run/netns/nonexistent
bad 4 "not a network namespace" "$(conf 1.0.0)" "${BASE_ENV[@]}" CNI_NETNS=/proc/self/ns/mnt
# stdin: 6
bad 6 "stdin is empty" "" "${BASE_ENV[@]}"
bad 6 "not JSON" '{"cniVersion":"1.0.0",' "${BASE_ENV[@]}"
bad 6 "not JSON" "$(conf 1.0.0) x" "${BASE_ENV[@]}"
bad 6 "not a JSON object" '["cniVersion"]' "${BASE_ENV[@]}"
# versions: 1
bad 1 "no cniVersion" "$(conf 1.0.0 'del(.cniVersion)')" "${BASE_ENV[@]}"
bad 1 "0.2.0" "$(conf 0.2.0)" "${BASE_ENV[@]}"
bad 1 "2.0.0" "$(conf 2.0.0)" "${BASE_ENV[@]}"
bad 1 "does not allow CHECK" "$(conf 0.3.1)" "${BASE_ENV[@]}" CNI_COMMAND=CHECK
bad 1 "does not allow GC" "$(conf 1.0.0)" CNI_COMMAND=GC CNI_PATH="$CNI_PATH"
bad 1 "does not allow STATUS" "$(conf 1.0.0)" CNI_COMMAND=STATUS CNI_PATH="$CNI_PATH"
# configuration: 7
bad 7 "missing network name" "$(conf 1.0.0 'del(.name)')" "${BASE_ENV[@]}"
bad 7 "\"mode\" is \"bridge\"" "$(conf 1.0.0 '.mode = "bridge"')" "${BASE_ENV[@]}"
bad 7 "queues" "$(conf 1.0.0 '.queues = 0')" "${BASE_ENV[@]}"
bad 7 "queues" "$(conf 1.0.0 '.queues = "4"')" "${BASE_ENV[@]}"
bad 7 "queues" "$(conf 1.0.0 '.queues = 257')" "${BASE_ENV[@]}"
bad 7 "macvtap\" only" "$(conf 1.0.0 '.macvtapMode = "vepa"')" "${BASE_ENV[@]}"
bad 7 "macvtapMode" "$(conf 1.0.0 '.mode = "macvtap" | .macvtapMode = "source"')" "${BASE_ENV[@]}"
bad 7 "mtu" "$(conf 1.0.0 '.mtu = 10')" "${BASE_ENV[@]}"
bad 7 "vnetHdr" "$(conf 1.0.0 '.vnetHdr = "yes"')" "${BASE_ENV[@]}"
bad 7 "stateDir" "$(conf 1.0.0 '.stateDir = "state"')" "${BASE_ENV[@]}"
bad 7 "tapName" "$(conf 1.0.0 '.tapName = "much-too-long-name"')" "${BASE_ENV[@]}"
bad 7 "owner" "$(conf 1.0.0 '.owner = -1')" "${BASE_ENV[@]}"
bad 7 "cannot be used with \"mode\": \"macvtap\"" \
	"$(conf 1.0.0 '.mode = "macvtap" | .runtimeConfig = {mac: "02:11:22:33:44:55"}')" "${BASE_ENV[@]}"
bad 7 "would pass 255 bytes" "$(conf 1.0.0 ".name = \"$(printf 'n%.0s' {1..200})\"")" "${BASE_ENV[@]}" \
	CNI_CONTAINERID="$(printf 'c%.0s' {1..64})"
# chained wrongly: 7
bad 7 "no prevResult" "$(conf 1.0.0 'del(.prevResult)')" "${BASE_ENV[@]}"
bad 7 "no prevResult" "$(conf 1.0.0 'del(.prevResult)')" "${BASE_ENV[@]}" CNI_COMMAND=CHECK
bad 7 "no interface net1" "$(conf 1.0.0)" "${BASE_ENV[@]}" CNI_IFNAME=net1
bad 7 "not in CNI_NETNS" "$(conf 1.0.0 '.prevResult.interfaces[0].sandbox = "/run/netns/other"')" "${BASE_ENV[@]}"
bad 7 "not an index" "$(conf 1.0.0 '.prevResult.ips[0].interface = 5')" "${BASE_ENV[@]}"
ip -n podbad link set eth0 name eth1
bad 7 "no such interface there" "$(conf 1.0.0)" "${BASE_ENV[@]}"
ip -n podbad link set eth1 name eth0
bad 7 "ifname" "$(conf 1.1.0 '. + {"cni.dev/valid-attachments": [{containerID: "c1"}]}')" CNI_COMMAND=GC \
	CNI_PATH="$CNI_PATH"
if [[ $INTERWORKING != yes ]]; then
	bad 109 "built against a libvmtap without" "$(conf 1.0.0)" "${BASE_ENV[@]}"
	bad 109 "built against a libvmtap without" "$(conf 1.0.0)" "${BASE_ENV[@]}" CNI_COMMAND=CHECK
fi
check "error results speak the configuration's version" \
	bash -c "printf '%s' '$(conf 0.4.0 '.queues = 0')' | env -i ${BASE_ENV[*]} '$PLUGIN' | jq -e '.cniVersion == \"0.4.0\"' >/dev/null"
check "DEL of an attachment never added succeeds, without CNI_NETNS and prevResult" \
	bash -c "printf '%s' '$(conf 1.0.0 'del(.prevResult)')' | env -i CNI_COMMAND=DEL CNI_CONTAINERID=cnever CNI_IFNAME=eth0 '$PLUGIN'"
check "GC with an empty list and no state directory succeeds" \
	bash -c "printf '%s' '$(conf 1.1.0 '. + {"cni.dev/valid-attachments": []}')' | env -i CNI_COMMAND=GC '$PLUGIN'"
check "no state directory was made by any of it" test ! -e "$STATE"

# ---- 4. the chain in a build without the library's redirect and macvtap endpoints ----
if [[ $INTERWORKING != yes ]]; then
	section the chain in a build without the endpoints
	vm_conf=$(jq -nc --arg s "$STATE" '{type: "vmtap-cni", stateDir: $s}')
	conflist "$W/vm.conflist" vmnet 1.0.0 "$(bridge_conf cnivm0 10.89.0.0/24)" "$vm_conf"
	check "chain ADD stops at vmtap-cni with 109 in this build" \
		bash -c "'$RUNNER' --cache-dir '$W/cache' add '$W/vm.conflist' c1 /run/netns/pod1 eth0 2>&1 | grep -q '\"code\":109'"
	check "chain DEL after the failed ADD succeeds and the bridge plugin cleans up" \
		bash -c "'$RUNNER' --cache-dir '$W/cache' del '$W/vm.conflist' c1 /run/netns/pod1 eth0 &&
			! ip -n pod1 link show eth0 2>/dev/null && [ -z \"\$(find '$W/ipam' -name '10.*')\" ]"
fi
