#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vmtap exec run by an unprivileged uid gets its bridge NICs from vmtap-bridge-helper (a shell stands in for QEMU); vmtap gc and the helper's TAPs.
#
# Usage: exec.sh VMTAP HELPER BH-CLIENT FAKE-HELPER   (root)
# Re-executes itself in new network, mount and PID namespaces: the bridge, /run,
# the /etc overlay (for /etc/qemu and /etc/vmtap) and an overlay of the
# directory above the helper's installed path (the one built into vmtap, which
# then holds a set-uid copy) exist only there; every copy lives in the test's
# own directory, removed at the end.  The unprivileged user is a bare uid
# (4242), never added to /etc/passwd.  The test's shell is the PID namespace's
# init: the "daemonized QEMU" below is orphaned on purpose, and must be reaped
# by the test, not left a zombie for whatever init the machine has (CI's does
# not reap promptly); anything still running dies with the namespace.
set -uo pipefail

if [[ -z "${VMTAP_BHX_IN_NS:-}" ]]; then
	VMTAP_BHX_IN_NS=1 exec unshare --net --mount --propagation private --pid --fork --kill-child --mount-proc \
		"$BASH" "$0" "$@"
fi
VMTAP=$(realpath "$1")
HELPER=$(realpath "$2")
CLIENT=$(realpath "$3")
FAKE=$(realpath "$4")
USR=4242
AS_USER=(setpriv --reuid=$USR --regid=$USR --clear-groups)

T=$(mktemp -d /tmp/vmtap-bhx-test.XXXXXX)
holders=()
overlaid=()
cleanup() {
	local p m
	for p in "${holders[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	for m in "${overlaid[@]}"; do umount "$m" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
chmod 755 "$T"

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
# wait_for SECONDS COMMAND...: poll until COMMAND succeeds
wait_for() {
	local i
	for ((i = 0; i < $1 * 20; i++)); do "${@:2}" && return 0; sleep 0.05; done
	return 1
}

mount -t tmpfs tmpfs /run
mkdir -p "$T/etc-upper/qemu" "$T/etc-upper/vmtap" "$T/etc-work" "$T/bin"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$T/etc-upper,workdir=$T/etc-work" /etc || exit 1
overlaid+=(/etc)
chmod 755 "$T/bin"
install -m 4755 "$HELPER" "$T/bin/named-helper"
install -m 0755 "$FAKE" "$T/bin/fake-helper"
acl() { printf '%b' "$1" >/etc/qemu/bridge.conf; chmod 644 /etc/qemu/bridge.conf; }
limits() { printf '%b' "$1" >/etc/vmtap/bridge-helper.conf; chmod 644 /etc/vmtap/bridge-helper.conf; }
no_limits() { rm -f /etc/vmtap/bridge-helper.conf; }

# the helper's installed path is built into vmtap (exec --help names it); a set-uid copy goes there, in this
# namespace only: the nearest existing directory above it is overlaid, the rest made in the overlay
DEFAULT=$("$VMTAP" exec --help | grep -o '/[^ ]*/vmtap-bridge-helper$')
[[ $DEFAULT == /?*/vmtap-bridge-helper ]] || { echo "no helper path in 'vmtap exec --help'"; exit 1; }
base=$(dirname "$DEFAULT")
while [[ ! -d $base ]]; do base=$(dirname "$base"); done
[[ $base != / ]] || { echo "SKIP: will not overlay / for $DEFAULT"; exit 77; }
mkdir -p "$T/lx-upper" "$T/lx-work"
mount -t overlay overlay -o "lowerdir=$base,upperdir=$T/lx-upper,workdir=$T/lx-work" "$base" || exit 1
overlaid=("$base" "${overlaid[@]}")
mkdir -p "$(dirname "$DEFAULT")"
install -m 4755 "$HELPER" "$DEFAULT"

ip link set lo up
ip link add br0 type bridge
ip link set br0 up
acl 'allow br0\n'

# The stand-in for QEMU: every fd above 2 it holds must be a TAP queue its arguments name (nothing of vmtap's
# or the helper's), and it reports what it got: "tun=N pid=P", the -netdev and -device values, then one line
# per TAP as ip sees it: name, alias, master, owner, queues
cat >"$T/qemu.sh" <<'SH'
named=" $(printf '%s\n' "$@" | sed -n 's/^tap,id=[^,]*,fds\{0,1\}=\([0-9:]*\),.*/\1/p' | tr ':\n' '  ') "
tun=0
# no command substitution or redirection in here: either would give this shell an fd of its own
for p in /proc/$$/fd/*; do
	n=${p##*/}
	[ "$n" -gt 2 ] && [ -e "$p" ] || continue # the glob's directory fd is closed by now
	[ "$p" -ef "$0" ] && continue             # the shell reading this script
	if [ "$p" -ef /dev/net/tun ]; then
		case "$named" in *" $n "*) tun=$((tun + 1)); continue;; esac
	fi
	echo "unexpected fd $n: $(ls -l "$p")"
	exit 1
