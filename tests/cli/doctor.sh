#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vmtap doctor: healthy and problem cases of the host, endpoints and devices, a QEMU stood in by fake-qmp, exit codes, one print path.
#
# Usage: doctor.sh PATH/TO/vmtap PATH/TO/fake-qmp
# Runs itself inside fresh network and mount namespaces with a private /run,
# like cli.sh: every device, namespace, socket and state directory is its own.
set -uo pipefail

VMTAP=$(realpath "$1")
export VMTAP
FAKE=$(realpath "$2")
if [[ -z "${VMTAP_DOCTOR_IN_NS:-}" ]]; then
	VMTAP_DOCTOR_IN_NS=1 exec unshare --net --mount --propagation private \
		bash -c 'mount -t tmpfs tmpfs /run && exec "$0" "$@"' "$0" "$@"
fi
ip link set lo up

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok $pass - $*"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $*"; }
check() { # check DESCRIPTION COMMAND...: passes when COMMAND succeeds
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}
# expect CODE NEEDLE -- ARGS...: exit code and a stderr substring, nothing on stdout
expect() {
	local code=$1 needle=$2 out err rc
	shift 3
	err=$(timeout 30 "$VMTAP" "$@" 2>&1 >/run/expect.out)
	rc=$?
	out=$(cat /run/expect.out)
	if [[ $rc -ne $code ]]; then
		not_ok "vmtap $*: exit $rc, wanted $code ($err)"
	elif [[ "$err" != *"$needle"* ]]; then
		not_ok "vmtap $*: message '$err' lacks '$needle'"
	elif [[ -n $out ]]; then
		not_ok "vmtap $*: printed '$out' although it failed"
	else
		ok "vmtap $* -> $code '$needle'"
	fi
}
# doc CODE -- ARGS...: run 'vmtap -j doctor ARGS', check its exit code; its JSON in $OUT
doc() {
	local code=$1 rc
	shift 2
	OUT=$(timeout 30 "$VMTAP" -j doctor "$@" 2>/run/doc.err)
	rc=$?
	if [[ $rc -ne $code ]]; then
		echo "# vmtap -j doctor $*: exit $rc, wanted $code: $OUT $(cat /run/doc.err)" >&2
		return 1
	fi
}
# has SEVERITY CHECK NEEDLE: $OUT has a finding of that severity and check whose message holds NEEDLE
has() {
	jq -e --arg s "$1" --arg c "$2" --arg n "$3" \
		'any(.checks[]; .severity == $s and .check == $c and (.message | contains($n)))' <<<"$OUT" >/dev/null ||
		{ echo "# no $1 '$2' finding with '$3' in: $(jq -c '.checks[] | [.severity, .check, .message]' <<<"$OUT")" >&2; return 1; }
}
problems() { jq -e --argjson n "$1" '.problems == $n and ([.checks[] | select(.severity == "problem")] | length) == $n' <<<"$OUT" >/dev/null; }
fakes=()
# fake NAME ARGS...: a fake QEMU QMP server on /run/NAME.qmp, its pid in FAKE_PID
fake() {
	local name=$1
	shift
	rm -f "/run/$name.ready"
	"$FAKE" --ready="/run/$name.ready" "$@" "/run/$name.qmp" &
	FAKE_PID=$!
	fakes+=("$FAKE_PID")
	for _ in $(seq 200); do [[ -e /run/$name.ready ]] && return 0; sleep 0.02; done
	echo "fake-qmp $name did not start" >&2
	return 1
}
stop_fake() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }
cleanup() { for p in "${fakes[@]}"; do stop_fake "$p"; done; }
trap cleanup EXIT
ifname() { "$VMTAP" -j endpoint show "$1" | jq -r '.[0].ifname'; }

