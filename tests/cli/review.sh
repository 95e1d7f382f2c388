#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Regression tests of the adversarial review: gc never deletes a live or foreign device, state-dir and namespace-path tricks, hostile QMP servers.
#
# Usage: review.sh PATH/TO/vmtap PATH/TO/fake-qmp
# Runs itself inside fresh network and mount namespaces with a private /run,
# like cli.sh: every device, namespace, socket and state directory is its own.
set -uo pipefail

VMTAP=$(realpath "$1")
FAKE=$(realpath "$2")
if [[ -z "${VMTAP_REVIEW_IN_NS:-}" ]]; then
	VMTAP_REVIEW_IN_NS=1 exec unshare --net --mount --propagation private \
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
# run_expect CODE NEEDLE -- ARGS...: exit code and a stderr substring; stderr kept in $ERR
run_expect() {
	local code=$1 needle=$2 rc
	shift 3
	ERR=$(timeout 30 "$VMTAP" "$@" 2>&1 >/dev/null) # a hang is a failure, not a stalled suite
	rc=$?
	if [[ $rc -ne $code ]]; then
		not_ok "vmtap $*: exit $rc, wanted $code ($ERR)"
	elif [[ "$ERR" != *"$needle"* ]]; then
		not_ok "vmtap $*: message '$ERR' lacks '$needle'"
	else
		ok "vmtap $* -> $code '$needle'"
	fi
}
asan() { ldd "$VMTAP" 2>/dev/null | grep -q libasan || nm "$VMTAP" 2>/dev/null | grep -q __asan_init; }
fakes=()
# fake NAME ARGS...: start a fake QEMU QMP server on /run/NAME.qmp, its pid in FAKE_PID
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
tagged() { ip -o link show "$@" | grep -c 'alias vmtap:' || true; }
state_id() { cat "$1/.state-id"; }

# ---- 1. namespaces are compared by identity, not by spelling ----
S=/run/st1
ip netns add nsA
ip netns add nsB
check "endpoint in A, created from inside A" bash -c "ip netns exec nsA '$VMTAP' --state-dir $S endpoint create e1 --netns nsA --ifname ve1 >/dev/null"
check "endpoint in B, named by its path" bash -c "'$VMTAP' --state-dir $S endpoint create e2 --netns /run/netns/nsB --ifname ve2 >/dev/null"
check "endpoint made inside A without --netns (the creator's namespace)" \
	bash -c "ip netns exec nsA '$VMTAP' --state-dir $S endpoint create e3 --ifname ve3 >/dev/null"
check "gc run inside A deletes nothing, removes no record" \
	bash -c "out=\$(ip netns exec nsA '$VMTAP' --state-dir $S gc -j) && echo \"\$out\" | jq -e 'map(select(.action != \"left_alone\")) | length == 0' >/dev/null"
check "gc run here leaves e3 alone: its device is in an unnamed namespace that is not this one" \
	bash -c "'$VMTAP' --state-dir $S gc -j | jq -e 'length == 1 and .[0].action == \"left_alone\" and .[0].id == \"e3\"' >/dev/null"
check "all three devices and records survive both" \
	bash -c "ip -n nsA link show ve1 >/dev/null && ip -n nsB link show ve2 >/dev/null && ip -n nsA link show ve3 >/dev/null && [ \$('$VMTAP' --state-dir $S -j endpoint list | jq length) = 3 ]"
check "a second gc inside A still changes nothing" \
	bash -c "ip netns exec nsA '$VMTAP' --state-dir $S gc -j | jq -e 'length == 0' >/dev/null"

# ---- 2. a gc of another state directory never deletes this one's devices ----
mkdir -m 0700 /run/st-other
check "gc of another, empty state directory deletes nothing and says why" \
	bash -c "ip netns exec nsA '$VMTAP' --state-dir /run/st-other gc --dry-run -j | jq -e 'length == 2 and all(.action == \"left_alone\") and all(.detail | test(\"another state directory\"))' >/dev/null && ip netns exec nsA '$VMTAP' --state-dir /run/st-other gc >/dev/null && ip -n nsA link show ve1 >/dev/null && ip -n nsA link show ve3 >/dev/null"