done
echo "tun=$tun pid=$$"
printf '%s\n' "$@" | grep -E '^(tap|virtio-net-pci),'
ip -d -j link show type tun | jq -r '.[] | "\(.ifname) \(.ifalias // "-") \(.master // "-") \(.linkinfo.info_data.user // "-") \(.linkinfo.info_data.numqueues // 1)"'
SH
chmod 644 "$T/qemu.sh"

# as_user ARGS...: vmtap run as the user with no fd above 2, so the stand-in's audit sees only what vmtap gave;
# sets out, err, rc
as_user() {
	out=$(
		for f in /proc/$BASHPID/fd/*; do f=${f##*/}; [[ $f -gt 2 ]] && eval "exec $f>&-"; done
		exec "${AS_USER[@]}" "$VMTAP" "$@" 2>"$T/err"
	)
	rc=$?
	err=$(<"$T/err")
}
# as_root ARGS...: the same for root
as_root() {
	out=$(
		for f in /proc/$BASHPID/fd/*; do f=${f##*/}; [[ $f -gt 2 ]] && eval "exec $f>&-"; done
		exec "$VMTAP" "$@" 2>"$T/err"
	)
	rc=$?
	err=$(<"$T/err")
}
# refused CODE NEEDLE ARGS...: vmtap exec as the user fails with CODE saying NEEDLE; no QEMU ran, no TAP remains
refused() {
	local code=$1 needle=$2
	shift 2
	as_user exec "$@" -- sh -c 'echo QEMU-STARTED'
	if [[ $rc -eq $code && "$err" == *"$needle"* && "$out" != *QEMU-STARTED* ]] && no_taps; then
		ok "refused ($code, '$needle'): exec $*"
	else
		not_ok "exec $*: exit $rc (want $code), stdout: $out, stderr: $err, TAPs: $(taps)"
	fi
}
# line N: line N of $out
line() { sed -n "${1}p" <<<"$out"; }
has() { [[ "$1" == *"$2"* ]]; }       # has TEXT NEEDLE
matches() { [[ "$1" =~ $2 ]]; }       # matches TEXT REGEX

# ---- the installed helper, chosen for want of CAP_NET_ADMIN ----
check "/dev/net/tun is 0600 here: uid $USR cannot make a TAP itself" bash -c "[ \"\$(stat -c %a /dev/net/tun)\" = 600 ]"
no_limits
as_user exec --nic bridge=br0,queues=4,mac=52:54:00:00:42:04 -- sh "$T/qemu.sh"
pid=$(line 1 | sed -n 's/^tun=4 pid=\([0-9]*\)$/\1/p')
if [[ $rc -eq 0 && -n $pid ]]; then
	ok "unprivileged exec, 4 queues through $DEFAULT: the command holds exactly its 4 named queue fds ($(line 1))"
else
	not_ok "unprivileged exec, 4 queues: exit $rc, stdout: $out, stderr: $err"
fi
check "-netdev tap,fds=a:b:c:d as for vmtap's own TAPs ($(line 2))" \
	matches "$(line 2)" '^tap,id=hostnet0,fds=[0-9]+:[0-9]+:[0-9]+:[0-9]+,vhost=off$'
check "-device with mq=on and the MAC asked for ($(line 3))" \
	matches "$(line 3)" '^virtio-net-pci,id=net0,netdev=hostnet0,mac=52:54:00:00:42:04,mq=on,vectors=10$'
check "the TAP: on br0, owned by uid $USR, 4 queues, tagged with the command's pid ($(line 4))" \
	matches "$(line 4)" "^tap[0-9]+ vmtap-helper:uid=$USR,pid=$pid br0 $USR 4\$"
check "nothing on stderr ($err)" test -z "$err"
check "the TAP went with the command (not persistent)" no_taps

# ---- a named helper: used whoever runs vmtap ----
chmod 0 "$DEFAULT"
as_user exec --nic "bridge=br0,queues=2,helper=$T/bin/named-helper" -- sh "$T/qemu.sh"
check "helper=PATH: the named helper is used (the installed one cannot run now): $(line 4)" \
	matches "$rc $(line 1) $(line 4)" "^0 tun=2 .* vmtap-helper:uid=$USR,pid=[0-9]+ br0 $USR 2\$"
as_root exec --nic "bridge=br0,queues=2,helper=$T/bin/named-helper" -- sh "$T/qemu.sh"
check "helper=PATH with CAP_NET_ADMIN: still the helper's TAP, as QEMU does ($(line 4))" \
	matches "$rc $(line 4)" "^0 tap[0-9]+ vmtap-helper:uid=0,pid=[0-9]+ br0 (0|root) 2\$"
