#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# CLI tests of the vmtap binary: commands, JSON output, and a table of bad inputs with their messages and exit codes.
#
# Usage: cli.sh PATH/TO/vmtap
# Runs itself inside fresh network and mount namespaces, so nothing it makes
# can reach the machine's own namespace; named namespaces go to a private /run.
set -uo pipefail

VMTAP=$(realpath "$1")
if [[ -z "${VMTAP_CLI_IN_NS:-}" ]]; then
	VMTAP_CLI_IN_NS=1 exec unshare --net --mount --propagation private \
		bash -c 'mount -t tmpfs tmpfs /run && exec "$0" "$@"' "$0" "$@"
fi
ip link set lo up

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok $pass - $*"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $*"; }
tun_count() { ip -o link show type tun "$@" | wc -l; }

# expect CODE NEEDLE -- ARGS...: exit code, a stderr substring, and no device created
expect() {
	local code=$1 needle=$2 before after err rc
	shift 3
	before=$(tun_count)
	err=$("$VMTAP" "$@" 2>&1 >/dev/null)
	rc=$?
	after=$(tun_count)
	if [[ $rc -ne $code ]]; then
		not_ok "vmtap $*: exit $rc, wanted $code ($err)"
	elif [[ "$err" != *"$needle"* ]]; then
		not_ok "vmtap $*: message '$err' lacks '$needle'"
	elif [[ $before -ne $after ]]; then
		not_ok "vmtap $*: devices $before -> $after"
	else
		ok "vmtap $* -> $code '$needle'"
	fi
}

check() { # check DESCRIPTION COMMAND...: passes when COMMAND succeeds
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}

json_get() { jq -er "$1"; }

# ---- help everywhere ----
for cmd in probe create set delete list show endpoint gc exec qemu-args; do
	check "$cmd --help" bash -c "'$VMTAP' $cmd --help | grep -q '^Usage: vmtap'"
done
check "vmtap --help" bash -c "'$VMTAP' --help | grep -q 'Commands:'"

# ---- probe ----
check "probe text" bash -c "'$VMTAP' probe | grep -q 'max_queues: 256'"
check "probe json" bash -c "'$VMTAP' -j probe | jq -e '.tun.usable == true and .tun.max_queues == 256' >/dev/null"
check "probe json: vhost-net state reported with a reason when absent" \
	bash -c "'$VMTAP' probe -j | jq -e '.vhost_net.usable == true or (.vhost_net.reason | test(\"vhost-net\"))' >/dev/null"

# ---- create / list / show / delete ----
check "create 4 queues" bash -c "[ \"\$('$VMTAP' create vc0 --queues 4)\" = vc0 ]"
check "created device read back by ip" bash -c "ip -d -j link show vc0 | jq -e '.[0].linkinfo.info_kind == \"tun\" and .[0].linkinfo.info_data.multi_queue == true and .[0].linkinfo.info_data.vnet_hdr == true and .[0].linkinfo.info_data.persist == true' >/dev/null"
check "create pattern" bash -c "[ \"\$('$VMTAP' create 'vp%d' --no-vnet-hdr --owner 1000 --group 100)\" = vp0 ]"
check "create json" bash -c "'$VMTAP' create vc1 -j --queues 2 | jq -e '.ifname == \"vc1\" and .queues == 2 and .vnet_hdr' >/dev/null"
check "list text" bash -c "'$VMTAP' list | grep -q 'vc0: tap.*multi_queue vnet_hdr persist'"
check "list json" bash -c "[ \"\$('$VMTAP' -j list | jq -r '[.[].ifname] | sort | join(\",\")')\" = vc0,vc1,vp0 ]"
check "list json owner/group" bash -c "'$VMTAP' list --json | jq -e '.[] | select(.ifname==\"vp0\") | .owner == 1000 and .group == 100 and .vnet_hdr == false' >/dev/null"
check "show text has stats" bash -c "'$VMTAP' show vc0 | grep -q 'RX: bytes 0'"
check "show json" bash -c "'$VMTAP' show vc0 -j | jq -e '.[0].ifname == \"vc0\" and .[0].multi_queue and .[0].stats64.rx.bytes == 0' >/dev/null"
check "create --up: root qdisc noqueue, no pfifo_fast at all" bash -c "'$VMTAP' create vcq --queues 4 --up >/dev/null && '$VMTAP' show vcq -j | jq -e '.[0].qdisc == \"noqueue\"' >/dev/null && [ \"\$(tc -j qdisc show dev vcq | jq -c '[.[].kind]')\" = '[\"noqueue\"]' ] && '$VMTAP' show vcq | grep -q ' qdisc noqueue'"
check "create --qdisc kernel --up: the kernel's mq" bash -c "'$VMTAP' create vck --queues 4 --qdisc kernel --up >/dev/null && '$VMTAP' show vck -j | jq -e '.[0].qdisc == \"mq\"' >/dev/null && tc -j qdisc show dev vck | jq -e 'any(.[]; .kind == \"pfifo_fast\")' >/dev/null && '$VMTAP' delete vcq vck"
check "same print path: text and json agree on mtu" bash -c "[ \"\$('$VMTAP' show vc0 -j | jq -r '.[0].mtu')\" = \"\$('$VMTAP' show vc0 | sed -n 's/.* mtu \\([0-9]*\\).*/\\1/p' | head -1)\" ]"