check "gc of a mistyped (absent) state directory deletes nothing and creates nothing" \
	bash -c "'$VMTAP' --state-dir /run/st-typo gc >/dev/null; ip -n nsA link show ve1 >/dev/null && [ ! -e /run/st-typo ]"
check "gc --dry-run creates no state directory" bash -c "'$VMTAP' --state-dir /run/st-dry gc --dry-run >/dev/null && [ ! -e /run/st-dry ]"
check "unplug of an unknown endpoint creates no state directory" \
	bash -c "'$VMTAP' --state-dir /run/st-unplug unplug --qmp /run/none.qmp nope 2>/dev/null; [ \$? = 4 ] && [ ! -e /run/st-unplug ]"
for e in e1 e2; do "$VMTAP" --state-dir $S endpoint destroy $e || not_ok "destroy $e"; done
ip netns exec nsA "$VMTAP" --state-dir $S endpoint destroy e3 || not_ok "destroy e3 inside A"

# ---- 3. only the kinds vmtap makes; tags cannot be forged through vmtap ----
"$VMTAP" --state-dir $S endpoint create e4 --ifname ve4 >/dev/null
sid=$(state_id $S)
ip link add tbr type bridge && ip link set tbr alias "vmtap:gone@$sid"
ip link add tve0 type veth peer name tve1 && ip link set tve0 alias "vmtap:gone@$sid"
check "a bridge and a veth with this directory's tag and no record are left alone" \
	bash -c "'$VMTAP' --state-dir $S gc -j | jq -e 'length == 2 and all(.action == \"left_alone\") and all(.detail | test(\"vmtap never makes\"))' >/dev/null && ip link show tbr >/dev/null && ip link show tve1 >/dev/null"
ip link del tbr; ip link del tve0
ip tuntap add dev vorph mode tap && ip link set vorph alias "vmtap:orph@$sid"
check "gc --dry-run makes no lock file, not even for the orphan it would delete" \
	bash -c "before=\$(ls -A $S | sort); '$VMTAP' --state-dir $S gc --dry-run | grep -q 'would delete orphan orph device vorph' && [ \"\$(ls -A $S | sort)\" = \"\$before\" ] && ip link show vorph >/dev/null"
ip link del vorph
run_expect 3 "ownership tags" -- set ve4 --alias "vmtap:x@$sid"
check "the refused alias was not written" bash -c "[ \"\$(ip -j link show ve4 | jq -r '.[0].ifalias')\" = \"vmtap:e4@$sid\" ]"

# ---- 4. an endpoint never opens a device that took its name ----
ip link del ve4
ip tuntap add dev ve4 mode tap multi_queue vnet_hdr
ip link set ve4 alias someone-elses
run_expect 4 "ve4 is not endpoint e4's device any more" -- --state-dir $S exec --nic endpoint=e4 -- true
check "the foreign TAP was not opened nor changed" \
	bash -c "ip -d -j link show ve4 | jq -e '.[0].linkinfo.info_data.numqueues == 0 and .[0].ifalias == \"someone-elses\"' >/dev/null"
check "gc --dry-run: the record's device is gone, another has its name" \
	bash -c "'$VMTAP' --state-dir $S gc --dry-run | grep -q \"would remove record e4 device ve4: its device is gone: ve4 exists but does not carry the endpoint's tag\""
run_expect 0 "ve4 does not carry the endpoint's tag: left alone" -- --state-dir $S endpoint destroy e4
check "destroy removed the record and left the foreign TAP alone" \
	bash -c "ip link show ve4 >/dev/null && ! '$VMTAP' --state-dir $S endpoint show e4 2>/dev/null"
ip link del ve4