# ---- help and bad input: the usual exit codes, nothing printed, nothing made ----
check "doctor --help" bash -c "'$VMTAP' doctor --help | grep -q '^Usage: vmtap \[-j\] doctor'"
expect 4 "no endpoint nope" -- doctor nope
expect 4 "no endpoint dev" -- doctor endpoint dev
expect 2 "expected a device NAME after 'dev'" -- doctor dev
expect 2 "expected an endpoint ID after 'endpoint'" -- doctor endpoint
expect 2 "unexpected argument 'c'" -- doctor a c
expect 2 "--qmp is for an endpoint or a device" -- doctor --qmp /run/none.qmp
expect 2 "--netns is for 'doctor dev NAME'" -- doctor some-ep --netns x
expect 3 "not a valid endpoint id" -- doctor 'a/b'
expect 3 "not a valid interface name" -- doctor dev 'a b'
expect 4 "does not exist" -- doctor dev nosuch
expect 4 "not a TAP device" -- doctor dev lo
expect 4 "No such file" -- doctor dev lo --netns vmtap-none
expect 2 "unknown option '--bogus'" -- doctor --bogus
check "no state directory made by any of them" bash -c "[ ! -e /run/vmtap ]"

# ---- the host ----
check "host, nothing made yet: healthy, exit 0" eval 'doc 0 -- && problems 0'
check "host: tun usable, no state directory yet, no leftover" eval \
	'has ok tun "can be opened" && has ok "state directory" "does not exist yet" && has ok leftover nothing'
check "host: vhost-net reported, as usable or as a warning with its fix" eval \
	'jq -e "any(.checks[]; .check == \"vhost-net\" and (.severity == \"ok\" or .severity == \"info\" or (.severity == \"warning\" and (.fix | length > 0))))" <<<"$OUT" >/dev/null'
ip link add vdbr type bridge && ip link set vdbr up
"$VMTAP" endpoint create vd-ok --queues 2 --bridge vdbr >/dev/null
"$VMTAP" create vdorphan >/dev/null && ip link set vdorphan alias "vmtap:ghost@$(cat /run/vmtap/.state-id)"
check "host with an orphan: a leftover problem with its fix, exit 1" eval \
	'doc 1 -- && has problem leftover vdorphan && problems 1 && jq -e ".checks[] | select(.check == \"leftover\") | .fix == \"vmtap gc\"" <<<"$OUT" >/dev/null'
check "doctor changed nothing: the orphan is still there" eval "ip link show vdorphan >/dev/null"
check "after gc the host is healthy again" eval '"$VMTAP" gc >/dev/null && doc 0 -- && problems 0 && has ok "state directory" "1 record"'
printf 'not json' >/run/vmtap/broken.json
check "host with an unreadable record: a record problem naming the file, exit 1" eval \
	'doc 1 -- && has problem record "/run/vmtap/broken.json cannot be parsed"'
rm -f /run/vmtap/broken.json /run/vmtap/broken.lock
chmod 0755 /run/vmtap
check "state directory readable by others: a warning with chmod 0700, exit 0" eval \
	'doc 0 -- && has warning "state directory" "can be read by others" && jq -e "any(.checks[]; .fix == \"chmod 0700 /run/vmtap (as tmpfiles.d/vmtap.conf makes it)\")" <<<"$OUT" >/dev/null'
chmod 0775 /run/vmtap
check "state directory writable by its group: a problem, exit 1" eval \
	'doc 1 -- && has problem "state directory" "can be written by others: vmtap refuses it"'
chmod 0700 /run/vmtap
mkdir -m 0700 /run/st2
"$VMTAP" --state-dir /run/st2 create vdorphan2 >/dev/null && ip link set vdorphan2 alias "vmtap:x@0000000000000000"
check "--state-dir is the directory looked at; another directory's tag is left alone (info)" eval \
	'OUT=$("$VMTAP" --state-dir /run/st2 -j doctor) && problems 0 && has info leftover vdorphan2 && has ok "state directory" "/run/st2"'
ip link del vdorphan2

# ---- an endpoint and its device ----
# vdbr took the MAC of its only port, vd-ok's TAP: the bridge's MAC changes when the VM stops
check "endpoint on a bridge that took its TAP's MAC: a problem, the fix gives the bridge its own, exit 1" eval \
	'doc 1 -- vd-ok && has problem "bridge mac" "has taken the MAC of" && problems 1 && jq -e ".checks[] | select(.check == \"bridge mac\") | .fix | test(\"ip link set vdbr address 02:\")" <<<"$OUT" >/dev/null'