# ---- bad inputs: exit code, message, nothing created ----
expect 3 "1..256" -- create vb --queues 257
expect 3 "1..256" -- create vb --queues 0
expect 3 "1..256" -- create vb --queues -1
expect 3 "limit is 15" -- create 0123456789abcdef
expect 3 "'/'" -- create a/b
expect 3 "whitespace" -- create "a b"
expect 3 "':'" -- create a:b
expect 3 "empty" -- create ""
expect 3 "%d" -- create "t%s"
expect 3 "10, 12 or 20" -- create vb --vnet-hdr-size 11
expect 3 "offloads" -- create vb --offloads bogus
expect 3 "csum" -- create vb --offloads tso4
expect 3 "noqueue or kernel" -- create vb --qdisc pfifo_fast
expect 3 "noqueue or kernel" -- endpoint create vq --qdisc NOQUEUE
expect 3 "owner" -- create vb --owner no-such-user-here
expect 3 "group" -- create vb --group no-such-group-here
expect 2 "unknown option '--bogus'" -- create vb --bogus
expect 2 "unknown option '--que'" -- create vb --que 2
expect 2 "needs a value" -- create vb --queues
expect 2 "expected a device NAME" -- create
expect 2 "unexpected argument" -- create vb vb2
expect 2 "unknown command" -- frobnicate
expect 2 "unknown option" -- --frobnicate list
expect 5 "already exists" -- create vc0
expect 4 "does not exist" -- show nope
expect 4 "does not exist" -- delete nope
expect 4 "does not exist" -- delete vc0 nope
expect 4 "not a TUN/TAP" -- delete lo
expect 4 "No such file" -- list --netns vmtap-none-here
expect 3 "not a plain name" -- list --netns ..
check "failed multi-delete deleted nothing" bash -c "ip link show vc0 >/dev/null 2>&1"

# ---- delete several at once ----
check "delete several" "$VMTAP" delete vc0 vc1 vp0
check "nothing left" bash -c "[ \$(ip -o link show type tun | wc -l) -eq 0 ]"