refused 6 "run $DEFAULT: Permission denied" --nic bridge=br0
check "...saying why a helper is involved" has "$err" "without CAP_NET_ADMIN its TAP comes from the bridge helper $DEFAULT"
chmod 4755 "$DEFAULT"
as_root exec --nic bridge=br0,queues=2 -- sh "$T/qemu.sh"
check "root without helper=: vmtap's own TAP, no helper ($(line 4))" matches "$rc $(line 4)" '^0 [a-z0-9]+ - br0 - 2$'
mv "$DEFAULT" "$T/moved-helper"
refused 4 "run $DEFAULT: No such file or directory" --nic bridge=br0
mv "$T/moved-helper" "$DEFAULT"

# ---- several NICs, vhost, refusals ----
as_user exec --nic bridge=br0,queues=2 --nic bridge=br0,queues=3,id=n1 -- sh "$T/qemu.sh"
check "two bridge NICs: 2 + 3 queues, each NIC's own TAP ($(line 1))" \
	matches "$rc $(line 1) $(grep -c " vmtap-helper:uid=$USR," <<<"$out")" '^0 tun=5 .* 2$'
as_user exec --nic bridge=br0,queues=2,vhost=on -- sh "$T/qemu.sh"
check "vhost=on without /dev/vhost-net: a warning, vhost=off, the queues all the same ($err)" \
	matches "$rc $(line 1) $(line 2) $err" \
	"^0 tun=2 .*,vhost=off vmtap: warning: vhost-net is unavailable \\(the bridge helper $DEFAULT sent no vhost-net fds\\)"
limits 'max-queues 2\n'
refused 11 "4 queues asked for, the limit for uid $USR is 2 (/etc/vmtap/bridge-helper.conf)" --nic bridge=br0,queues=4
limits 'max-taps 0\n'
refused 11 "uid $USR may not create TAP devices" --nic bridge=br0
limits 'max-taps 1\n'
refused 11 "has 1 TAP device from this helper, the limit is 1" --nic bridge=br0 --nic bridge=br0,id=n1
no_limits
acl 'allow br1\n'
refused 6 "no line of /etc/qemu/bridge.conf allows bridge br0" --nic bridge=br0
acl 'allow all\n'
refused 4 "bridge nobr does not exist" --nic bridge=br0,queues=2 --nic bridge=nobr,id=n1
refused 3 "without CAP_NET_ADMIN the TAP comes from the bridge helper $DEFAULT" --nic bridge=br0,mtu=9000
refused 3 "ifname cannot be given with helper" --nic "bridge=br0,helper=$T/bin/named-helper,ifname=x"
refused 3 "helper is for bridge" --nic "helper=$T/bin/named-helper"
# the helper of the second NIC gets stdio, its socket and nothing else: not the first NIC's queues
FAKE_HELPER_MODE=args refused 7 \
	"argv[1]=--use-vnet argv[2]=--fd=3 argv[3]=--br=br0 argv[4]=--queues=2 fds: 0 1 2 3 4" \
	--nic bridge=br0,queues=3 --nic "bridge=br0,queues=2,id=n1,helper=$T/bin/fake-helper"
FAKE_HELPER_MODE=wrong-queues refused 1 "3 queues sent, 2 asked for" \
	--nic "bridge=br0,queues=2,helper=$T/bin/fake-helper"
check "no TAP left by exec" no_taps

# ---- gc and the helper's TAPs (gc as root, here; no state directory, which gc does not need for them) ----
gc_json() { "$VMTAP" -j gc "$@"; }
# a QEMU that runs: its TAP is in use, gc leaves it alone and says nothing
"${AS_USER[@]}" "$VMTAP" exec --nic bridge=br0,queues=2 -- sh -c 'exec sleep 600' </dev/null >/dev/null 2>"$T/live.err" &
live=$!
holders+=("$live")
wait_for 5 bash -c "[ -n \"\$(ip -o link show type tun)\" ]"
tap=$(ip -j link show type tun | jq -r '.[0].ifname')
out="$(gc_json --dry-run) $(gc_json)"
check "gc with a helper's TAP ($tap) whose QEMU runs: nothing to say, nothing done ($out$(<"$T/live.err"))" test "$out" = '[] []'
check "...still there" ip link show "$tap"
kill "$live"
wait "$live" 2>/dev/null
check "the helper's TAP disappears with its QEMU's last fd (not persistent)" wait_for 5 no_taps
check "...so gc finds nothing" test "$(gc_json)" = '[]'

