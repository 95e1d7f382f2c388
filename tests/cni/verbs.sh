# SPDX-License-Identifier: GPL-2.0-or-later
# vmtap-cni in redirect mode, point by point: every CNI version, every configuration key, CNI_ARGS, runtimeConfig, DEL and CHECK when things went missing, GC's older key, unindexed IPs.
# shellcheck shell=bash disable=SC2016 # jq programs in single quotes
#
# Sourced by cni.sh (part "redirect"), with lib.sh's helpers and cni.sh's variables (W, STATE, PLUGIN, RUNNER).

netns_new podr
conf=$(vm_plugin rnet 1.0.0 '. + {cniVersion: "1.0.0", name: "rnet"}')

# ---- every version: the chain through the runner for 0.3.0 to 1.0.0 (Debian's bridge speaks up to 1.0.0) ----
for v in 0.3.0 0.3.1 0.4.0 1.0.0; do
	list=$W/rv-$v.conflist
	conflist "$list" rnet "$v" "$(bridge_conf cnir0 10.92.0.0/24)" "$(vm_plugin rnet "$v")"
	res=$(cnitool add "$list" "cv${v//./}" /run/netns/podr eth0)
	tap=$(tap_of "$res")
	check "$v: chain ADD gives a $v result: the TAP and the VM interface, no mtu" \
		jqe --arg v "$v" --arg t "$tap" '.cniVersion == $v and (.interfaces | length) == 5
			and .interfaces[-2].sandbox == "/run/netns/podr" and (.interfaces[-2].mac | test("^[0-9a-f:]{17}$"))
			and .interfaces[-1].name == $t and (.interfaces[-1] | has("mtu") | not)
			and (.interfaces[-2] | has("mtu") | not)' <<<"$res"
	if [[ $v == 1.0.0 ]]; then
		check "$v: the copied address has no version key, as 1.0.0 has none" \
			jqe '(.ips | length) == 2 and (.ips[1] | has("version") | not) and .ips[1].interface == 4' <<<"$res"
	else
		check "$v: the copied address keeps ips[].version, as $v has it" \
			jqe '(.ips | length) == 2 and .ips[1].version == "4" and .ips[1].interface == 4' <<<"$res"
	fi
	check "$v: the TAP and both filters are there" \
		bash -c "[ \"\$(taps_in podr)\" -eq 1 ] && [ \"\$(ingress_filters podr eth0)\" -eq 1 ] &&
			[ \"\$(ingress_filters podr '$tap')\" -eq 1 ]"
	if [[ $v == 0.3.* ]]; then
		check "$v: CHECK is refused by the runner, as libcni does before 0.4.0" \
			bash -c "! '$RUNNER' --cache-dir '$W/cache' check '$list' 'cv${v//./}' /run/netns/podr eth0 2>/dev/null"
	else
		check "$v: chain CHECK through the runner" cnitool check "$list" "cv${v//./}" /run/netns/podr eth0
	fi
	# before 0.4.0 libcni sends DEL no prevResult: vmtap-cni needs none
	check "$v: chain DEL, and again" eval "cnitool del '$list' 'cv${v//./}' /run/netns/podr eth0 &&
		cnitool del '$list' 'cv${v//./}' /run/netns/podr eth0"
	check "$v: nothing left" eval 'pod_clean podr && ! ip -n podr link show eth0 2>/dev/null'
done
# 1.1.0: vmtap-cni by hand (Debian's bridge stops at 1.0.0), prevResult as a 1.1.0 list gives it
prev=$(fake_pod podr)
conf11=$(vm_plugin rnet 1.1.0 '. + {cniVersion: "1.1.0", name: "rnet"}')
res=$(by_hand ADD c110 podr "$(with_prev "$conf11" "$prev" 1.1.0)")
tap=$(tap_of "$res")
check "1.1.0: ADD gives a 1.1.0 result whose TAP and VM interfaces have the TAP's mtu" \
	jqe --argjson mtu "$(link_json podr "$tap" | jq .mtu)" \
	'.cniVersion == "1.1.0" and .interfaces[-2].mtu == $mtu and .interfaces[-1].mtu == $mtu' <<<"$res"
check "1.1.0: CHECK with the result" by_hand CHECK c110 podr "$(with_prev "$conf11" "$res")"
out=$(by_hand CHECK c110 podr "$(with_prev "$conf11" "$(jq -c '.interfaces[-2].mtu = 1280' <<<"$res")")")
check "1.1.0: CHECK names an mtu in the result other than the TAP's (104)" \
	jqe '.code == 104 and (.details | test("MTU 1280"))' <<<"$out"
check "1.1.0: STATUS" vmtap "$conf11" CNI_COMMAND=STATUS
check "1.1.0: DEL, and again without prevResult" \
	eval 'by_hand DEL c110 podr "$(with_prev "$conf11" "$res")" && by_hand DEL c110 podr "$conf11" && pod_clean podr'

# ---- configuration keys: tapName (a name, a pattern), mtu, vnetHdr; CNI_ARGS' VMTAP_OWNER/GROUP over owner/group ----
keys=$(jq -c '. + {tapName: "tap0", mtu: 1400, vnetHdr: false, owner: 4242, group: 4243}' <<<"$conf")
args="IgnoreUnknown=1;K8S_POD_NAMESPACE=x;VMTAP_OWNER=4300;VMTAP_GROUP=4301"
res=$(vmtap "$(with_prev "$keys" "$prev")" CNI_COMMAND=ADD CNI_CONTAINERID=ckeys CNI_NETNS=/run/netns/podr \
	CNI_IFNAME=eth0 CNI_ARGS="$args")
check "tapName: the TAP is tap0, and the result says so" \
	eval 'jqe ".interfaces[-2].name == \"tap0\" and .interfaces[-1].name == \"tap0\"" <<<"$res" && ip -n podr link show tap0 >/dev/null'
check "mtu: tap0 has MTU 1400 (eth0 keeps its own)" \
	eval '[ "$(link_json podr tap0 | jq .mtu)" = 1400 ] && [ "$(link_json podr eth0 | jq .mtu)" = 1500 ]'
check "vnetHdr false: tap0 has no vnet header" eval 'ip -n podr -d link show tap0 | grep -q "vnet_hdr off"'
check "VMTAP_OWNER and VMTAP_GROUP win over owner and group" eval 'ip -n podr -d link show tap0 | grep -q "user 4300 group 4301"'
check "the keys' CHECK passes (CNI_ARGS given again, as runtimes do)" \
	vmtap "$(with_prev "$keys" "$res")" CNI_COMMAND=CHECK CNI_CONTAINERID=ckeys CNI_NETNS=/run/netns/podr \
	CNI_IFNAME=eth0 CNI_ARGS="$args"
out=$(vmtap "$(with_prev "$(jq -c '.mtu = 1500' <<<"$keys")" "$res")" CNI_COMMAND=CHECK CNI_CONTAINERID=ckeys \
	CNI_NETNS=/run/netns/podr CNI_IFNAME=eth0 CNI_ARGS="$args")
check "CHECK with another mtu configured names it (104)" jqe '.code == 104 and (.details | test("MTU 1400, not 1500"))' <<<"$out"
out=$(vmtap "$(with_prev "$(jq -c '.vnetHdr = true' <<<"$keys")" "$res")" CNI_COMMAND=CHECK CNI_CONTAINERID=ckeys \
	CNI_NETNS=/run/netns/podr CNI_IFNAME=eth0 CNI_ARGS="$args")
check "CHECK with vnetHdr configured otherwise names it (104)" jqe '.code == 104 and (.details | test("vnet header"))' <<<"$out"
check "keys: DEL" eval 'by_hand DEL ckeys podr "$keys" && pod_clean podr'
res=$(by_hand ADD cpat podr "$(with_prev "$(jq -c '.tapName = "vm%d"' <<<"$conf")" "$prev")")
check "tapName pattern vm%d: the kernel's first free name, vm0" jqe '.interfaces[-2].name == "vm0"' <<<"$res"
check "pattern DEL" eval 'by_hand DEL cpat podr "$conf" && pod_clean podr'
fake_pod_gone podr

# ---- someone else's ingress or clsact qdisc and filter on eth0 (Cilium's; plugins #894, tc-redirect-tap's DEL) ----
eth0_tc() { tc -n "$1" qdisc show dev eth0; tc -n "$1" filter show dev eth0 ingress; }
theirs_intact() { [ "$theirs" = "$(eth0_tc "$1")" ]; }
for q in clsact ingress; do
	prev=$(fake_pod podr)
	tc -n podr qdisc add dev eth0 "$q"
	tc -n podr filter add dev eth0 ingress pref 7 protocol ip u32 match ip dst 10.95.0.9/32 classid 1:1
	theirs=$(eth0_tc podr)
	res=$(by_hand ADD "c$q" podr "$(with_prev "$conf" "$prev")")
	# read up to three times: once in CI a loaded machine gave a dump without the filter vmtap made
	# (ADD had succeeded, CHECK and DEL found it); a filter that is not there fails all three
	check "$q of someone else's on eth0: ADD adds vmtap's filter beside theirs" \
		eval 'for _ in 1 2 3; do [ "$(ingress_filters podr eth0)" -eq 1 ] &&
			tc -n podr filter show dev eth0 ingress | grep -q "pref 7 u32" && break; sleep 0.3; false; done'
	check "$q of someone else's: CHECK passes" by_hand CHECK "c$q" podr "$(with_prev "$conf" "$res")"
	check "$q of someone else's: DEL leaves their qdisc and filter exactly as they were" \
		eval 'by_hand DEL "c$q" podr "$conf" && theirs_intact podr &&
			[ "$(records)" -eq 0 ]'
	fake_pod_gone podr
done

# ---- runtimeConfig: the "mac" capability sets the guest's MAC, only when the plugin declares it ----
conflist "$W/rmac.conflist" rnet 1.0.0 "$(bridge_conf cnir0 10.92.0.0/24)" \
	"$(vm_plugin rnet 1.0.0 '.capabilities = {mac: true}')"
res=$(CAP_ARGS='{"mac":"02:aa:bb:cc:dd:01","portMappings":[]}' cnitool add "$W/rmac.conflist" cmac /run/netns/podr eth0)
id=$("$PLUGIN" --endpoint-id cmac eth0)
check "runtimeConfig.mac: the VM interface has the MAC asked for" jqe '.interfaces[-1].mac == "02:aa:bb:cc:dd:01"' <<<"$res"
check "runtimeConfig.mac: the record's guest MAC is it" grep -q '02:aa:bb:cc:dd:01' "$STATE/$id.json"
check "runtimeConfig.mac: eth0's MAC is untouched" \
	eval '[ "$(link_json podr eth0 | jq -r .address)" = "$(jq -r ".interfaces[2].mac" <<<"$res")" ]'
check "runtimeConfig.mac: CHECK passes (the runner passes runtimeConfig again)" \
	eval 'CAP_ARGS={\"mac\":\"02:aa:bb:cc:dd:01\"} cnitool check "$W/rmac.conflist" cmac /run/netns/podr eth0'
cnitool del "$W/rmac.conflist" cmac /run/netns/podr eth0
conflist "$W/rnocap.conflist" rnet 1.0.0 "$(bridge_conf cnir0 10.92.0.0/24)" "$(vm_plugin rnet 1.0.0)"
res=$(CAP_ARGS='{"mac":"02:aa:bb:cc:dd:01"}' cnitool add "$W/rnocap.conflist" cnomac /run/netns/podr eth0)
check "without the capability declared, the guest's MAC is eth0's" \
	eval '[ "$(jq -r ".interfaces[-1].mac" <<<"$res")" = "$(link_json podr eth0 | jq -r .address)" ]'
cnitool del "$W/rnocap.conflist" cnomac /run/netns/podr eth0

# ---- addresses without an interface index (Cilium, tc-redirect-tap #7) ----
ip -n podr link add eth0 type veth peer name cil0
ip -n podr link set eth0 up
ip -n podr link set cil0 up
mac=$(link_json podr eth0 | jq -r .address)
prev=$(jq -nc --arg mac "$mac" '{cniVersion: "1.0.0", interfaces: [{name: "eth0", mac: $mac, sandbox: "/run/netns/podr"}],
	ips: [{address: "10.77.0.5/32"}, {address: "fd00::5/128"}]}')
res=$(by_hand ADD ccil podr "$(with_prev "$conf" "$prev")")
check "unindexed IPs: each copied to the VM interface, the originals kept without an index" \
	jqe '(.ips | length) == 4 and (.ips[0] | has("interface") | not) and (.ips[1] | has("interface") | not)
		and ([.ips[2:][] | .interface] == [2, 2]) and ([.ips[2:][] | .address] == ["10.77.0.5/32", "fd00::5/128"])' <<<"$res"
check "unindexed IPs: DEL" eval 'by_hand DEL ccil podr "$conf" && pod_clean podr'
ip -n podr link del eth0

# ---- DEL when things went missing: the device, the namespace; CHECK when they did ----
prev=$(fake_pod podr)
res=$(by_hand ADD cgone podr "$(with_prev "$conf" "$prev")")
tap=$(tap_of "$res")
chk=$(with_prev "$conf" "$res")
mac_tap=$(link_json podr "$tap" | jq -r .address)
ip -n podr link set "$tap" address 02:00:00:00:00:42
out=$(by_hand CHECK cgone podr "$chk")
check "CHECK names the TAP's changed MAC (104)" jqe --arg t "$tap" '.code == 104 and (.details | test("says " + $t + " has MAC"))' <<<"$out"
ip -n podr link set "$tap" address "$mac_tap"
ip -n podr link set "$tap" down
out=$(by_hand CHECK cgone podr "$chk")
check "CHECK names a TAP that is down (104)" jqe '.code == 104 and (.details | test("is down"))' <<<"$out"
ip -n podr link set "$tap" up
check "CHECK passes again once restored" by_hand CHECK cgone podr "$chk"
id=$("$PLUGIN" --endpoint-id cgone eth0)
mv "$STATE/$id.json" "$W/record.saved"
out=$(by_hand CHECK cgone podr "$chk")
check "CHECK names a missing record (104)" jqe '.code == 104 and (.details | test("no vmtap endpoint"))' <<<"$out"
mv "$W/record.saved" "$STATE/$id.json"
ip -n podr link del "$tap"
out=$(by_hand CHECK cgone podr "$chk")
check "CHECK names a missing TAP (104)" jqe --arg t "$tap" '.code == 104 and (.details | test($t + " is gone"))' <<<"$out"
check "DEL after the TAP vanished succeeds and removes vmtap's filter on eth0 and the record" \
	eval 'by_hand DEL cgone podr "$chk" && pod_clean podr'
check "... and leaves eth0 with its address, without qdisc" \
	eval 'ip -n podr -o addr show eth0 | grep -q " 10.95.0.2/24 " && ! tc -n podr qdisc show dev eth0 | grep -q ingress'
fake_pod_gone podr
netns_new podvan
cnitool add "$W/rnocap.conflist" cvan /run/netns/podvan eth0 >/dev/null
ip netns del podvan
NETNS=("${NETNS[@]/podvan/}")
check "after the pod's namespace vanished, the chain's DEL succeeds (bare environment) and drops the record" \
	eval 'cnitool --bare-env del "$W/rnocap.conflist" cvan /run/netns/podvan eth0 && [ "$(records)" -eq 0 ]'
check "a DEL of it again succeeds" vmtap "$conf" CNI_COMMAND=DEL CNI_CONTAINERID=cvan CNI_NETNS=/run/netns/podvan CNI_IFNAME=eth0

# ---- GC with the 1.1.0 text's key alone ("cni.dev/attachments") ----
prev=$(fake_pod podr)
by_hand ADD cold1 podr "$(with_prev "$conf" "$prev")" >/dev/null
gc=$(vm_plugin rnet 1.1.0 '. + {cniVersion: "1.1.0", name: "rnet"}')
gc_old_key() { vmtap "$(jq -c --argjson a "$1" '. + {"cni.dev/attachments": $a}' <<<"$gc")" CNI_COMMAND=GC; }
check "GC with only cni.dev/attachments listing the attachment keeps it" \
	eval 'gc_old_key "[{\"containerID\": \"cold1\", \"ifname\": \"eth0\"}]" && [ "$(records)" -eq 1 ] && [ "$(taps_in podr)" -eq 1 ]'
check "GC with only cni.dev/attachments, empty, removes it" eval 'gc_old_key "[]" && pod_clean podr'
fake_pod_gone podr
check "redirect checks: nothing left in the pod" eval 'pod_clean podr && [ "$(ip -n podr -o link | wc -l)" -eq 1 ]'