# ---- 5. unplug only talks to the QEMU that has the device; a dead QEMU frees the endpoint ----
fake qa; pa=$FAKE_PID
fake qb --device-not-found; pb=$FAKE_PID
check "hotplug into QEMU A" bash -c "'$VMTAP' --state-dir $S hotplug --qmp /run/qa.qmp e5 --queues 2 --ifname ve5 >/dev/null"
check "the record names A's pid" bash -c "[ \$('$VMTAP' --state-dir $S -j endpoint show e5 | jq '.[0].hypervisor.pid') = $pa ]"
run_expect 3 "is plugged into QEMU pid $pa: refusing" -- --state-dir $S unplug --qmp /run/qb.qmp e5
check "the wrong QEMU's 'not found' removed nothing: TAP with A's queues, record" \
	bash -c "ip -d -j link show ve5 | jq -e '.[0].linkinfo.info_data.numqueues == 2' >/dev/null && '$VMTAP' --state-dir $S endpoint show e5 >/dev/null"
stop_fake $pa
check "once A exited, unplug clears the record without asking any QEMU, and destroys the endpoint" \
	bash -c "'$VMTAP' --state-dir $S unplug --qmp /run/qb.qmp e5 && ! ip link show ve5 2>/dev/null && ! '$VMTAP' --state-dir $S endpoint show e5 2>/dev/null"
"$VMTAP" --state-dir $S endpoint create e6 --ifname ve6 >/dev/null
check "exec records itself (QEMU's pid and start time) and then exits" \
	bash -c "'$VMTAP' --state-dir $S exec --nic endpoint=e6 -- sh -c 'exit 0'"
check "the record still names the exited QEMU" bash -c "'$VMTAP' --state-dir $S -j endpoint show e6 | jq -e '.[0].hypervisor.device == \"net0\"' >/dev/null"
fake qc; pc=$FAKE_PID
check "hotplug of that endpoint is no longer refused: the dead QEMU's record is cleared" \
	bash -c "'$VMTAP' --state-dir $S hotplug --qmp /run/qc.qmp e6 >/dev/null && [ \$('$VMTAP' --state-dir $S -j endpoint show e6 | jq '.[0].hypervisor.pid') = $pc ]"
check "and the right QEMU unplugs it" "$VMTAP" --state-dir $S unplug --qmp /run/qc.qmp e6 --timeout 5
run_expect 4 "no endpoint e7-none" -- --state-dir $S unplug --qmp /run/qc.qmp e7-none
"$VMTAP" --state-dir $S endpoint create e7 >/dev/null
run_expect 4 "is not plugged into a QEMU" -- --state-dir $S unplug --qmp /run/qc.qmp e7
"$VMTAP" --state-dir $S endpoint destroy e7
stop_fake $pb
stop_fake $pc

# ---- 6. the state directory and its files are trusted only when they are ours ----
mkdir -m 0777 /run/st-ww
for args in "endpoint list" "gc --dry-run" "endpoint create x"; do
	# shellcheck disable=SC2086
	run_expect 6 "writable by all users (mode 0777): refusing it" -- --state-dir /run/st-ww $args
done
check "the world-writable directory was not re-moded" bash -c "[ \$(stat -c %a /run/st-ww) = 777 ] && [ -z \"\$(ls -A /run/st-ww)\" ]"
mkdir -m 0770 /run/st-gw
run_expect 6 "writable by its group" -- --state-dir /run/st-gw endpoint list
"$VMTAP" --state-dir $S endpoint create e8 --ifname ve8 >/dev/null
cp $S/e8.json $S/planted.json && sed -i 's/"e8"/"planted"/' $S/planted.json && chown 65534 $S/planted.json
run_expect 6 "belongs to uid 65534, not to us" -- --state-dir $S endpoint show planted
run_expect 6 "belongs to uid 65534" -- --state-dir $S exec --nic endpoint=planted -- true
check "a record owned by another uid is left in place" bash -c "[ \$(stat -c %u $S/planted.json) = 65534 ]"
rm -f $S/planted.json
touch $S/blocked.lock && chown 65534 $S/blocked.lock
run_expect 6 "belongs to uid 65534" -- --state-dir $S endpoint create blocked
rm -f $S/blocked.lock
mkdir -p /run/real && ln -s /run/real /run/link-nobody && chown -h 65534 /run/link-nobody
run_expect 6 "the symbolic link link-nobody belongs to uid 65534" -- --state-dir /run/link-nobody/st endpoint list
ln -s /run/real /run/link-root
check "a symbolic link root owns on the way is followed (as /var/run -> /run)" \
	bash -c "'$VMTAP' --state-dir /run/link-root/st endpoint create e9 >/dev/null && [ -e /run/real/st/e9.json ] && '$VMTAP' --state-dir /run/link-root/st endpoint destroy e9"