ip link set vdbr address 02:00:00:00:d0:01
check "the bridge with a MAC of its own: healthy, exit 0" eval \
	'doc 0 -- vd-ok && problems 0 && has ok "bridge mac" "keeps its own MAC" && has ok "vnet header" "has the virtio-net header" && has ok multi-queue "multi-queue device" && has info queues "no process has a queue" && has ok mtu "1500, as bridge vdbr"'
dev=$(ifname vd-ok)
check "the same endpoint in text: a heading, one line per finding, the verdict last" eval \
	'out=$("$VMTAP" doctor vd-ok) && [ "$(head -1 <<<"$out")" = "endpoint vd-ok: device $dev" ] && [ "$(tail -1 <<<"$out")" = "healthy: no problem, 0 warnings" ] && [ $(grep -cE "^  (ok|info|warning|problem) " <<<"$out") = $("$VMTAP" -j doctor vd-ok | jq ".checks | length") ]'
check "'endpoint' keyword form: the same checks" eval \
	'[ "$("$VMTAP" -j doctor endpoint vd-ok | jq -c "[.checks[].check]")" = "$("$VMTAP" -j doctor vd-ok | jq -c "[.checks[].check]")" ]'
ip link set vdbr mtu 1400
check "bridge MTU changed by hand: an MTU problem with the set command, exit 1" eval \
	'doc 1 -- vd-ok && has problem mtu "$dev has MTU 1500, its bridge vdbr 1400" && jq -e --arg d "$dev" ".checks[] | select(.check == \"mtu\") | .fix | startswith(\"vmtap set \" + \$d + \" --mtu 1400\")" <<<"$OUT" >/dev/null'
check "the fix applied: healthy again" eval '"$VMTAP" set "$dev" --mtu 1400 && doc 0 -- vd-ok && problems 0'
check "dev mode on the same device: it names its endpoint, exit 0" eval \
	'doc 0 -- dev "$dev" && has info endpoint "tagged as endpoint vd-ok" && jq -e --arg d "$dev" ".target == \"device\" and .ifname == \$d" <<<"$OUT" >/dev/null'
"$VMTAP" endpoint create vd-nohdr --no-vnet-hdr >/dev/null
check "dev mode, a TAP without the vnet header: a warning, offloads impossible, exit 0" eval \
	'doc 0 -- dev "$(ifname vd-nohdr)" && has warning "vnet header" "no virtio-net header" && has info offloads "without the virtio-net header"'
ns=vmtap-doctor-$$
ip netns add "$ns"
"$VMTAP" create vdn0 --netns "$ns" --queues 4 --offloads csum,tso4 >/dev/null
check "dev mode in a namespace: offloads read there, queues closed" eval \
	'doc 0 -- dev vdn0 --netns "$ns" && has info offloads "csum tso4" && has info queues "no process" && jq -e --arg n "$ns" ".netns == \$n" <<<"$OUT" >/dev/null'
check "dev mode: the device is looked for in that namespace only" eval '! "$VMTAP" doctor dev vdn0 >/dev/null 2>&1'
ip netns del "$ns"
ip link del "$(ifname vd-nohdr)"
check "an endpoint whose device is gone: a problem, gc in the fix, exit 1" eval \
	'doc 1 -- vd-nohdr && has problem device "the device is gone" && jq -e "any(.checks[]; .fix | tostring | contains(\"vmtap gc removes the record\"))" <<<"$OUT" >/dev/null'
"$VMTAP" gc >/dev/null
ip link set vdbr mtu 1500 && "$VMTAP" set "$dev" --mtu 1500

# ---- with QEMU: a fake QMP server that keeps what hotplug gives it ----
fake qh --nic-model
check "hotplug into the fake QEMU" eval '"$VMTAP" hotplug --qmp /run/qh.qmp vd-qh --queues 2 --bridge vdbr >/dev/null'
check "QMP: healthy; QEMU holds both queues in its netdev; device, PCI address and MAC as recorded; exit 0" eval \
	'doc 0 -- vd-qh --qmp /run/qh.qmp && problems 0 && has ok "qemu queues" "holds the 2 queues in netdev hostvmtap-vd-qh of device vmtap-vd-qh" && has ok qemu "device vmtap-vd-qh at PCI 0000:00:03.0" && has ok "guest mac" "as recorded" && has ok mtu "as the guest'"'"'s"'
