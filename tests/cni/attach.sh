# SPDX-License-Identifier: GPL-2.0-or-later
# vmtap-cni's ADD, CHECK, DEL and GC through the runner with Debian's bridge: both modes, 1 and 4 queues, undo on failure, closed standard streams, GC, 50 pods in parallel (and DEL during ADD).
# shellcheck shell=bash disable=SC2016 # jq programs in single quotes
#
# Sourced by cni.sh (part "chain"), with lib.sh's helpers and cni.sh's variables (W, STATE, PLUGIN, RUNNER).

# ---- ADD / CHECK / DEL of the chain bridge -> vmtap-cni, both modes, 1 and 4 queues ----
netns_new podv
netns_new podw
for mode in redirect macvtap; do
	for q in 1 4; do
		tag="$mode/$q"
		cid="c-$mode-$q"
		list=$W/vm-$mode-$q.conflist
		conflist "$list" vmnet 1.0.0 "$(bridge_conf cnivm0 10.89.0.0/24)" \
			"$(vm_plugin vmnet 1.0.0 ".mode = \"$mode\" | .queues = $q")"
		# the pod interface before vmtap-cni: the bridge plugin alone, same network, then vmtap-cni by hand
		conflist "$W/bridge-only.conflist" vmnet 1.0.0 "$(bridge_conf cnivm0 10.89.0.0/24)"
		res1=$(cnitool add "$W/bridge-only.conflist" "$cid" /run/netns/podv eth0)
		before=$(eth0_state podv)
		mac0=$(ip -n podv -j link show eth0 | jq -r '.[0].address')
		mtu0=$(ip -n podv -j link show eth0 | jq -r '.[0].mtu')
		ip0=$(jq -r '.ips[0].address' <<<"$res1")
		conf=$(jq -c --argjson prev "$res1" '.plugins[1] + {cniVersion: "1.0.0", name: "vmnet", prevResult: $prev}' "$list")
		env=(CNI_COMMAND=ADD CNI_CONTAINERID="$cid" CNI_NETNS=/run/netns/podv CNI_IFNAME=eth0)
		res=$(vmtap "$conf" "${env[@]}")
		check "$tag: ADD succeeds after the bridge plugin" test -n "$res"
		id=$("$PLUGIN" --endpoint-id "$cid" eth0)
		tap=$(jq -r '.interfaces[-2].name' <<<"$res")
		check "$tag: result: the TAP in the pod's netns with its real MAC, no mtu in a 1.0.0 result" \
			jqe --arg t "$tap" --arg mac "$(ip -n podv -j link show "$tap" | jq -r '.[0].address')" \
			'.cniVersion == "1.0.0" and .interfaces[-2] == {name: $t, mac: $mac, sandbox: "/run/netns/podv"}' <<<"$res"
		check "$tag: result: the VM interface, sandbox = container id, the guest's MAC = eth0's own" \
			jqe --arg t "$tap" --arg cid "$cid" --arg mac "$mac0" \
			'.interfaces[-1] == {name: $t, mac: $mac, sandbox: $cid}' <<<"$res"
		check "$tag: result: eth0's address kept, a copy points at the VM" \
			jqe --arg ip "$ip0" '(.ips | length) == 2 and .ips[0].interface == 2 and .ips[0].address == $ip
				and .ips[1].address == $ip and .ips[1].interface == (.interfaces | length - 1)' <<<"$res"
		check "$tag: result: bridge's routes and dns passed on" jqe '.routes == [{dst: "0.0.0.0/0"}] and has("dns")' <<<"$res"
		check "$tag: the record is endpoint $id, labelled with the attachment" \
			grep -q "cni:vmnet:$cid:eth0" "$STATE/$id.json"
		if [[ $mode == redirect ]]; then
			check "$tag: a TAP with $q queue(s), vnet header, persistent, MTU of eth0 ($mtu0)" \
				bash -c "ip -n podv -d link show '$tap' | grep -q 'tun type tap' &&
					ip -n podv -d link show '$tap' | grep -q 'vnet_hdr on' &&
					ip -n podv -d link show '$tap' | grep -q 'persist on' &&
					{ [ $q -eq 1 ] || ip -n podv -d link show '$tap' | grep -q 'multi_queue'; } &&
					[ \"\$(ip -n podv -j link show '$tap' | jq .[0].mtu)\" = $mtu0 ]"
			check "$tag: tc: eth0 redirects to $tap and $tap to eth0 (u32 + mirred)" \
				bash -c "tc -n podv filter show dev eth0 ingress | grep -q 'Egress Redirect to device $tap' &&
					tc -n podv filter show dev '$tap' ingress | grep -q 'Egress Redirect to device eth0'"
			check "$tag: eth0 keeps its MAC and address" \
				bash -c "ip -n podv -o addr show eth0 | grep -q ' $ip0 ' && ip -n podv link show eth0 | grep -q '$mac0'"
		else
			check "$tag: a macvtap on eth0 with the guest's MAC (eth0's old one)" \
				bash -c "ip -n podv -d link show '$tap' | grep -q 'macvtap' && ip -n podv link show '$tap' | grep -q '$mac0'"
			check "$tag: eth0 gave its address away and got a locally administered MAC" \
				bash -c "! ip -n podv -o addr show eth0 | grep -q ' inet ' &&
					[ \$((0x\$(ip -n podv -j link show eth0 | jq -r '.[0].address' | cut -c1-2) & 2)) -eq 2 ] &&
					! ip -n podv link show eth0 | grep -q '$mac0'"
			check "$tag: the result gives eth0's new MAC" \
				jqe --arg m "$(ip -n podv -j link show eth0 | jq -r '.[0].address')" '.interfaces[2].mac == $m' <<<"$res"
			check "$tag: the bridge plugin's CHECK fails on the missing address, as vmtap-cni(8) says" \
				bash -c "printf '%s' \"\$(jq -c --argjson prev '$res' '.plugins[0] + {cniVersion: \"1.0.0\", name: \"vmnet\", prevResult: \$prev}' '$list')\" |
					env CNI_COMMAND=CHECK CNI_CONTAINERID='$cid' CNI_NETNS=/run/netns/podv CNI_IFNAME=eth0 CNI_PATH='$CNI_PATH' /usr/lib/cni/bridge |
					grep -q 'Failed to match addr'"
		fi
		chk=$(jq -c --argjson prev "$res" '.plugins[1] + {cniVersion: "1.0.0", name: "vmnet", prevResult: $prev}' "$list")
		check "$tag: vmtap-cni's CHECK passes" vmtap "$chk" CNI_COMMAND=CHECK CNI_CONTAINERID="$cid" \
			CNI_NETNS=/run/netns/podv CNI_IFNAME=eth0
		# CHECK sees what changed behind its back, and says what
		ip -n podv link set "$tap" mtu 1280
		out=$(vmtap "$chk" CNI_COMMAND=CHECK CNI_CONTAINERID="$cid" CNI_NETNS=/run/netns/podv CNI_IFNAME=eth0)
		check "$tag: CHECK names a changed MTU (104)" jqe '.code == 104 and (.details | test("MTU 1280"))' <<<"$out"
		ip -n podv link set "$tap" mtu "$mtu0"
		out=$(vmtap "$(jq -c '.queues = 2' <<<"$chk")" CNI_COMMAND=CHECK CNI_CONTAINERID="$cid" \
			CNI_NETNS=/run/netns/podv CNI_IFNAME=eth0)
		check "$tag: CHECK names a queue count other than configured" jqe '.code == 104 and (.details | test("queues"))' <<<"$out"
		out=$(vmtap "$(jq -c '.prevResult.interfaces[-1].mac = "02:00:00:00:00:99"' <<<"$chk")" CNI_COMMAND=CHECK \
			CNI_CONTAINERID="$cid" CNI_NETNS=/run/netns/podv CNI_IFNAME=eth0)
		check "$tag: CHECK names a VM MAC other than the guest's" jqe '.code == 104 and (.details | test("VM interface"))' <<<"$out"
		out=$(vmtap "$(jq -c --argjson p "$res1" '.prevResult = $p' <<<"$chk")" CNI_COMMAND=CHECK CNI_CONTAINERID="$cid" CNI_NETNS=/run/netns/podv CNI_IFNAME=eth0)
		check "$tag: CHECK against a result without vmtap-cni's interfaces says so" \
			jqe '.code == 104 and (.details | test("result has no interface"))' <<<"$out"
		if [[ $mode == redirect ]]; then
			prio=$(tc -n podv -j filter show dev eth0 ingress | jq -r '[.[] | select(.options.actions? != null)][0].pref')
			tc -n podv filter del dev eth0 ingress pref "$prio"
			out=$(vmtap "$chk" CNI_COMMAND=CHECK CNI_CONTAINERID="$cid" CNI_NETNS=/run/netns/podv CNI_IFNAME=eth0)
			check "$tag: CHECK names a missing tc filter" jqe '.code == 104 and (.details | test("filter"))' <<<"$out"
		fi
		# ADD again without DEL: 101, nothing changed
		out=$(vmtap "$conf" "${env[@]}")
		check "$tag: a second ADD without DEL is refused (101)" jqe '.code == 101' <<<"$out"
		# DEL: the pod's interface exactly as the bridge plugin made it
		del=(CNI_COMMAND=DEL CNI_CONTAINERID="$cid" CNI_IFNAME=eth0)
		check "$tag: DEL succeeds" vmtap "$(jq -c '.prevResult = $r' --argjson r "$res" <<<"$conf")" "${del[@]}"
		after=$(eth0_state podv)
		check "$tag: DEL left eth0 as the bridge plugin made it (MAC, MTU, addresses, routes, qdiscs)" \
			test "$before" == "$after"
		check "$tag: no TAP, filter or record left" \
			bash -c "[ \$(ip -n podv -o -d link show | grep -cE ' (tun|macvtap) ') -eq 0 ] &&
				! tc -n podv filter show dev eth0 ingress 2>/dev/null | grep -q mirred &&
				[ -z \"\$(find '$STATE' -name '*.json')\" ]"
		check "$tag: a second DEL succeeds, without prevResult or CNI_NETNS" vmtap "$(jq -c 'del(.prevResult)' <<<"$conf")" "${del[@]}"
		check "$tag: bridge DEL" cnitool del "$W/bridge-only.conflist" "$cid" /run/netns/podv eth0
		# the whole chain through the runner: ADD, CHECK (redirect), DEL twice, with a bare environment
		out=$(cnitool add "$list" "$cid" /run/netns/podv eth0)
		check "$tag: chain ADD through the runner" jqe '(.interfaces | length) == 5' <<<"$out"
		if [[ $mode == redirect ]]; then
			check "$tag: chain CHECK through the runner" cnitool check "$list" "$cid" /run/netns/podv eth0
		fi
		check "$tag: chain DEL (bare environment), and again" \
			eval "cnitool --bare-env del '$list' '$cid' /run/netns/podv eth0 && cnitool del '$list' '$cid' /run/netns/podv eth0"
		check "$tag: nothing left in the pod" bash -c "[ \"\$(ip -n podv -o link | wc -l)\" -eq 1 ] && [ -z \"\$(find '$STATE' -name '*.json')\" ]"
	done
done

# ---- per-attachment CNI_ARGS, names, owners ----
conflist "$W/vm.conflist" vmnet 1.0.0 "$(bridge_conf cnivm0 10.89.0.0/24)" "$(vm_plugin vmnet 1.0.0 '.owner = 4242 | .group = 4243')"
out=$(CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAME=p;VMTAP_TAP_NAME=vmtap7;VMTAP_QUEUES=2" cnitool add "$W/vm.conflist" cargs /run/netns/podv eth0)
check "CNI_ARGS: VMTAP_TAP_NAME and VMTAP_QUEUES win over the configuration" \
	bash -c "ip -n podv -d link show vmtap7 | grep -q multi_queue && ip -n podv -d link show vmtap7 | grep -q 'user 4242 group 4243'"
check "CNI_ARGS: the result names vmtap7" jqe '.interfaces[-1].name == "vmtap7"' <<<"$out"
# a taken name: 103, nothing made
ip -n podw link add vmtap7 type veth peer name vmtap7p
out=$(CNI_ARGS="IgnoreUnknown=1;VMTAP_TAP_NAME=vmtap7" cnitool add "$W/vm.conflist" cname /run/netns/podw eth0 2>&1)
check "a taken TAP name is refused (103)" grep -q '"code":103' <<<"$out"
check "... and the runtime's DEL after the failed ADD cleans up" \
	eval "CNI_ARGS='IgnoreUnknown=1;VMTAP_TAP_NAME=vmtap7' cnitool del '$W/vm.conflist' cname /run/netns/podw eth0 &&
		[ \"\$(taps_in podw)\" -eq 0 ] && ! ip -n podw link show eth0 2>/dev/null"
ip -n podw link del vmtap7
check "CNI_ARGS pod DEL" cnitool del "$W/vm.conflist" cargs /run/netns/podv eth0

# ---- a failed ADD leaves nothing (urunc #874): a library step fails, or the result cannot be written ----
for fault in "record ready" "set link"; do
	out=$(VMTAP_TEST_FAULT="$fault" cnitool add "$W/vm.conflist" cfault /run/netns/podv eth0 2>&1)
	check "ADD with the step '$fault' failing: an error, and no TAP, filter or record" \
		bash -c "grep -q '\"code\":100' <<<'$out' && [ \"\$(taps_in podv)\" -eq 0 ] &&
			[ \"\$(ingress_filters podv eth0)\" -eq 0 ] && [ -z \"\$(find '$STATE' -name '*.json')\" ]"
	cnitool del "$W/vm.conflist" cfault /run/netns/podv eth0
done
res1=$(cnitool add "$W/bridge-only.conflist" cpipe /run/netns/podv eth0)
conf=$(jq -c --argjson prev "$res1" '.plugins[1] + {cniVersion: "1.0.0", name: "vmnet", prevResult: $prev}' "$W/vm.conflist")
add_env=(CNI_COMMAND=ADD CNI_CONTAINERID=cpipe CNI_NETNS=/run/netns/podv CNI_IFNAME=eth0)
nothing_made() { [ "$(taps_in podv)" -eq 0 ] && [ "$(ingress_filters podv eth0)" -eq 0 ] && [ -z "$(find "$STATE" -name '*.json')" ]; }
# stdout full: the result is made, its write fails, ADD undoes itself through DEL
printf '%s' "$conf" | env -i "${add_env[@]}" "$PLUGIN" >/dev/full 2>"$W/full.err"
rc=$?
check "ADD whose result cannot be written (stdout full) fails (5) and undoes itself" \
	eval "[ $rc -eq 5 ] && grep -q 'the attachment was undone' '$W/full.err' && nothing_made"
# stdout closed: refused before anything is made (a socket or file opened later would get fd 1 and the result)
printf '%s' "$conf" | env -i "${add_env[@]}" "$PLUGIN" >&- 2>"$W/closed.err"
rc=$?
check "ADD with stdout closed fails (5) and makes nothing" \
	eval "[ $rc -eq 5 ] && grep -q 'stdout is closed' '$W/closed.err' && nothing_made"
# stdin closed: read as empty (6), the error on stdout; stderr closed: ADD works and DEL too
out=$(env -i "${add_env[@]}" "$PLUGIN" <&- 2>/dev/null)
check "ADD with stdin closed: 6 on stdout, nothing made" eval 'jqe ".code == 6" <<<"$out" && nothing_made'
out=$(printf '%s' "$conf" | env -i "${add_env[@]}" "$PLUGIN" 2>&-)
check "ADD with stderr closed works, its result on stdout" jqe '.interfaces | length == 5' <<<"$out"
check "... and so does its DEL" \
	eval 'printf "%s" "$conf" | env -i CNI_COMMAND=DEL CNI_CONTAINERID=cpipe CNI_IFNAME=eth0 "$PLUGIN" 2>&- && nothing_made'
cnitool del "$W/bridge-only.conflist" cpipe /run/netns/podv eth0

# ---- GC (1.1.0, a list of vmtap-cni alone: Debian's bridge speaks up to 1.0.0) ----
netns_new podx
netns_new pody
netns_new podgone
conflist "$W/other.conflist" othernet 1.0.0 "$(bridge_conf cnioth0 10.90.0.0/24)" "$(vm_plugin othernet 1.0.0)"
cnitool add "$W/vm.conflist" cx /run/netns/podx eth0 >/dev/null
cnitool add "$W/vm.conflist" cy /run/netns/pody eth0 >/dev/null
cnitool add "$W/vm.conflist" cgone /run/netns/podgone eth0 >/dev/null
# (another container: one container cannot have two attachments named eth0, and the id is per (container, ifname))
cnitool add "$W/other.conflist" cz /run/netns/podv eth0 >/dev/null
# leaked: the runtime lost its cache (so libcni's own first GC step cannot DEL them), one pod's netns is gone too
rm -f "$W/cache/results/vmnet-cx-eth0" "$W/cache/results/vmnet-cgone-eth0"
ip netns del podgone
NETNS=("${NETNS[@]/podgone/}")
conflist "$W/gc.conflist" vmnet 1.1.0 "$(vm_plugin vmnet 1.1.0)"
xid=$("$PLUGIN" --endpoint-id cx eth0)
check "GC setup: 4 records" test "$(records)" -eq 4
check "GC: STATUS of the 1.1.0 list of vmtap-cni alone" cnitool status "$W/gc.conflist"
check "GC with cy valid" cnitool gc "$W/gc.conflist" cy/eth0
check "GC removed the leaked attachment cx: its TAP, filters and record" \
	bash -c "[ \"\$(taps_in podx)\" -eq 0 ] && [ \"\$(ingress_filters podx eth0)\" -eq 0 ] && [ ! -e '$STATE/$xid.json' ]"
check "GC removed the record of cgone, whose netns is gone" test ! -e "$STATE/$("$PLUGIN" --endpoint-id cgone eth0).json"
check "GC kept cy and the other network's cz" \
	bash -c "[ \"\$(taps_in pody)\" -eq 1 ] && [ \"\$(taps_in podv)\" -eq 1 ] && [ \"\$(records)\" -eq 2 ]"
check "GC left the bridge plugin's eth0 of cx alone" ip -n podx link show eth0
check "GC without its list is refused (7)" \
	bash -c "printf '%s' '$(jq -c '.plugins[0] + {cniVersion: "1.1.0", name: "vmnet"}' "$W/gc.conflist")' |
		env -i CNI_COMMAND=GC '$PLUGIN' | grep -q '\"code\":7'"
cnitool del "$W/vm.conflist" cy /run/netns/pody eth0
cnitool del "$W/other.conflist" cz /run/netns/podv eth0
cnitool del "$W/bridge-only.conflist" cx /run/netns/podx eth0 # the bridge's part of the leaked pod
check "GC: everything DELed" test "$(records)" -eq 0

# ---- 50 pods ADDed in parallel, then DELed in parallel while 10 more are ADDed ----
# (VMTAP_CNI_PODS, a multiple of 10, changes the 50: CI's ASan+UBSan run takes 20, where each plugin
# process costs several times as much and the same races need fewer of them)
pods=${VMTAP_CNI_PODS:-50}
if ! [[ $pods =~ ^[1-9][0-9]*0$ ]]; then
	echo "VMTAP_CNI_PODS=$pods: a multiple of 10 is needed" >&2
	exit 2
fi
for i in $(seq $pods); do netns_new "pp$i" >/dev/null; done
conflist "$W/par.conflist" parnet 1.0.0 "$(bridge_conf cnipar0 10.91.0.0/24)" "$(vm_plugin parnet 1.0.0 '.queues = 2')"
t0=$SECONDS
for i in $(seq $pods); do
	(cnitool add "$W/par.conflist" "par$i" "/run/netns/pp$i" eth0 >"$W/par-add-$i.out" 2>&1; echo $? >"$W/par-add-$i.rc") &
done
wait
ok_adds=$(grep -lx 0 "$W"/par-add-*.rc | wc -l)
check "$pods parallel ADDs: all succeeded ($ok_adds, $((SECONDS - t0)) s)" test "$ok_adds" -eq $pods
check "$pods parallel ADDs: $pods records, one TAP per pod, all IPs distinct" \
	bash -c "[ \"\$(find '$STATE' -name '*.json' | wc -l)\" -eq $pods ] &&
		[ \"\$(for i in \$(seq $pods); do ip -n pp\$i -o -d link show | grep -c ' tun '; done | sort -u)\" = 1 ] &&
		[ \"\$(cat '$W'/par-add-*.out | jq -r '.ips[0].address' | sort -u | wc -l)\" -eq $pods ]"
# the DELs, and meanwhile ADDs of 10 more pods: a runtime DELs some pods while it ADDs others
extra=10
for i in $(seq $((pods + 1)) $((pods + extra))); do netns_new "pp$i" >/dev/null; done
t0=$SECONDS
for i in $(seq $pods); do
	(cnitool del "$W/par.conflist" "par$i" "/run/netns/pp$i" eth0 >"$W/par-del-$i.out" 2>&1; echo $? >"$W/par-del-$i.rc") &
	if ((i % (pods / extra) == 0)); then
		j=$((pods + i / (pods / extra)))
		(cnitool add "$W/par.conflist" "par$j" "/run/netns/pp$j" eth0 >"$W/par-add-$j.out" 2>&1; echo $? >"$W/par-add-$j.rc") &
	fi
done
wait
ok_dels=$(grep -lx 0 "$W"/par-del-*.rc | wc -l)
ok_adds=$(grep -lx 0 "$W"/par-add-*.rc | wc -l)
check "$pods parallel DELs: all succeeded ($ok_dels, $((SECONDS - t0)) s)" test "$ok_dels" -eq $pods
check "... and the 10 ADDs among them too ($((ok_adds - pods)))" test "$ok_adds" -eq $((pods + extra))
check "... which left 10 records, one TAP in each of their pods" \
	bash -c "[ \"\$(find '$STATE' -name '*.json' | wc -l)\" -eq $extra ] &&
		[ \"\$(for i in \$(seq $((pods + 1)) $((pods + extra))); do ip -n pp\$i -o -d link show | grep -c ' tun '; done | sort -u)\" = 1 ]"
for i in $(seq $((pods + 1)) $((pods + extra))); do
	(cnitool del "$W/par.conflist" "par$i" "/run/netns/pp$i" eth0 >"$W/par-del-$i.out" 2>&1; echo $? >"$W/par-del-$i.rc") &
done
wait
check "... and their DELs" test "$(grep -lx 0 "$W"/par-del-*.rc | wc -l)" -eq $((pods + extra))
pods=$((pods + extra))
check "after all the DELs: no record, TAP, veth or IP left in any of the $pods pods" \
	bash -c "[ -z \"\$(find '$STATE' -name '*.json' -o -name '*.lock')\" ] &&
		[ \"\$(for i in \$(seq $pods); do ip -n pp\$i -o link | wc -l; done | sort -u)\" = 1 ] &&
		[ -z \"\$(find '$W/ipam/parnet' -name '10.*' 2>/dev/null)\" ]"
check "no error output from the parallel runs" bash -c "! grep -l cnitool '$W'/par-*.out"
