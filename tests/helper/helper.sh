#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vmtap-bridge-helper run by an unprivileged uid: set-uid and file-capability installs, /dev/net/tun 0600 and 0666, argv, ACL, limits, N queues, fd audit.
#
# Usage: helper.sh HELPER BH-CLIENT FD-AUDIT FAKE-HELPER   (root)
# Re-executes itself in new network and mount namespaces: links, the /etc
# overlay (for /etc/qemu and /etc/vmtap) and a 0666 /dev/net/tun exist only
# there; the set-uid and file-capability copies of the helper live in the
# test's own directory, which is removed at the end.  The unprivileged user is
# a bare uid (4242), never added to /etc/passwd.
set -uo pipefail

if [[ -z "${VMTAP_BH_IN_NS:-}" ]]; then
	VMTAP_BH_IN_NS=1 exec unshare --net --mount --propagation private "$BASH" "$0" "$@"
fi
HELPER=$(realpath "$1")
CLIENT=$(realpath "$2")
AUDIT=$(realpath "$3")
FAKE=$(realpath "$4")
USR=4242
AS_USER=(setpriv --reuid=$USR --regid=$USR --clear-groups)

T=$(mktemp -d /tmp/vmtap-bh-test.XXXXXX)
holders=()
cleanup() {
	local p
	for p in "${holders[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	umount /dev/net/tun 2>/dev/null
	umount /etc 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
chmod 755 "$T"

mount -t tmpfs tmpfs /run
mkdir -p "$T/etc-upper/qemu" "$T/etc-upper/vmtap" "$T/etc-work" "$T/bin"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$T/etc-upper,workdir=$T/etc-work" /etc || exit 1
chmod 755 "$T/bin"
install -m 4755 "$HELPER" "$T/bin/setuid-helper"
install -m 0755 "$HELPER" "$T/bin/plain-helper"
install -m 0755 "$HELPER" "$T/bin/caps-helper"
install -m 0755 "$HELPER" "$T/bin/caps-dac-helper"
install -m 0755 "$HELPER" "$T/bin/caps-dac-ep-helper"
# a file has one effective bit for all its capabilities: +p leaves both to the helper, which raises what it uses
setcap cap_net_admin+ep "$T/bin/caps-helper" || exit 1
setcap cap_net_admin,cap_dac_override+p "$T/bin/caps-dac-helper" || exit 1
setcap cap_net_admin,cap_dac_override+ep "$T/bin/caps-dac-ep-helper" || exit 1
SUID="$T/bin/setuid-helper"

ip link set lo up
ip link add br0 type bridge
ip link set br0 mtu 1400 up
ip link add br1 type bridge
ip link add vx0 type veth peer name vx1

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok $pass - $*"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $*"; }
check() { # check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}
taps() { ip -o link show type tun | awk -F': ' '{print $2}' | tr '\n' ' '; }
no_taps() { [[ -z "$(taps)" ]]; }

acl() { printf '%b' "$1" >/etc/qemu/bridge.conf; chmod 644 /etc/qemu/bridge.conf; }
limits() { printf '%b' "$1" >/etc/vmtap/bridge-helper.conf; chmod 644 /etc/vmtap/bridge-helper.conf; }
no_limits() { rm -f /etc/vmtap/bridge-helper.conf; }

# run HELPER ARGS...: the client as the user; sets out, err, rc
run() {
	local helper=$1
	shift
	out=$("${AS_USER[@]}" "$CLIENT" --helper "$helper" "$@" 2>"$T/err")
	rc=$?
	err=$(<"$T/err")
}

# refused CODE NEEDLE HELPER ARGS...: the user's request fails with CODE, the helper says NEEDLE, no TAP remains
refused() {
	local code=$1 needle=$2
	shift 2
	run "$@"
	if [[ $rc -eq $code && "$err" == *"$needle"* ]] && no_taps; then
		ok "refused ($code, '$needle'): ${*:2}"
	else
		not_ok "${*:2}: exit $rc (want $code), stderr: $err, TAPs: $(taps)"
	fi
}

# raw CODE NEEDLE HELPER ARGS...: HELPER run as the user with a socketpair at fd 3, as QEMU runs it, fails
raw() {
	local code=$1 needle=$2
	shift 2
	"${AS_USER[@]}" "$CLIENT" --raw -- "$@" 2>"$T/err"
	rc=$?
	err=$(<"$T/err")
	if [[ $rc -eq $code && "$err" == *"$needle"* ]] && no_taps; then
		ok "refused ($code, '$needle'): ${*:2}"
	else
		not_ok "${*:2}: exit $rc (want $code), stderr: $err, TAPs: $(taps)"
	fi
}

# hold NAME HELPER ARGS...: a client as the user that keeps its TAP until release NAME; its output in $T/NAME.out
declare -A hold_fd=() hold_pid=()
hold() {
	local name=$1 fd
	shift
	mkfifo "$T/$name.in"
	# the other holders' write ends stay out of this one, or closing them would never reach EOF
	(
		for f in "${hold_fd[@]}"; do eval "exec $f>&-"; done
		exec "${AS_USER[@]}" "$CLIENT" --helper "$@" --hold
	) <"$T/$name.in" >"$T/$name.out" 2>"$T/$name.err" &
	hold_pid[$name]=$!
	holders+=($!)
	exec {fd}>"$T/$name.in"
	hold_fd[$name]=$fd
	for _ in $(seq 100); do
		[[ -s "$T/$name.out" ]] && return 0
		kill -0 "${hold_pid[$name]}" 2>/dev/null || break
		sleep 0.05
	done
	[[ -s "$T/$name.out" ]]
}
release() {
	local fd=${hold_fd[$1]} st=0
	exec {fd}>&-
	wait "${hold_pid[$1]}" || st=$?
	return $st
}
held_tap() { sed -n 's/^ifname=\([^ ]*\).*/\1/p' "$T/$1.out"; }
# link NAME JQ: the TAP's `ip -d -j link` record satisfies JQ
link() { ip -d -j link show dev "$1" | jq -e ".[0] | $2" >/dev/null; }

# ---- argv: QEMU's usage behaviour, refusals before anything is read ----
acl 'allow br0\n'
check "--help: usage on stderr, exit 1 (as QEMU's helper)" \
	bash -c "'$SUID' --help 2>&1 >/dev/null | grep -q '^Usage: vmtap-bridge-helper \[--use-vnet\]' && { '$SUID' --help 2>/dev/null; [ \$? = 1 ]; }"
check "no argument: usage, exit 1" bash -c "'$SUID' 2>&1 | grep -q '^Usage:'; '$SUID' 2>/dev/null; [ \$? = 1 ]"
check "unknown option: usage, exit 1" bash -c "'$SUID' --br=br0 --fd=3 --frob 3<&0 2>&1 | grep -q '^Usage:'"
check "--br without --fd: usage" bash -c "'$SUID' --br=br0 2>&1 | grep -q '^Usage:'"
raw 3 "--queues=0 is not a number in 1..256" "$SUID" --use-vnet --fd=3 --br=br0 --queues=0
raw 3 "--queues=257 is not a number in 1..256" "$SUID" --use-vnet --fd=3 --br=br0 --queues=257
raw 3 "name \`0123456789abcdef' too long: 16" "$SUID" --use-vnet --fd=3 --br=0123456789abcdef
raw 3 "empty bridge name" "$SUID" --fd=3 --br=
check "--fd=abc refused" bash -c "'$SUID' --br=br0 --fd=abc 2>&1 | grep -q 'not a file descriptor number'"
check "--fd naming no socket refused (3)" bash -c "'$SUID' --br=br0 --fd=5 5</dev/null 2>&1 | grep -q 'not a unix socket'; '$SUID' --br=br0 --fd=5 5</dev/null 2>/dev/null; [ \$? = 3 ]"
check "--fd=1 (stdout) refused" bash -c "'$SUID' --br=br0 --fd=1 2>&1 | grep -q 'not a unix socket'"
check "no TAP after argv refusals" no_taps

# ---- one queue, QEMU's way, /dev/net/tun 0600 ----
check "/dev/net/tun is 0600 here" bash -c "[ \"\$(stat -c %a /dev/net/tun)\" = 600 ]"
no_limits
if hold one "$SUID" --br br0; then
	t=$(held_tap one)
	ok "set-uid helper, one queue for uid $USR: $t ($(<"$T/one.out"))"
	check "$t: tap%d name, on br0, its MTU 1400, up, noqueue" link "$t" \
		'(.ifname | test("^tap[0-9]+$")) and .master == "br0" and .mtu == 1400 and (.flags | index("UP")) and .qdisc == "noqueue"'
	check "$t: MAC first byte fe" link "$t" '.address | startswith("fe:")'
	check "$t: owned by uid $USR, vnet_hdr, single queue, not persistent" link "$t" \
		".linkinfo.info_data | .user == $USR and .vnet_hdr and (.multi_queue | not) and (.persist | not) and .type == \"tap\""
	check "$t: tagged vmtap-helper:uid=$USR,pid=<client pid ${hold_pid[one]}>" link "$t" \
		".ifalias == \"vmtap-helper:uid=$USR,pid=${hold_pid[one]}\""
	check "client gained exactly 1 fd" grep -q 'newfds=1$' "$T/one.out"
	release one
	check "$t disappears with its holder (not persistent)" no_taps
else
	not_ok "set-uid helper, one queue: $(cat "$T/one.err")"
fi
run "$SUID" --br br0 --no-vnet
check "without --use-vnet: no vnet header" bash -c "[ $rc = 0 ]"
if hold novnet "$SUID" --br br0 --no-vnet; then
	check "--no-vnet TAP has vnet_hdr off" link "$(held_tap novnet)" '.linkinfo.info_data.vnet_hdr | not'
	release novnet
fi

# ---- the install modes ----
refused 6 "no CAP_NET_ADMIN" "$T/bin/plain-helper" --br br0
refused 6 "cap_dac_override" "$T/bin/caps-helper" --br br0
run "$T/bin/caps-dac-helper" --br br0 --queues 2
check "file capabilities cap_net_admin,cap_dac_override+p: works with /dev/net/tun 0600 ($out)" \
	bash -c "[ $rc = 0 ] && [[ '$out' == *queues=2* ]]"
run "$T/bin/caps-dac-ep-helper" --br br0
check "file capabilities cap_net_admin,cap_dac_override+ep: works with /dev/net/tun 0600 ($out)" bash -c "[ $rc = 0 ]"
mknod "$T/tun0666" c 10 200 && chmod 666 "$T/tun0666" && mount --bind "$T/tun0666" /dev/net/tun
check "/dev/net/tun is 0666 now (bind mount, this namespace only)" bash -c "[ \"\$(stat -c %a /dev/net/tun)\" = 666 ]"
run "$T/bin/caps-helper" --br br0
check "file capability cap_net_admin+ep alone: works with /dev/net/tun 0666 ($out)" bash -c "[ $rc = 0 ]"
run "$SUID" --br br0 --queues 3
check "set-uid: works with /dev/net/tun 0666 too ($out)" bash -c "[ $rc = 0 ] && [[ '$out' == *queues=3* ]]"
umount /dev/net/tun
check "no TAP left by the install modes" no_taps

# ---- ACL ----
acl 'allow br1\n'
refused 6 "no line of /etc/qemu/bridge.conf allows bridge br0" "$SUID" --br br0
acl 'allow all\ndeny br0\n'
refused 6 "bridge br0 is denied by /etc/qemu/bridge.conf:2" "$SUID" --br br0
acl 'deny br0\nallow br0\n'
refused 6 "denied by /etc/qemu/bridge.conf:1" "$SUID" --br br0
printf 'allow br0\n' >"$T/etc-upper/qemu/inc.conf"
acl 'include /etc/qemu/inc.conf\n'
run "$SUID" --br br0
check "include allows" bash -c "[ $rc = 0 ]"
chmod 600 /etc/qemu/inc.conf
refused 6 "no line of" "$SUID" --br br0
chmod 644 /etc/qemu/inc.conf
acl 'allow all\n'
chmod 600 /etc/qemu/bridge.conf
refused 6 "failed to parse default acl file \`/etc/qemu/bridge.conf': Permission denied" "$SUID" --br br0
rm /etc/qemu/bridge.conf
refused 6 "No such file or directory" "$SUID" --br br0
acl 'allow all\nfoo bar\n'
refused 6 "/etc/qemu/bridge.conf:2: unknown command" "$SUID" --br br0
acl 'allow 0123456789abcdef\n'
refused 6 "too long" "$SUID" --br br0
acl 'allow all\n'
refused 4 "bridge nobr does not exist" "$SUID" --br nobr
refused 4 "vx0 is not a bridge (kind veth)" "$SUID" --br vx0

# ---- multi-queue ----
limits 'max-queues 256\n'
if hold mq "$SUID" --br br0 --queues 4; then
	t=$(held_tap mq)
	check "4 queues for uid $USR: one multi-queue TAP $t with numqueues 4" link "$t" \
		".linkinfo.info_data | .multi_queue and .numqueues == 4 and .user == $USR"
	check "client gained exactly 4 fds" grep -q 'queues=4 vhosts=0 newfds=4$' "$T/mq.out"
	release mq
fi
if hold mq256 "$SUID" --br br0 --queues 256; then
	t=$(held_tap mq256)
	check "256 queues (two messages of 253 + 3 fds): numqueues 256" link "$t" '.linkinfo.info_data.numqueues == 256'
	check "client gained exactly 256 fds" grep -q 'newfds=256$' "$T/mq256.out"
	release mq256
else
	not_ok "256 queues: $(cat "$T/mq256.err")"
fi
run "$SUID" --br br0 --queues 2 --vhost
check "--vhost without /dev/vhost-net: the queues, no vhost fds ($out)" \
	bash -c "[ $rc = 0 ] && [[ '$out' == *'queues=2 vhosts=0 newfds=2'* ]]"

# vhost-net fds: this machine has no /dev/vhost-net, so a mount namespace of its own gets a /dev where
# the path opens /dev/null's device; the fds are not vhost-net then, but their path through the helper's
# messages (kind 2, after all queues; 253 per message) and the client is the one real ones take
vhost_out=$(unshare --mount --propagation private "$BASH" -c '
	set -e
	mount -t tmpfs -o mode=755 tmpfs /dev
	mkdir /dev/net
	mknod -m 666 /dev/null c 1 3
	mknod -m 600 /dev/net/tun c 10 200
	mknod -m 666 /dev/vhost-net c 1 3
	for q in 4 256; do
		'"$(printf '%q ' "${AS_USER[@]}" "$CLIENT")"' --helper '"$SUID"' --br br0 --queues $q --vhost 2>&1
	done
	chmod 600 /dev/vhost-net
	'"$(printf '%q ' "${AS_USER[@]}" "$CLIENT")"' --helper '"$SUID"' --br br0 --queues 2 --vhost 2>&1
')
check "--vhost, 4 queues: 4 + 4 fds ($(sed -n 1p <<<"$vhost_out"))" grep -q 'queues=4 vhosts=4 newfds=8$' <<<"$vhost_out"
check "--vhost, 256 queues: 256 + 256 fds in four messages ($(sed -n 2p <<<"$vhost_out"))" \
	grep -q 'queues=256 vhosts=256 newfds=512$' <<<"$vhost_out"
check "--vhost where the caller may not open /dev/vhost-net: none lent, the queues still come" \
	grep -q 'queues=2 vhosts=0 newfds=2$' <<<"$vhost_out"
check "no TAP left by the vhost requests" no_taps

# ---- limits ----
limits 'max-queues 2\n'
refused 8 "4 queues asked for, the limit for uid $USR is 2" "$SUID" --br br0 --queues 4
limits 'max-queues 1\nuid 4242 max-queues 4\n'
run "$SUID" --br br0 --queues 4
check "a uid line raises the user's limit" bash -c "[ $rc = 0 ]"
limits 'max-queues 1\nuid 4243 max-queues 4\n'
refused 8 "limit for uid $USR is 1" "$SUID" --br br0 --queues 4
limits 'max-taps 0\n'
refused 8 "may not create TAP devices" "$SUID" --br br0
limits 'max-queues 4 max-cpus 2\n'
refused 8 "invalid limits file /etc/vmtap/bridge-helper.conf: line 1: unknown limit" "$SUID" --br br0
chmod 600 /etc/vmtap/bridge-helper.conf
refused 8 "cannot read the limits file" "$SUID" --br br0
limits 'max-taps 2\n'
hold a "$SUID" --br br0 && hold b "$SUID" --br br0
check "two TAPs held under max-taps 2" bash -c "[ \$(ip -o link show type tun | wc -l) = 2 ]"
run "$SUID" --br br0
check "a third: refused (8), says why, nothing made" \
	bash -c "[ $rc = 8 ] && [[ '$err' == *'has 2 TAP devices from this helper, the limit is 2'* ]] && [ \$(ip -o link show type tun | wc -l) = 2 ]"
check "root's TAPs do not count against uid $USR" bash -c "'$CLIENT' --helper '$SUID' --br br0 >/dev/null"
release a
run "$SUID" --br br0
check "after one went away, another one is allowed" bash -c "[ $rc = 0 ]"
release b
# concurrent requests must not pass the limit together: at most 2 of 6 at once
limits 'max-taps 2\n'
for i in 1 2 3 4 5 6; do
	mkfifo "$T/c$i.in"
	"${AS_USER[@]}" "$CLIENT" --helper "$SUID" --br br0 --hold <"$T/c$i.in" >"$T/c$i.out" 2>"$T/c$i.err" &
	holders+=($!)
	cpid[$i]=$!
done
cfds=()
for i in 1 2 3 4 5 6; do exec {w}>"$T/c$i.in"; cfds+=("$w"); done
for _ in $(seq 100); do
	done_n=0
	for i in 1 2 3 4 5 6; do
		[[ -s "$T/c$i.out" ]] || ! kill -0 "${cpid[$i]}" 2>/dev/null && done_n=$((done_n + 1))
	done
	[[ $done_n -eq 6 ]] && break
	sleep 0.05
done
got=$(cat "$T"/c?.out | grep -c ifname=)
refusedn=$(cat "$T"/c?.err | grep -c 'the limit is 2')
check "6 concurrent requests under max-taps 2: $got got a TAP (at most 2), $refusedn refused, $(ip -o link show type tun | wc -l) TAPs exist" \
	bash -c "[ $got -le 2 ] && [ $got -ge 1 ] && [ $((got + refusedn)) = 6 ] && [ \$(ip -o link show type tun | wc -l) -le 2 ]"
for w in "${cfds[@]}"; do exec {w}>&-; done
wait
check "no TAP left after the limits" no_taps
no_limits

# ---- fd audit: stray inherited fds never survive into the helper ----
acl 'allow br0\n'
check "fd audit: the set-uid helper run as uid $USR with stray fds holds only stdio, its socket and 1 queue" \
	"$AUDIT" "$SUID" br0 1 $USR
limits 'max-queues 4\n'
check "fd audit, 4 queues" "$AUDIT" "$SUID" br0 4 $USR
check "no TAP left after the fd audit (the helper's send failed, its TAP went with it)" no_taps

# ---- the client, libvmtap's vmtap_bridge_helper_run(), against helpers that misbehave ----
install -m 0755 "$FAKE" "$T/bin/fake-helper"
# fake MODE NEEDLE ARGS...: the client refuses what the helper did, says NEEDLE, keeps no fd
fake() {
	local mode=$1 needle=$2
	shift 2
	err=$(FAKE_HELPER_MODE=$mode "$CLIENT" --helper "$T/bin/fake-helper" --br br0 "$@" 2>&1 >/dev/null)
	rc=$?
	if [[ $rc -ne 0 && "$err" == *"$needle"* && "$err" == *"leaked=0"* ]] && no_taps; then
		ok "client: helper that does '$mode' refused ('$needle'), no fd kept"
	else
		not_ok "client vs '$mode': exit $rc, $err"
	fi
}
fake nothing "exited 0 without sending all fds"
fake two-fds "expected one byte 0x00 with one fd, got 1 bytes with 2 fds"
fake bad-count "header announces 2 fds, 1 attached" --queues 2
fake wrong-queues "3 queues sent, 2 asked for" --queues 2
fake not-tap "is not a TAP queue" --queues 2
fake hang "no complete reply in time: killed" --timeout 300
fake chatty-fail "exited with status 6: xxxx" --queues 2
fake args "argv[0]=$T/bin/fake-helper argv[1]=--use-vnet argv[2]=--fd=3 argv[3]=--br=br0 fds: 0 1 2 3 4"
fake args "argv[3]=--br=br0 argv[4]=--queues=4 argv[5]=--vhost fds: 0 1 2 3 4" --queues 4 --vhost
fake args "argv[1]=--fd=3 argv[2]=--br=br0 fds:" --no-vnet
err=$("$CLIENT" --helper "$T/bin/none" --br br0 2>&1)
check "client: a helper that does not exist: says so" bash -c "[[ '$err' == *'run $T/bin/none: No such file or directory'* ]]"
# (ASan builds: LeakSanitizer's tracer of an exiting fake helper may linger a moment, as a zombie or not)
alive_fakes() { ps -C fake-helper -o stat= | grep -vc '^Z'; }
for _ in $(seq 20); do [[ $(alive_fakes) -eq 0 ]] && break; sleep 0.1; done
check "no process of the fake helper left (the hanging one was killed)" bash -c "[ $(alive_fakes) = 0 ]"

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