# ---- link settings (issue: link configuration) ----
check "create with link settings" bash -c "'$VMTAP' create vl0 --queues 2 --mtu 4000 --mac 52:54:00:12:34:56 --txqlen 333 --alias vm7-side --up >/dev/null"
check "settings read back by ip" bash -c "ip -j link show vl0 | jq -e '.[0].mtu == 4000 and .[0].address == \"52:54:00:12:34:56\" and .[0].txqlen == 333 and .[0].ifalias == \"vm7-side\" and (.[0].flags | index(\"UP\"))' >/dev/null"
check "show json agrees" bash -c "'$VMTAP' show vl0 -j | jq -e '.[0].mtu == 4000 and .[0].address == \"52:54:00:12:34:56\" and .[0].up and .[0].alias == \"vm7-side\" and .[0].queues == 0' >/dev/null"
# ownership tags are vmtap's own: never settable through vmtap, so never forged with it
expect 3 "ownership tags" -- create vb --alias vmtap:ghost
expect 3 "ownership tags" -- create vb --alias vmtap-helper:uid=0
expect 3 "ownership tags" -- set vl0 --alias vmtap:x@0123456789abcdef
check "refused tag left the alias as it was" bash -c "[ \"\$(ip -j link show vl0 | jq -r '.[0].ifalias')\" = vm7-side ]"
check "set changes several" "$VMTAP" set vl0 --mtu 1400 --down --alias ""
check "set read back" bash -c "ip -j link show vl0 | jq -e '.[0].mtu == 1400 and (.[0].flags | index(\"UP\") | not) and (.[0].ifalias // \"\") == \"\"' >/dev/null"
ip link add vlbr type bridge && ip link set vlbr mtu 9000 up
check "create on bridge takes its MTU and an FE MAC" bash -c "'$VMTAP' create vl1 --bridge vlbr >/dev/null && ip -j link show vl1 | jq -e '.[0].master == \"vlbr\" and .[0].mtu == 9000 and (.[0].address | startswith(\"fe:\"))' >/dev/null"
check "guest MAC starting with fe gives fa" bash -c "'$VMTAP' create vl2 --bridge vlbr --guest-mac fe:54:00:00:00:01 >/dev/null && [ \"\$(ip -j link show vl2 | jq -r '.[0].address')\" = fa:54:00:00:00:01 ]"
check "set --nomaster" bash -c "'$VMTAP' set vl1 --nomaster && ! ip -j link show vl1 | jq -e '.[0].master' >/dev/null"
check "set --bridge" bash -c "'$VMTAP' set vl0 --bridge vlbr && [ \"\$(ip -j link show vl0 | jq -r '.[0].master')\" = vlbr ]"
expect 3 "68..65535" -- create vb --mtu 0
expect 3 "68..65535" -- create vb --mtu 67
expect 3 "68..65535" -- create vb --mtu 65536
expect 3 "unicast" -- create vb --mac 01:00:5e:00:00:01
expect 3 "unicast" -- create vb --mac 52:54:00:12:34
expect 3 "unicast" -- create vb --mac zz:54:00:12:34:56
expect 4 "bridge vnobr does not exist" -- create vb --bridge vnobr
expect 3 "not a bridge" -- create vb --bridge lo
expect 2 "for 'vmtap set'" -- create vb --move-to x
expect 2 "nothing to set" -- set vl0
expect 4 "does not exist" -- set vnope --mtu 1400
expect 3 "range of" -- set vl0 --mtu 65535
expect 3 "not both" -- set vl0 --mac 52:54:00:00:00:01 --guest-mac 52:54:00:00:00:02
check "bridge into bridge: kernel's message shown, nothing changed" bash -c "ip link add vlbr2 type bridge; out=\$('$VMTAP' set vlbr2 --mtu 1600 --bridge vlbr 2>&1); rc=\$?; ip -j link show vlbr2 | jq -e '.[0].mtu == 1500 and (.[0].master | not)' >/dev/null && [ \$rc -eq 7 ] && [[ \"\$out\" == *'set master'*'kernel: '* ]]; r=\$?; ip link del vlbr2; exit \$r"
check "delete link-set devices" "$VMTAP" delete vl0 vl1 vl2
ip link del vlbr

# ---- named namespace ----
ns=vmtap-cli-$$
ip netns add "$ns"
check "create in named netns" bash -c "'$VMTAP' create vn0 --queues 2 --netns $ns >/dev/null"
check "device is in the netns, not here" bash -c "ip -n $ns link show vn0 >/dev/null && ! ip link show vn0 2>/dev/null"
check "list --netns" bash -c "'$VMTAP' -j list --netns $ns | jq -e 'length == 1 and .[0].queues == 0' >/dev/null"
check "create in /proc/PID/ns/net path" bash -c "ip netns exec $ns sleep 30 & p=\$!; for i in \$(seq 100); do [ \"\$(readlink /proc/\$p/ns/net)\" != \"\$(readlink /proc/self/ns/net)\" ] && break; read -rt 0.05 <> <(:) || true; done; '$VMTAP' create vn1 --netns /proc/\$p/ns/net >/dev/null; rc=\$?; kill \$p; wait \$p 2>/dev/null; exit \$rc"
ns2=vmtap-cli2-$$
ip netns add "$ns2"
check "set --move-to another netns" bash -c "'$VMTAP' set vn1 --netns $ns --move-to $ns2 --mtu 1300 && ip -n $ns2 -j link show vn1 | jq -e '.[0].mtu == 1300' >/dev/null && ! ip -n $ns link show vn1 2>/dev/null"
check "move back by path" "$VMTAP" set vn1 --netns "/run/netns/$ns2" --move-to "$ns"
ip netns del "$ns2"
check "delete in netns" "$VMTAP" delete --netns "$ns" vn0 vn1
check "netns empty" bash -c "[ \$(ip -n $ns -o link show type tun | wc -l) -eq 0 ]"
ip netns del "$ns"

