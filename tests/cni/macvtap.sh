# SPDX-License-Identifier: GPL-2.0-or-later
# vmtap-cni in macvtap mode, point by point: every macvtapMode, the 1.1.0 result, tapName, CHECK, undo on failure, DEL when things went missing, GC, 20 pods in parallel; CNI_IFNAME given back as it was each time.
# shellcheck shell=bash disable=SC2016 # jq programs in single quotes
#
# Sourced by cni.sh (part "macvtap"), with lib.sh's helpers and cni.sh's variables (W, STATE, PLUGIN, RUNNER).

# mconf VERSION [JQ-EXPR]: vmtap-cni's configuration in macvtap mode
mconf() { vm_plugin mnet "$1" ". + {cniVersion: \"$1\", name: \"mnet\", mode: \"macvtap\"} | ${2:-.}"; }
# eth0_now NS: what the macvtap model takes from eth0 and must give back: MAC, MTU, addresses, routes
eth0_now() {
	link_json "$1" eth0 | jq -c '{address, mtu}'
	ip -n "$1" -o addr show dev eth0 scope global | awk '{print $4}'
	ip -n "$1" route show dev eth0
}
# macvtap_pod NS: fake_pod plus a default route through the gateway; prints the prevResult
macvtap_pod() { fake_pod "$1" && ip -n "$1" route add default via 10.95.0.1; }
mpod_clean() { [ "$(taps_in "$1")" -eq 0 ] && [ "$(records)" -eq 0 ]; }
# eth0_as_before NS: eth0_now is what was saved in $before
eth0_as_before() { [ "$before" = "$(eth0_now "$1")" ]; }

netns_new podm

# ---- every macvtapMode, 1.1.0: the macvtap, the result, CHECK, and eth0 given back by DEL ----
for m in bridge vepa private passthru; do
	prev=$(macvtap_pod podm)
	before=$(eth0_now podm)
	mac0=$(link_json podm eth0 | jq -r .address)
	conf=$(mconf 1.1.0 ".macvtapMode = \"$m\"")
	res=$(by_hand ADD "cm$m" podm "$(with_prev "$conf" "$prev" 1.1.0)")
	tap=$(tap_of "$res")
	check "$m: a macvtap of mode $m on eth0" \
		eval 'ip -n podm -d link show "$tap" | grep -q "macvtap mode $m " && ip -n podm link show "$tap" | grep -q "@eth0:"'
	check "$m: 1.1.0 result: the macvtap with eth0's old MAC and its mtu, the VM with that MAC" \
		jqe --arg mac "$mac0" --arg t "$tap" '.interfaces[-2] == {name: $t, mac: $mac, mtu: 1500, sandbox: "/run/netns/podm"}
			and .interfaces[-1] == {name: $t, mac: $mac, mtu: 1500, sandbox: "cm'"$m"'"}' <<<"$res"
	if [[ $m == passthru ]]; then
		check "$m: eth0 keeps its MAC (a passthru macvtap shares it), loses its addresses and routes" \
			eval '[ "$(link_json podm eth0 | jq -r .address)" = "$mac0" ] && [ -z "$(ip -n podm -o addr show dev eth0 scope global)" ] &&
				[ -z "$(ip -n podm route show dev eth0)" ]'
	else
		check "$m: eth0 has a new MAC, which the result says, and no address or route" \
			eval '[ "$(link_json podm eth0 | jq -r .address)" != "$mac0" ] &&
				[ "$(jq -r ".interfaces[0].mac" <<<"$res")" = "$(link_json podm eth0 | jq -r .address)" ] &&
				[ -z "$(ip -n podm -o addr show dev eth0 scope global)" ] && [ -z "$(ip -n podm route show dev eth0)" ]'
	fi
	check "$m: CHECK passes" by_hand CHECK "cm$m" podm "$(with_prev "$conf" "$res")"
	check "$m: DEL, and again" eval 'by_hand DEL "cm$m" podm "$conf" && by_hand DEL "cm$m" podm "$conf"'
	check "$m: eth0 has its MAC, MTU, address and routes back, nothing is left" \
		eval 'eth0_as_before podm && mpod_clean podm'
	fake_pod_gone podm
done

# ---- tapName, the refusals of owner and runtimeConfig.mac, CHECK differences ----
prev=$(macvtap_pod podm)
before=$(eth0_now podm)
conf=$(mconf 1.0.0 '.tapName = "mvt0"')
out=$(by_hand ADD cown podm "$(with_prev "$(jq -c '.owner = 4242' <<<"$conf")" "$prev")")
check "owner in macvtap mode is refused (7), eth0 untouched" \
	eval 'jqe ".code == 7 and (.details | test(\"redirect mode\"))" <<<"$out" && eth0_as_before podm && mpod_clean podm'
out=$(vmtap "$(with_prev "$conf" "$prev")" CNI_COMMAND=ADD CNI_CONTAINERID=cown CNI_NETNS=/run/netns/podm CNI_IFNAME=eth0 \
	CNI_ARGS="VMTAP_GROUP=4243")