check "QMP, dev mode: the netdev is found by the fds QEMU holds" eval \
	'doc 0 -- dev "$(ifname vd-qh)" --qmp /run/qh.qmp && has ok "qemu queues" "netdev hostvmtap-vd-qh"'
check "hotplug >/dev/full: says so, exit 10, and the endpoint is plugged all the same" eval \
	'err=$("$VMTAP" hotplug --qmp /run/qh.qmp vd-qw --bridge vdbr 2>&1 >/dev/full); [ $? = 10 ] && [[ $err == *"vmtap hotplug: cannot write the output: No space left on device"* ]] && [ "$("$VMTAP" -j endpoint show vd-qw | jq -r ".[0].hypervisor.device")" = vmtap-vd-qw ]'
check "qmp >/dev/full: says so, exit 10" eval \
	'err=$("$VMTAP" qmp --qmp /run/qh.qmp query-status 2>&1 >/dev/full); [ $? = 10 ] && [[ $err == *"vmtap qmp: cannot write the output"* ]]'
fake qbad --nic-model '--reply=qom-get/"mq"=false' '--reply=qom-get/host_mtu=9000'
check "hotplug into a QEMU whose device says mq=off, host_mtu=9000" eval '"$VMTAP" hotplug --qmp /run/qbad.qmp vd-qb --queues 4 --bridge vdbr >/dev/null'
check "QMP: mq=off and a guest MTU larger than the TAP's are problems, exit 1" eval \
	'doc 1 -- vd-qb --qmp /run/qbad.qmp && problems 2 && has problem "qemu mq" "the guest sees 1 of" && has problem mtu "up to 9000 bytes"'
check "QMP: another QEMU than the record's: a problem naming both pids, exit 1" eval \
	'doc 1 -- vd-qh --qmp /run/qbad.qmp && has problem qemu "the record names QEMU pid" && has problem "qemu netdev" "has no netdev hostvmtap-vd-qh"'
fake qlie --nic-model '--reply=human-monitor-command/info network="vmtap-vd-ql: index=0,type=nic,model=virtio-net-pci\r\n \\ hostvmtap-vd-ql: index=0,type=tap,fd=999\r\n"'
check "hotplug into a QEMU whose 'info network' shows 1 queue on other fds" eval '"$VMTAP" hotplug --qmp /run/qlie.qmp vd-ql --queues 2 --bridge vdbr >/dev/null'
check "QMP: netdev queues against the fds QEMU holds and the record: a problem, exit 1" eval \
	'doc 1 -- vd-ql --qmp /run/qlie.qmp && has problem "qemu queues" "netdev hostvmtap-vd-ql has 1 queue, 0 of them on fds"'
expect 4 "No such file" -- doctor vd-qh --qmp /run/none.qmp
stop_fake "${fakes[0]}"
check "after its QEMU exited: the record's QEMU is said to have exited, queues closed, exit 0" eval \
	'doc 0 -- vd-qh && has info hypervisor "has exited" && has info queues "no process has a queue"'

# ---- a macvtap endpoint on a pod's veth, and a redirect endpoint: what each connects to ----
pod=vmtap-doctor-pod-$$
ip netns add "$pod"
ip link add eth0 netns "$pod" type veth peer name vdpod0
ip link add eth1 netns "$pod" type veth peer name vdpod1
ip link set vdpod0 up && ip link set vdpod1 up
ip -n "$pod" link set eth0 up && ip -n "$pod" link set eth1 up
ip -n "$pod" addr add 10.77.0.2/24 dev eth0
"$VMTAP" endpoint create vd-mv --netns "$pod" --macvtap eth0 --queues 2 >/dev/null
mv=$(ifname vd-mv)
check "macvtap endpoint: mode, parent, the guest's MAC on the device, MTU as the parent's, exit 0" eval \
	'doc 0 -- vd-mv && problems 0 && has ok "macvtap mode" "bridge, as recorded" && has ok parent "eth0, up, with carrier" && has ok "device mac" "the guest'"'"'s, as recorded" && has ok mtu "1500, as parent eth0" && has info queues "does not tell how many queues of a macvtap"'