ln -s /run/real/st /run/st-is-link
run_expect 6 "is a symbolic link" -- --state-dir /run/st-is-link endpoint list
mkdir -m 0777 /run/open && mkdir -m 0700 /run/open/st
run_expect 6 "only root or we may be able to change it" -- --state-dir /run/open/st endpoint list
check "VMTAP_STATE_DIR relative: an error, not the default" \
	bash -c "out=\$(VMTAP_STATE_DIR=relative/dir '$VMTAP' endpoint list 2>&1); [ \$? = 3 ] && [[ \$out == *'VMTAP_STATE_DIR'*'not an absolute path'* ]]"
check "VMTAP_STATE_DIR too long: an error" \
	bash -c "out=\$(VMTAP_STATE_DIR=/\$(printf 'x%.0s' \$(seq 300)) '$VMTAP' endpoint list 2>&1); [ \$? = 3 ] && [[ \$out == *'longer than 200'* ]]"
"$VMTAP" --state-dir $S endpoint destroy e8

# ---- 7. namespace paths: never cut short, never blocking, only namespaces ----
long=/run/ns-long/$(printf 'd%.0s' $(seq 200))
mkdir -p "$long"
short="$long/$(printf 'n%.0s' $(seq $((319 - ${#long} - 1))))"
touch "$short" "${short}zzzzzzzzzzzzzzzzzzzz"
mount --bind /run/netns/nsA "$short"
mount --bind /run/netns/nsB "${short}zzzzzzzzzzzzzzzzzzzz"
check "a path longer than 320 bytes names its own namespace, not its prefix's" \
	bash -c "'$VMTAP' create vlong --netns '${short}zzzzzzzzzzzzzzzzzzzz' >/dev/null && ip -n nsB link show vlong >/dev/null && ! ip -n nsA link show vlong 2>/dev/null"
ip -n nsB link del vlong
run_expect 3 "longer than 255 bytes" -- --state-dir $S endpoint create elong --netns "${short}zzzzzzzzzzzzzzzzzzzz"
umount "$short" "${short}zzzzzzzzzzzzzzzzzzzz"
mkfifo /run/fifo
run_expect 3 "not a namespace file" -- create vfifo --netns /run/fifo
run_expect 3 "not a namespace file" -- --state-dir $S endpoint create efifo --netns /run/fifo
touch /run/notns
run_expect 3 "not a namespace file" -- create vfile --netns /run/notns
# a record naming a FIFO (by hand): gc and destroy must not hang on it
cat > $S/efifo.json <<'JSON'
{"version":1,"id":"efifo","state":"ready","pid":1,"spec":{"queues":1,"vnet_hdr":true,"vhost":false,"guest_mac":"52:54:00:00:00:01","host_mac":"fe:54:00:00:00:01","netns":"/run/fifo","connection":{"type":"none"}},"device":{"ifname":"vfifo","ifindex":7}}
JSON
check "gc does not block on a FIFO as a record's namespace" bash -c "timeout 10 '$VMTAP' --state-dir $S gc --dry-run | grep -q 'efifo.*namespace /run/fifo is gone'"
check "destroy does not block on it either" bash -c "timeout 10 '$VMTAP' --state-dir $S endpoint destroy efifo"