# a QEMU that daemonized: the pid in the tag is gone, its child holds the queues; left alone, and said so
as_user exec --nic bridge=br0,queues=2 -- sh -c 'sleep 600 </dev/null >/dev/null 2>&1 & echo $$ $!'
read -r gone daemon <<<"$out"
holders+=("$daemon")
tap=$(ip -j link show type tun | jq -r '.[0].ifname')
out=$(gc_json)
check "gc: a helper's TAP whose QEMU (pid $gone) exited while its child holds the queues is left alone, said so" \
	jq -e --arg t "$tap" --arg p "$gone" 'length == 1 and .[0].action == "left_alone" and .[0].ifname == $t and
		(.[0].id | not) and (.[0].detail | contains("uid 4242: its QEMU (pid " + $p + ") has exited, but another process still holds 2 of its queues"))' <<<"$out"
check "...and still there" ip link show "$tap"
kill "$daemon"
check "it goes with its holder's last fd" wait_for 5 no_taps

# a TAP its holder made persistent (its owner may) and left: a leftover, deleted
run_persist() { "${AS_USER[@]}" "$CLIENT" --helper "$DEFAULT" --br br0 --queues 2 --persist "$@"; }
run_persist >/dev/null
tap=$(ip -j link show type tun | jq -r '.[0].ifname')
check "a helper's TAP made persistent by its owner outlives its fds ($tap, 0 queues attached)" \
	bash -c "ip -d -j link show $tap | jq -e '.[0].linkinfo.info_data | .persist and .numqueues == 0' >/dev/null"
limits 'max-taps 1\n'
as_user exec --nic bridge=br0 -- sh -c 'echo QEMU-STARTED'
check "the leftover counts against the user's max-taps 1: exec refused (11, $err)" \
	matches "$rc $out $err" "^11  .*uid $USR has 1 TAP device from this helper, the limit is 1"
out=$(gc_json --dry-run)
check "gc --dry-run: would delete the leftover ($out)" jq -e --arg t "$tap" 'length == 1 and .[0].action == "deleted_orphan" and
	.[0].dry_run and .[0].ifname == $t and (.[0].detail | contains("made persistent"))' <<<"$out"
check "...and leaves it" ip link show "$tap"
out=$("$VMTAP" gc)
check "gc deletes it ($out)" matches "$out" \
	"^deleted orphan device $tap: a bridge helper's TAP of uid $USR, made persistent, whose QEMU \\(pid [0-9]+\\) has exited and whose queues nobody holds\$"
check "...gone" bash -c "! ip link show $tap 2>/dev/null"
as_user exec --nic bridge=br0 -- true
check "the user's TAP count is free again: exec works under max-taps 1 ($err)" test "$rc" = 0
no_limits
check "gc then has nothing to do" test -z "$("$VMTAP" gc)"

# ...but not while the process that made it persistent still runs
mkfifo "$T/hold.in"
run_persist --hold <"$T/hold.in" >"$T/hold.out" &
holder=$!
holders+=("$holder")
exec {hold_fd}>"$T/hold.in"
wait_for 5 test -s "$T/hold.out"
tap=$(ip -j link show type tun | jq -r '.[0].ifname')
check "gc: a persistent helper TAP whose owner process runs is left alone, silently" test "$(gc_json)" = '[]'
check "...still there" ip link show "$tap"
exec {hold_fd}>&-
wait "$holder"
check "once it exited, gc deletes the TAP" jq -e --arg t "$tap" 'length == 1 and .[0].action == "deleted_orphan" and
	.[0].ifname == $t' <(gc_json)
check "...gone" bash -c "! ip link show $tap 2>/dev/null"

# a helper's tag on a persistent TAP owned by another uid than the tag's, whose pid is gone: not the helper's
true &
deadpid=$!
wait "$deadpid"
"$VMTAP" create vforged --owner 1000 >/dev/null && ip link set vforged alias "vmtap-helper:uid=$USR,pid=$deadpid"
check "gc: a persistent TAP with a helper's tag but another owner is left alone, said so" jq -e 'length == 1 and
	.[0].action == "left_alone" and .[0].ifname == "vforged" and (.[0].detail | contains("not owned by that uid"))' <(gc_json)
check "...still there" ip link show vforged
"$VMTAP" delete vforged

# a helper's tag on what the helper never makes
ip link add vx0 type veth peer name vx1
ip link set vx0 alias "vmtap-helper:uid=$USR,pid=999999"
check "gc: a veth carrying a helper's tag is left alone, said so" jq -e 'length == 1 and .[0].action == "left_alone" and
	.[0].ifname == "vx0" and (.[0].detail | contains("veth device"))' <(gc_json)
check "...still there" ip link show vx0
ip link del vx0

check "no TAP left" no_taps
check "no process of the test left" bash -c "for p in ${holders[*]}; do kill -0 \$p 2>/dev/null && exit 1; done; exit 0"
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