check "VMTAP_GROUP in macvtap mode is refused (7), eth0 untouched" \
	eval 'jqe ".code == 7" <<<"$out" && eth0_as_before podm && mpod_clean podm'
res=$(by_hand ADD cname podm "$(with_prev "$conf" "$prev")")
check "tapName: the macvtap is mvt0" eval 'jqe ".interfaces[-2].name == \"mvt0\"" <<<"$res" && ip -n podm -d link show mvt0 | grep -q macvtap'
chk=$(with_prev "$conf" "$res")
ip -n podm link set mvt0 mtu 1400
out=$(by_hand CHECK cname podm "$chk")
check "CHECK names the macvtap's changed MTU (104)" jqe '.code == 104 and (.details | test("mvt0 has MTU 1400"))' <<<"$out"
ip -n podm link set mvt0 mtu 1500
ip -n podm link set eth0 address 02:00:00:00:00:43
out=$(by_hand CHECK cname podm "$chk")
check "CHECK names eth0's MAC other than the result says (104)" jqe '.code == 104 and (.details | test("says eth0 has MAC"))' <<<"$out"
ip -n podm link set eth0 address "$(jq -r '.interfaces[0].mac' <<<"$res")"
check "CHECK passes again once restored" by_hand CHECK cname podm "$chk"
ip -n podm link del mvt0
out=$(by_hand CHECK cname podm "$chk")
check "CHECK names the missing macvtap (104)" jqe '.code == 104 and (.details | test("mvt0 is gone"))' <<<"$out"
check "DEL after the macvtap vanished gives eth0 back all the same" \
	eval 'by_hand DEL cname podm "$conf" && eth0_as_before podm && mpod_clean podm'

# ---- a failed ADD leaves eth0 as it was (urunc #874), whichever step fails ----
for fault in "take parent MAC" "flush parent addresses" "create macvtap" "set alias" "configure macvtap" "record ready"; do
	out=$(vmtap "$(with_prev "$conf" "$prev")" CNI_COMMAND=ADD CNI_CONTAINERID=cfault CNI_NETNS=/run/netns/podm \
		CNI_IFNAME=eth0 VMTAP_TEST_FAULT="$fault" 2>/dev/null)
	check "ADD with '$fault' failing: 100, eth0's MAC, address and routes as before, nothing left" \
		eval 'jqe ".code == 100" <<<"$out" && eth0_as_before podm && mpod_clean podm'
done
fake_pod_gone podm

# ---- DEL after the namespace vanished; GC of a leaked attachment gives its eth0 back ----
netns_new podmvan
prev=$(macvtap_pod podmvan)
by_hand ADD cmvan podmvan "$(with_prev "$conf" "$prev")" >/dev/null
ip netns del podmvan
NETNS=("${NETNS[@]/podmvan/}")
check "DEL after the pod's namespace vanished succeeds and drops the record" \
	eval 'by_hand DEL cmvan podmvan "$conf" && [ "$(records)" -eq 0 ]'
prev=$(macvtap_pod podm)
before=$(eth0_now podm)
by_hand ADD cleak podm "$(with_prev "$conf" "$prev")" >/dev/null
check "GC of a leaked macvtap attachment: removed, eth0 given back" \
	eval 'vmtap "$(mconf 1.1.0 ". + {\"cni.dev/valid-attachments\": [{containerID: \"cother\", ifname: \"eth0\"}]}")" CNI_COMMAND=GC &&
		eth0_as_before podm && mpod_clean podm'
fake_pod_gone podm

# ---- 20 pods ADDed in parallel, then DELed in parallel (by hand: no Go plugin in the way) ----
npods=20
for i in $(seq $npods); do netns_new "pm$i" >/dev/null; macvtap_pod "pm$i" >"$W/pm-prev-$i"; done
for i in $(seq $npods); do
	(by_hand ADD "cpm$i" "pm$i" "$(with_prev "$conf" "$(cat "$W/pm-prev-$i")")" >"$W/pm-add-$i.out" 2>&1
		echo $? >"$W/pm-add-$i.rc") &
done
wait
check "$npods parallel macvtap ADDs: all succeeded, one macvtap per pod" \
	eval '[ "$(grep -lx 0 "$W"/pm-add-*.rc | wc -l)" -eq $npods ] && [ "$(records)" -eq $npods ] &&
		[ "$(for i in $(seq $npods); do taps_in pm$i; done | sort -u)" = 1 ]'
for i in $(seq $npods); do
	(by_hand DEL "cpm$i" "pm$i" "$conf" >"$W/pm-del-$i.out" 2>&1; echo $? >"$W/pm-del-$i.rc") &
done
wait
check "$npods parallel macvtap DELs: all succeeded, every eth0 has its address back, nothing left" \
	eval '[ "$(grep -lx 0 "$W"/pm-del-*.rc | wc -l)" -eq $npods ] && [ "$(records)" -eq 0 ] &&
		[ "$(for i in $(seq $npods); do taps_in pm$i; ip -n pm$i -o addr show dev eth0 scope global | wc -l; done | sort -u)" = "$(printf "0\n1")" ]'