# ---- 8. text from outside is escaped on output and checked on load ----
"$VMTAP" create vesc >/dev/null
ip link set vesc alias "$(printf 'x\n99: forged: tap <UP>\e[31m')"
check "an alias cannot forge lines of 'vmtap list'" \
	bash -c "[ \$('$VMTAP' list | wc -l) = 1 ] && '$VMTAP' list | grep -q 'alias x\\\\n99: forged: tap <UP>\\\\x1b\\[31m'"
check "JSON keeps the alias exactly" bash -c "'$VMTAP' -j list | jq -e '.[0].alias == \"x\\n99: forged: tap <UP>\\u001b[31m\"' >/dev/null"
"$VMTAP" delete vesc
fake qe --evil-desc
check "QEMU's description is escaped and labelled as QEMU's, not the kernel's" \
	bash -c "out=\$('$VMTAP' --state-dir $S hotplug --qmp /run/qe.qmp e10 2>&1 >/dev/null); rc=\$?; [ \$rc = 9 ] && [ \$(printf '%s\n' \"\$out\" | grep -c .) = 1 ] && [[ \$out == *'(QEMU: Bus '\\''nope'\\'' not found\\n\\x1b[31mvmtap: fake line\\x1b[0m\\r)'* ]] && [[ \$out != *kernel* ]]"
stop_fake $FAKE_PID
"$VMTAP" --state-dir $S endpoint create e11 >/dev/null
jq '.hypervisor = {"pid": 1, "device": "net0\nforged"}' $S/e11.json > $S/e11.new && mv $S/e11.new $S/e11.json
run_expect 1 "hypervisor: bad \"device\"" -- --state-dir $S endpoint show e11
rm -f $S/e11.json $S/e11.lock
"$VMTAP" --state-dir $S gc >/dev/null
fake qu --bad-utf8
check "vmtap qmp never prints invalid UTF-8: the message is refused as QEMU's fault" \
	bash -c "out=\$('$VMTAP' qmp --qmp /run/qu.qmp query-status 2>/dev/null); [ \$? = 9 ] && [ -z \"\$out\" ]"
stop_fake $FAKE_PID

# ---- 9-13. a hostile QMP server cannot hang vmtap nor exhaust its memory ----
fake qbl --backlog
check "connect to a QMP socket whose backlog is full ends at the timeout: exit 8, nothing created" \
	bash -c "out=\$(timeout 20 '$VMTAP' --state-dir $S hotplug --qmp /run/qbl.qmp e12 --timeout 1 2>&1); [ \$? = 8 ] && [[ \$out == *'backlog is full'* ]] && ! '$VMTAP' --state-dir $S endpoint show e12 2>/dev/null"
check "and the plug lock was released" bash -c "[ ! -e $S/e12.plug ]"
stop_fake $FAKE_PID
fake qs --silent-on=device_del; ps_=$FAKE_PID
"$VMTAP" --state-dir $S hotplug --qmp /run/qs.qmp e13 >/dev/null || not_ok "hotplug e13"
check "unplug --timeout bounds its QMP exchanges too (QEMU never answers device_del): exit 8" \
	bash -c "start=\$(date +%s%N); timeout 20 '$VMTAP' --state-dir $S unplug --qmp /run/qs.qmp e13 --timeout 1 >/dev/null 2>&1; rc=\$?; ms=\$(( (\$(date +%s%N) - start) / 1000000 )); echo \"# unplug took \$ms ms\"; [ \$rc = 8 ] && [ \$ms -lt 5000 ]"