fake qmv --nic-model
"$VMTAP" hotplug --qmp /run/qmv.qmp vd-mv >/dev/null
check "macvtap endpoint with QMP: QEMU's fds on the macvtap counted (pidfd_getfd + TUNGETIFF), exit 0" eval \
	'doc 0 -- vd-mv --qmp /run/qmv.qmp && problems 0 && has ok "qemu queues" "holds the 2 queues in netdev hostvmtap-vd-mv of device vmtap-vd-mv" && has ok "guest mac" "as recorded"'
guest_mac=$("$VMTAP" -j endpoint show vd-mv | jq -r '.[0].guest_mac')
ip -n "$pod" link set eth0 down
ip -n "$pod" link set "$mv" type macvtap mode vepa
ip -n "$pod" link set "$mv" address 02:00:00:00:d0:77
ip -n "$pod" link set "$mv" mtu 1400
check "macvtap endpoint broken by hand: parent down, mode, MAC, MTU are problems, each with its fix, exit 1" eval \
	'doc 1 -- vd-mv && has problem parent "eth0 is down" && has problem "macvtap mode" "is in vepa mode, the record says bridge" && has problem "device mac" "has MAC 02:00:00:00:d0:77, the guest'"'"'s is $guest_mac" && has problem mtu "$mv has MTU 1400, its parent eth0 1500" && jq -e --arg f "ip -n $pod link set $mv address $guest_mac" "any(.checks[]; .fix == \$f)" <<<"$OUT" >/dev/null'
ip -n "$pod" link set eth0 up
ip -n "$pod" link set "$mv" type macvtap mode bridge
ip -n "$pod" link set "$mv" address "$guest_mac"
ip -n "$pod" link set "$mv" mtu 1500
check "...the fixes applied: healthy again, exit 0" eval 'doc 0 -- vd-mv --qmp /run/qmv.qmp && problems 0'
ip -n "$pod" link set vdpod0 down 2>/dev/null; ip link set vdpod0 down
check "macvtap parent without carrier (its veth peer down): a warning, exit 0" eval \
	'doc 0 -- vd-mv && has warning parent "eth0 has no carrier"'
ip link set vdpod0 up
"$VMTAP" unplug --qmp /run/qmv.qmp vd-mv >/dev/null
"$VMTAP" endpoint destroy vd-mv >/dev/null 2>&1

"$VMTAP" endpoint create vd-rd --netns "$pod" --redirect eth1 >/dev/null
check "redirect endpoint: MTU as its redirect device's, exit 0" eval 'doc 0 -- vd-rd && problems 0 && has ok mtu "as redirect device eth1"'
ip -n "$pod" link set eth1 mtu 1400
check "redirect device's MTU changed by hand: a problem with the set command, exit 1" eval \
	'doc 1 -- vd-rd && has problem mtu "its redirect device eth1 1400" && jq -e --arg f "vmtap set $(ifname vd-rd) --netns $pod --mtu 1400, or give both the MTU the network needs" "any(.checks[]; .fix == \$f)" <<<"$OUT" >/dev/null'
ip -n "$pod" link del eth1
check "redirect device gone: a problem, exit 1" eval 'doc 1 -- vd-rd && has problem redirect "eth1, the device"'
"$VMTAP" endpoint destroy vd-rd >/dev/null
check "macvtap and redirect endpoints gone: the pod holds its veth eth0 only" eval \
	'[ "$(ip -n "$pod" -o link show | grep -vc ": lo:")" = 1 ] && ! ls /run/vmtap | grep -q "^vd-\(mv\|rd\)\."'
ip netns del "$pod"

# ---- output that cannot be written (hotplug and qmp: above, with the fake QEMU) ----
check "doctor >/dev/full: says so, exit 10" bash -c "err=\$('$VMTAP' doctor vd-ok 2>&1 >/dev/full); [ \$? = 10 ] && [[ \$err == *'cannot write the output: No space left on device'* ]]"

for id in vd-ok vd-qh vd-qb vd-ql vd-qw; do "$VMTAP" endpoint destroy "$id" >/dev/null 2>&1; done
ip link del vdbr
check "nothing left: no tun device, no record" eval \
	'[ $(ip -o link show type tun | wc -l) -eq 0 ] && [ -z "$(ls -A /run/vmtap | grep -v "^\.state-id$")" ]'
cleanup
fakes=()
check "no fake QEMU left running" eval '! pgrep -f "^$FAKE " >/dev/null'
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