# ---- endpoints and gc ----
ip link add vebr type bridge && ip link set vebr up
check "endpoint create" bash -c "'$VMTAP' endpoint create vm7-net0 --queues 4 --bridge vebr --guest-mac 52:54:00:00:07:01 | grep -q '^vm7-net0: ready ifname vmt.* queues 4 vnet_hdr'"
check "endpoint device tagged, bridged, FE MAC" bash -c "n=\$('$VMTAP' -j endpoint show vm7-net0 | jq -r '.[0].ifname'); ip -j link show \$n | jq -e --arg t \"vmtap:vm7-net0@\$(cat /run/vmtap/.state-id)\" '.[0].ifalias == \$t and .[0].master == \"vebr\" and .[0].address == \"fe:54:00:00:07:01\"' >/dev/null"
check "endpoint device: bridged, up, root qdisc noqueue" bash -c "n=\$('$VMTAP' -j endpoint show vm7-net0 | jq -r '.[0].ifname'); ip -j link show \$n | jq -e '.[0].qdisc == \"noqueue\" and (.[0].flags | index(\"UP\") != null)' >/dev/null"
check "endpoint --qdisc kernel keeps the kernel's qdiscs" bash -c "'$VMTAP' endpoint create vm7-k --queues 2 --qdisc kernel >/dev/null && n=\$('$VMTAP' -j endpoint show vm7-k | jq -r '.[0].ifname') && ip -j link show \$n | jq -e '.[0].qdisc == \"mq\"' >/dev/null && '$VMTAP' endpoint destroy vm7-k"
check "endpoint record is private" bash -c "[ \"\$(stat -c %a /run/vmtap)\" = 700 ] && [ \"\$(stat -c %a /run/vmtap/vm7-net0.json)\" = 600 ]"
check "endpoint list json" bash -c "'$VMTAP' endpoint list -j | jq -e 'length == 1 and .[0].id == \"vm7-net0\" and .[0].state == \"ready\" and .[0].connection.bridge == \"vebr\"' >/dev/null"
expect 5 "exists" -- endpoint create vm7-net0
expect 3 "starts with a dot" -- endpoint create ../x
expect 3 "'/'" -- endpoint create a/b
expect 3 "limit is 64" -- endpoint create 01234567890123456789012345678901234567890123456789012345678901234
expect 3 "1..256" -- endpoint create e2 --queues 300
expect 4 "bridge vnobr does not exist" -- endpoint create e2 --bridge vnobr
check "failed endpoint create left no record" bash -c "[ ! -e /run/vmtap/e2.json ] && [ ! -e /run/vmtap/e2.lock ]"
expect 2 "unknown option '--bogus'" -- endpoint create e2 --bogus
expect 2 "unknown command 'frob'" -- endpoint frob
expect 2 "expected an endpoint ID" -- endpoint show
expect 4 "no endpoint nope" -- endpoint show nope
expect 4 "no endpoint nope" -- endpoint destroy nope
expect 3 "not an absolute path" -- --state-dir relative endpoint list
check "endpoint destroy" "$VMTAP" endpoint destroy vm7-net0
check "endpoint destroy removed device and record" bash -c "[ \$(ip -o link show type tun | wc -l) -eq 0 ] && [ -z \"\$(ls -A /run/vmtap | grep -vx .state-id)\" ]"
ens=vmtap-cli-ep-$$
ip netns add "$ens"
check "endpoint in a netns" bash -c "'$VMTAP' endpoint create inns --netns $ens --ifname vep0 >/dev/null"
ip netns del "$ens"
check "destroy after its namespace vanished" "$VMTAP" endpoint destroy inns
# ---- redirect endpoints: a TAP cross-connected by tc with a pod's veth ----
pod=vmtap-cli-pod-$$ peer=vmtap-cli-peer-$$
ip netns add "$pod" && ip netns add "$peer"
ip -n "$pod" link add eth0 mtu 1450 type veth peer name p0 netns "$peer" && ip -n "$pod" link set eth0 up
ip -n "$pod" link add eth1 type veth peer name p1 netns "$peer"
podmac=$(ip -n "$pod" -j link show eth0 | jq -r '.[0].address')
check "endpoint --redirect" bash -c "'$VMTAP' endpoint create rd0 --netns $pod --redirect eth0 --queues 2 --label 'pod a' | grep -q '^rd0: ready .* queues 2 .* redirect eth0 tc_prio 30317 label \"pod a\"'"
check "endpoint show -j: the connection, the pod's MAC and MTU" bash -c "'$VMTAP' -j endpoint show rd0 | jq -e --arg m $podmac '.[0].connection == {\"type\":\"redirect\",\"device\":\"eth0\",\"tc_prio\":30317} and .[0].guest_mac == \$m and .[0].mtu == 1450 and .[0].label == \"pod a\" and .[0].ephemeral == false' >/dev/null"
check "redirect: tc -j shows vmtap's filter on eth0, to the TAP" bash -c "n=\$('$VMTAP' -j endpoint show rd0 | jq -r '.[0].ifname'); tc -n $pod -j filter show dev eth0 ingress | jq -e --arg n \$n 'any(.[]; .pref == 30317 and .options.actions[0].to_dev == \$n)' >/dev/null"
expect 5 "priority 30317 of eth0 is taken" -- endpoint create rd1 --netns "$pod" --redirect eth0
check "a second redirect on the same veth at another priority" bash -c "'$VMTAP' endpoint create rd1 --netns $pod --redirect eth0 --tc-prio 40000 >/dev/null"
expect 3 "--redirect and --bridge conflict" -- endpoint create rd2 --netns "$pod" --redirect eth1 --bridge vebr
expect 3 "--bridge and --macvtap conflict" -- endpoint create rd2 --netns "$pod" --bridge vebr --macvtap eth1
expect 4 "no device nosuch in namespace $pod" -- endpoint create rd2 --netns "$pod" --redirect nosuch
expect 4 "no device p0 in namespace $pod" -- endpoint create rd2 --netns "$pod" --redirect p0
expect 3 "loopback" -- endpoint create rd2 --netns "$pod" --redirect lo
expect 3 "--tc-prio is for --redirect" -- endpoint create rd2 --tc-prio 5
expect 3 "--macvtap-mode is for --macvtap" -- endpoint create rd2 --macvtap-mode bridge
expect 3 "--keep-parent is for --macvtap" -- endpoint create rd2 --netns "$pod" --redirect eth1 --keep-parent
expect 3 "not a number from 1 to 65535" -- endpoint create rd2 --netns "$pod" --redirect eth1 --tc-prio 0
expect 3 "not bridge, vepa, private or passthru" -- endpoint create rd2 --macvtap eth1 --macvtap-mode source
expect 3 "label contains a control character" -- endpoint create rd2 --netns "$pod" --redirect eth1 --label "$(printf 'a\tb')"
check "refused redirects left no record and eth1 no qdisc" bash -c "[ ! -e /run/vmtap/rd2.json ] && [ ! -e /run/vmtap/rd2.lock ] && [ -z \"\$(tc -n $pod qdisc show dev eth1 ingress)\" ]"
check "redirect destroy: eth0 as it was, no qdisc, no filter" bash -c "'$VMTAP' endpoint destroy rd1 && '$VMTAP' endpoint destroy rd0 && [ -z \"\$(tc -n $pod qdisc show dev eth0 ingress)\" ] && [ -z \"\$(tc -n $pod filter show dev eth0 ingress)\" ] && [ \$(ip -n $pod -o link show type tun | wc -l) -eq 0 ]"
check "gc: a redirect whose TAP was deleted by hand loses eth0's filter" bash -c "'$VMTAP' endpoint create rd3 --netns $pod --redirect eth0 --ifname tapgone >/dev/null && ip -n $pod link del tapgone && '$VMTAP' gc -j | jq -e 'length == 1 and .[0].action == \"removed_record\"' >/dev/null && [ -z \"\$(tc -n $pod filter show dev eth0 ingress)\" ] && [ -z \"\$(tc -n $pod qdisc show dev eth0 ingress)\" ]"
# exec --nic redirect=: an ephemeral endpoint for QEMU's life, destroyed by the reaper after it
cat >/tmp/vmtap-cli-redir.$$ <<'SH'
ls -l /proc/$$/fd | grep -c /dev/net/tun
"$VMTAP" -j endpoint list | jq -r --argjson me $$ '.[0] | "\(.id) \(.ephemeral) \(.hypervisor.pid == $me)"'
tc -n "$POD" filter show dev eth0 ingress | grep -c mirred
SH
check "exec --nic redirect=: the command holds 2 queues, the endpoint names it, eth0 redirects to it" bash -c "VMTAP='$VMTAP' POD=$pod '$VMTAP' exec --nic redirect=eth0,netns=$pod,queues=2 -- sh /tmp/vmtap-cli-redir.$$ | tr '\\n' ' ' | grep -qx '2 exec\.[0-9]*\.0 true true 1 '"
rm -f /tmp/vmtap-cli-redir.$$
check "exec --nic redirect=: after QEMU, the reaper leaves eth0 as it was and goes" bash -c "gone_within() { local i; for ((i = 0; i < \$1 * 10; i++)); do \"\${@:2}\" || return 0; sleep 0.1; done; return 1; }; gone_within 5 bash -c \"[ -n \\\"\\\$('$VMTAP' endpoint list)\\\" ]\" && [ -z \"\$(tc -n $pod qdisc show dev eth0 ingress)\" ] && gone_within 5 pgrep -f '^$VMTAP exec' && [ \$(ip -n $pod -o link show type tun | wc -l) -eq 0 ]"
expect 127 "No such file" -- exec --nic redirect=eth0,netns="$pod" -- /nonexistent/qemu
check "exec that cannot run QEMU destroys its ephemeral endpoint itself" bash -c "[ -z \"\$('$VMTAP' endpoint list)\" ] && [ -z \"\$(tc -n $pod qdisc show dev eth0 ingress)\" ]"
expect 3 "bridge, redirect and macvtap conflict" -- exec --nic redirect=eth0,bridge=vebr -- true
expect 3 "tc-prio is for redirect" -- exec --nic queues=1,tc-prio=3 -- true
expect 3 "macvtap-mode: use bridge" -- exec --nic macvtap=eth1,macvtap-mode=x -- true
expect 4 "no device nosuch" -- exec --nic redirect=nosuch,netns="$pod" -- true
expect 3 "are for 'vmtap exec'" -- qemu-args --nic fds=3,redirect=eth0
check "refused execs left nothing" bash -c "[ -z \"\$('$VMTAP' endpoint list)\" ] && [ -z \"\$(tc -n $pod qdisc show dev eth0 ingress)\" ]"
# ---- macvtap endpoints: Kata's macvtap model on eth1, which gets everything back at destroy ----
ip -n "$pod" link set eth1 address 0a:58:0a:5a:00:02 up && ip -n "$pod" addr add 10.90.0.2/24 dev eth1
eth1_state() { ip -n "$pod" -j addr show dev eth1 | jq -c '.[0] | [.address, [.addr_info[] | select(.scope == "global") | .local]]'; }
eth1_before=$(eth1_state)
check "endpoint --macvtap: the guest takes eth1's MAC, 2 queues" bash -c "'$VMTAP' endpoint create mv0 --netns $pod --macvtap eth1 --queues 2 | grep -q '^mv0: ready .* queues 2 .* guest_mac 0a:58:0a:5a:00:02 macvtap eth1 mode bridge$'"
check "endpoint show -j: the macvtap connection, no host MAC" bash -c "'$VMTAP' -j endpoint show mv0 | jq -e '.[0].connection == {\"type\":\"macvtap\",\"parent\":\"eth1\",\"mode\":\"bridge\"} and (.[0] | has(\"host_mac\") | not)' >/dev/null"
check "macvtap: eth1 has a random MAC and no address while connected" bash -c "ip -n $pod -j addr show dev eth1 | jq -e '.[0].address != \"0a:58:0a:5a:00:02\" and ([.[0].addr_info[] | select(.scope == \"global\")] | length == 0)' >/dev/null"
check "macvtap: ip shows it as a tagged macvtap on eth1" bash -c "n=\$('$VMTAP' -j endpoint show mv0 | jq -r '.[0].ifname'); ip -n $pod -j -d link show \$n | jq -e '.[0].linkinfo.info_kind == \"macvtap\" and (.[0].ifalias | startswith(\"vmtap:mv0@\"))' >/dev/null"
cat >/tmp/vmtap-cli-mvq.$$ <<'SH'
n=0; for f in /proc/$$/fd/*; do [ "$(readlink "$f")" = "/q (deleted)" ] && n=$((n + 1)); done; echo $n
SH
check "exec --nic endpoint= of a macvtap: the command holds its 2 queues" bash -c "[ \"\$('$VMTAP' exec --nic endpoint=mv0 -- sh /tmp/vmtap-cli-mvq.$$)\" = 2 ]"
expect 3 "--keep-parent is for --macvtap" -- endpoint create mv1 --netns "$pod" --redirect eth1 --keep-parent
check "macvtap destroy: eth1 gets its MAC and address back" bash -c "'$VMTAP' endpoint destroy mv0 && [ \"\$(ip -n $pod -j addr show dev eth1 | jq -c '.[0] | [.address, [.addr_info[] | select(.scope == \"global\") | .local]]')\" = '$eth1_before' ]"
cat >/tmp/vmtap-cli-mvx.$$ <<'SH'
n=0; for f in /proc/$$/fd/*; do [ "$(readlink "$f")" = "/q (deleted)" ] && n=$((n + 1)); done; echo $n
ip -n "$POD" -j addr show dev eth1 | jq -r '[.[0].addr_info[] | select(.scope == "global")] | length'
SH
check "exec --nic macvtap=: 4 queues, eth1 given up while QEMU runs" bash -c "[ \"\$(POD=$pod '$VMTAP' exec --nic macvtap=eth1,netns=$pod,queues=4 -- sh /tmp/vmtap-cli-mvx.$$ | tr '\\n' ' ')\" = '4 0 ' ]"
check "exec --nic macvtap=: after QEMU, the reaper gives eth1 back" bash -c "for i in \$(seq 50); do [ -z \"\$('$VMTAP' endpoint list)\" ] && [ \"\$(ip -n $pod -j addr show dev eth1 | jq -c '.[0] | [.address, [.addr_info[] | select(.scope == \"global\") | .local]]')\" = '$eth1_before' ] && exit 0; sleep 0.1; done; exit 1"
ip -n "$pod" tuntap add tapx mode tap
expect 3 "tapx is a TUN/TAP device" -- endpoint create mv1 --netns "$pod" --macvtap tapx
ip -n "$pod" link del tapx
expect 3 "loopback" -- endpoint create mv1 --netns "$pod" --macvtap lo
expect 3 "passthru macvtap always has its parent's MAC" -- endpoint create mv1 --netns "$pod" --macvtap eth1 --macvtap-mode passthru --guest-mac 52:54:00:00:00:09
eth1_as_before() { [ ! -e /run/vmtap/mv1.json ] && [ "$(eth1_state)" = "$eth1_before" ] || { echo "eth1: $(eth1_state), was $eth1_before; $(ls /run/vmtap)" >&2; false; }; }
check "refused macvtaps left no record and eth1 as it was" eth1_as_before
rm -f /tmp/vmtap-cli-mvq.$$ /tmp/vmtap-cli-mvx.$$
ip netns del "$pod"
ip netns del "$peer"

# gc: a tagged orphan of this state directory goes, an untagged device and a foreign alias stay
"$VMTAP" create vorphan >/dev/null && ip link set vorphan alias "vmtap:ghost@$(cat /run/vmtap/.state-id)"
"$VMTAP" create vkeep >/dev/null && "$VMTAP" set vkeep --alias not-ours
"$VMTAP" create vkeep2 >/dev/null
check "gc --dry-run reports, changes nothing" bash -c "'$VMTAP' gc --dry-run -j | jq -e 'length == 1 and .[0].action == \"deleted_orphan\" and .[0].dry_run and .[0].ifname == \"vorphan\"' >/dev/null && ip link show vorphan >/dev/null"
check "gc deletes the orphan" bash -c "'$VMTAP' gc | grep -q 'deleted orphan ghost device vorphan' && ! ip link show vorphan 2>/dev/null"
check "gc left untagged devices" bash -c "ip link show vkeep >/dev/null && ip link show vkeep2 >/dev/null"
check "gc with nothing to do" bash -c "[ -z \"\$('$VMTAP' gc)\" ]"
printf 'not json' > /run/vmtap/broken.json
check "endpoint list reports an unparseable record by file name" bash -c "'$VMTAP' endpoint list 2>&1 >/dev/null | grep -q '/run/vmtap/broken.json cannot be parsed'"
expect 1 "1 problem needs attention" -- gc
check "unparseable record left in place" bash -c "[ \"\$(cat /run/vmtap/broken.json)\" = 'not json' ]"
rm -f /run/vmtap/broken.json /run/vmtap/broken.lock
"$VMTAP" delete vkeep vkeep2
ip link del vebr

# ---- exec and qemu-args (QEMU itself is in tests/e2e; here a shell stands in for it) ----
check "qemu-args" bash -c "[ \"\$('$VMTAP' qemu-args --nic fds=3:4:5:6,mac=52:54:00:12:34:56,mtu=9000)\" = '-netdev tap,id=hostnet0,fds=3:4:5:6,vhost=off -device virtio-net-pci,id=net0,netdev=hostnet0,mac=52:54:00:12:34:56,mq=on,vectors=10,host_mtu=9000' ]"
check "qemu-args json, vhostfds" bash -c "'$VMTAP' -j qemu-args --nic id=n1,fds=3,vhostfds=4 | jq -e '.[1] == \"tap,id=hostn1,fd=3,vhost=on,vhostfd=4\"' >/dev/null"
expect 3 "counts must match" -- qemu-args --nic fds=3:4,vhostfds=5
expect 3 "too few" -- qemu-args --nic fds=3:4,vectors=5
expect 3 "same MAC" -- qemu-args --nic fds=3,mac=52:54:00:00:00:01 --nic fds=4,mac=52:54:00:00:00:01
expect 3 "fds=A:B:... is required" -- qemu-args --nic id=x
expect 2 "expected at least one" -- qemu-args
# exec: the child holds the named TAP queues and nothing else vmtap opened (netlink sockets, state files)
cat > /tmp/vmtap-cli-fdcheck.$$ <<'SH'
named=" $(printf '%s\n' "$@" | sed -n 's/^tap,id=[^,]*,fds\{0,1\}=\([0-9:]*\),.*/\1/p' | tr ':' ' ') "
tun=0
for p in /proc/$$/fd/*; do
	n=${p##*/}; t=$(readlink "$p") || continue
	case "$t" in
	/dev/net/tun) case "$named" in *" $n "*) tun=$((tun + 1));; *) echo "unnamed TAP fd $n"; exit 1;; esac;;
	socket:*|/run/vmtap*) echo "leaked fd $n -> $t"; exit 1;;
	esac