stop_fake $ps_
"$VMTAP" --state-dir $S unplug --qmp /run/qs.qmp e13 >/dev/null 2>&1 # QEMU gone: the record goes
fake qsa --silent-after=6
check "a QEMU that stops answering mid-plug: one deadline for the undo, no QMP to a dead peer, leftovers named" \
	bash -c "start=\$(date +%s%N); out=\$(timeout 30 '$VMTAP' --state-dir $S hotplug --qmp /run/qsa.qmp e14 --queues 16 --timeout 1 2>&1); rc=\$?; ms=\$(( (\$(date +%s%N) - start) / 1000000 )); echo \"# failed plug with its undo took \$ms ms\"; [ \$rc = 8 ] && [ \$ms -lt 5000 ] && [[ \$out == *'stopped answering; left in it: fd vmtap-'* ]]"
check "the endpoint QEMU may hold nothing of was destroyed" bash -c "! '$VMTAP' --state-dir $S endpoint show e14 2>/dev/null"
stop_fake $FAKE_PID
fake qf --flood-newlines=1048576
check "a megabyte of empty lines before every reply is read in linear time, within --timeout 2" \
	bash -c "'$VMTAP' --state-dir $S hotplug --qmp /run/qf.qmp e15 --queues 2 --timeout 2 >/dev/null && '$VMTAP' --state-dir $S unplug --qmp /run/qf.qmp e15 --timeout 5"
stop_fake $FAKE_PID
fake qbig --big-events=12
check "1 MiB events of {},{},...: refused as too many values, not parsed into gigabytes" \
	bash -c "out=\$('$VMTAP' --state-dir $S hotplug --qmp /run/qbig.qmp e16 --timeout 5 2>&1); [ \$? = 9 ] && [[ \$out == *'over 65536 JSON objects and arrays'* ]]"
stop_fake $FAKE_PID
fake qmany --many-events=2000
if asan; then
	check "thousands of unrelated events are dropped, not kept (plug works)" \
		bash -c "'$VMTAP' --state-dir $S hotplug --qmp /run/qmany.qmp e17 --timeout 10 >/dev/null"
else
	# under an address-space limit that the old keep-everything reader exceeded by far
	check "thousands of unrelated events are dropped, not kept: the plug works in 64 MiB of address space" \
		bash -c "prlimit --as=$((64 * 1024 * 1024)) '$VMTAP' --state-dir $S hotplug --qmp /run/qmany.qmp e17 --timeout 10 >/dev/null"
fi
"$VMTAP" --state-dir $S unplug --qmp /run/qmany.qmp e17 --timeout 10 >/dev/null || not_ok "unplug e17"
stop_fake $FAKE_PID

# ---- smaller ----
check "exec prints its error once" bash -c "[ \$('$VMTAP' --state-dir $S exec --nic endpoint=nope -- true 2>&1 | wc -l) = 1 ]"
check "exec with 8 queues under 'ulimit -n 20': the fds stay where they are, one spare fd is enough" \
	bash -c "ulimit -n 20; '$VMTAP' exec --nic queues=8 -- sh -c 'ls /proc/\$\$/fd | wc -l' >/dev/null"
check "out of fds says so, with its own exit code" \
	bash -c "out=\$(ulimit -n 12; '$VMTAP' exec --nic queues=16 -- true 2>&1); [ \$? = 10 ] && [[ \$out == *'Too many open files'* ]]"
"$VMTAP" --state-dir $S endpoint create e18 --ifname ve18 >/dev/null
ip link set ve18 alias not-a-tag
check "gc --dry-run says what is true of an untagged device: it exists" \
	bash -c "'$VMTAP' --state-dir $S gc --dry-run | grep -q \"would remove record e18 device ve18: its device is gone: ve18 exists but does not carry the endpoint's tag\""
ip link del ve18
"$VMTAP" --state-dir $S gc >/dev/null

check "nothing left: no TAP, no tagged device, no record, no fake server" \
	bash -c "[ \$(ip -o link show type tun | wc -l) = 0 ] && [ \$(ip -n nsA -o link show type tun | wc -l) = 0 ] && [ \$(ip -n nsB -o link show type tun | wc -l) = 0 ] && [ -z \"\$(ls -A $S | grep -vx .state-id)\" ]"
ip netns del nsA
ip netns del nsB
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