done
echo "tun=$tun"
SH
check "exec: the child holds the 3 named TAP queues and no other fd of vmtap's" bash -c "'$VMTAP' exec --nic queues=3 -- sh /tmp/vmtap-cli-fdcheck.$$ | grep -qx 'tun=3'"
check "exec: exit status of the command is passed on" bash -c "'$VMTAP' exec --nic queues=1 -- sh -c 'exit 42'; [ \$? -eq 42 ]"
check "exec: TAPs gone after the command" bash -c "[ \$(ip -o link show type tun | wc -l) -eq 0 ]"
expect 127 "No such file" -- exec --nic queues=2 -- /nonexistent/qemu
expect 3 "outside 1..256" -- exec --nic queues=0 -- true
expect 2 "expected -- QEMU_COMMAND" -- exec --nic queues=1
# the bridge helper (run unprivileged in tests/helper/exec.sh): its path is built in, helper= is QEMU's key
check "exec --help names the installed bridge helper" bash -c "'$VMTAP' exec --help | grep -Eq '^ +/.+/vmtap-bridge-helper\$'"
expect 3 "helper is for bridge" -- exec --nic helper=/usr/lib/qemu/qemu-bridge-helper -- true
expect 3 "netns cannot be given with helper" -- exec --nic bridge=br0,helper=/h,netns=x -- true
expect 3 "are for 'vmtap exec'" -- qemu-args --nic fds=3,bridge=br0,helper=/h
ip link add vhbr type bridge
expect 4 "bridge helper: run /nonexistent/helper: No such file or directory" -- exec --nic bridge=vhbr,helper=/nonexistent/helper -- true
ip link del vhbr
check "exec: nothing left after refusals" bash -c "[ \$(ip -o link show type tun | wc -l) -eq 0 ]"
rm -f /tmp/vmtap-cli-fdcheck.$$

check "no tun left in the test namespace" bash -c "[ \$(ip -o link show type tun | wc -l) -eq 0 ]"
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
