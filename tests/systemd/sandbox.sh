#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vmtap gc inside the limits vmtap-gc.service sets: its capabilities suffice and each is needed; its system calls, writes, devices, sockets and namespaces stay inside the unit's filters.
#
# Usage: sandbox.sh PATH/TO/vmtap-gc.service PATH/TO/vmtap
# There is no systemd here to start the unit, so the test applies what it can
# (capability bounding set, no_new_privs) and traces gc with strace for the
# rest. Runs itself in fresh network and mount namespaces with a private /run,
# like tests/cli/cli.sh; the "QEMU" of another user is a sleep as uid 4242.
set -uo pipefail

UNIT=$(realpath "$1")
VMTAP=$(realpath "$2")
for t in strace setpriv systemd-analyze; do
	command -v "$t" >/dev/null || { echo "SKIP: $t missing (scripts/deps.sh installs it)"; exit 77; }
done
if [[ -z "${VMTAP_SANDBOX_IN_NS:-}" ]]; then
	VMTAP_SANDBOX_IN_NS=1 exec unshare --net --mount --propagation private \
		bash -c 'mount -t tmpfs tmpfs /run && exec "$0" "$@"' "$0" "$@"
fi
ip link set lo up
tmp=$(mktemp -d)
qemu_pid=
# the namespaces and devices go with this process's network and mount namespaces; the
# stand-in QEMU and the temporary directory need to be removed even on an early exit
trap '[[ -n $qemu_pid ]] && kill "$qemu_pid" 2>/dev/null; rm -rf "$tmp"' EXIT

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok $pass - $*"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $*"; }
check() { # check DESCRIPTION COMMAND...: passes when COMMAND succeeds
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}

# unit_values KEY: every value of KEY= in the unit, one a line, in order
unit_values() { sed -n "s/^$1=//p" "$UNIT"; }

# ---- what the unit allows ----
caps=$(unit_values CapabilityBoundingSet | tr ' ' '\n' | grep . | sort -u)
bounding=-all
for c in $caps; do bounding+=",+$(tr '[:upper:]' '[:lower:]' <<<"${c#CAP_}")"; done

# expand NAME...: the system calls of systemd's @groups and plain names, one a line
expand() {
	local n
	for n in "$@"; do
		if [[ $n == @* ]]; then
			# shellcheck disable=SC2046 # one word per system call or group
			expand $(systemd-analyze syscall-filter "$n" | awk 'NR > 1 && $1 !~ /^#/ { print $1 }')
		else
			echo "$n"
		fi
	done
}
# SystemCallFilter= lines in order: a list adds, a ~list takes away (as systemd does after the first)
: >"$tmp/allowed"
while read -r line; do
	# shellcheck disable=SC2086 # a line holds several names
	if [[ $line == "~"* ]]; then
		expand ${line#"~"} | sort -u >"$tmp/deny"
		sort -u "$tmp/allowed" | comm -23 - "$tmp/deny" >"$tmp/allowed.new" && mv "$tmp/allowed.new" "$tmp/allowed"
	else
		expand $line >>"$tmp/allowed"
	fi
done < <(unit_values SystemCallFilter)
sort -u -o "$tmp/allowed" "$tmp/allowed"
check "the unit's filter allows setns, ioctl, socket and flock, denies capset" bash -c \
	"grep -qx setns '$tmp/allowed' && grep -qx ioctl '$tmp/allowed' && grep -qx socket '$tmp/allowed' && grep -qx flock '$tmp/allowed' && ! grep -qx capset '$tmp/allowed'"
rw_paths=$(unit_values ReadWritePaths)
check "the unit has a capability set, a filter and ReadWritePaths=/run/vmtap" \
	test -n "$caps" -a -s "$tmp/allowed" -a "$rw_paths" = /run/vmtap

# ---- the scenario: leftovers in this namespace, a named one, and another user's QEMU ----
setup() {
	ip netns add sbx-a
	unshare --net setpriv --reuid=4242 --regid=4242 --clear-groups sleep 600 &
	qemu_pid=$!
	for _ in $(seq 100); do
		[[ "$(readlink /proc/$qemu_pid/ns/net)" != "$(readlink /proc/self/ns/net)" &&
			"$(stat -c %u /proc/$qemu_pid)" = 4242 ]] && break
		read -rt 0.02 <> <(:) || true
	done
	"$VMTAP" endpoint create keep-a --netns sbx-a >/dev/null &&
		"$VMTAP" endpoint create orph-a --netns sbx-a >/dev/null &&
		"$VMTAP" endpoint create keep-q --netns "/proc/$qemu_pid/ns/net" >/dev/null &&
		"$VMTAP" endpoint create orph-q --netns "/proc/$qemu_pid/ns/net" >/dev/null &&
		"$VMTAP" endpoint create orph-h >/dev/null &&
		"$VMTAP" endpoint create gone >/dev/null || echo "setup: endpoint create failed"
	# a crash after the device was made and before its record: tagged devices without records
	rm -f /run/vmtap/orph-*
	# and a record whose device went away behind vmtap's back
	ip link del "$("$VMTAP" -j endpoint show gone | jq -r '.[0].ifname')"
}
teardown() {
	"$VMTAP" gc >/dev/null
	"$VMTAP" endpoint destroy keep-a keep-q >/dev/null 2>&1 ||
		{ "$VMTAP" endpoint destroy keep-a; "$VMTAP" endpoint destroy keep-q; } >/dev/null 2>&1
	kill "$qemu_pid" 2>/dev/null
	wait "$qemu_pid" 2>/dev/null
	ip netns del sbx-a
	rm -f /run/vmtap/*
}
# leftovers: the tagged devices gc should delete that are still there, one a line
leftovers() {
	ip -o link show | grep -o 'alias vmtap:orph-h'
	ip -n sbx-a -o link show | grep -o 'alias vmtap:orph-a'
	nsenter --net=/proc/$qemu_pid/ns/net ip -o link show | grep -o 'alias vmtap:orph-q'
	[[ -e /run/vmtap/gone.json ]] && echo "record gone"
}
# sandboxed [setpriv-bounding-set] -- COMMAND...: as the unit runs it, as far as setpriv can
sandboxed() {
	local b=$1
	shift 2
	setpriv --bounding-set="$b" --inh-caps=-all --no-new-privs -- "$@"
}

# ---- each capability of the set is needed ----
for c in $caps; do
	without=$bounding,-$(tr '[:upper:]' '[:lower:]' <<<"${c#CAP_}")
	setup
	out=$(sandboxed "$without" -- "$VMTAP" gc 2>&1)
	rc=$?
	if [[ $rc -ne 0 && -n "$(leftovers)" ]]; then ok "gc without $c fails: $(grep -m1 "^failed" <<<"$out")"
	else not_ok "gc without $c: exit $rc, leftovers '$(leftovers)': $c may not be needed"; fi
	teardown
done

# ---- gc with the unit's capabilities, traced ----
setup
check "scenario has its leftovers" test "$(leftovers | wc -l)" -eq 4
out=$(sandboxed "$bounding" -- strace -f -qq -yy -s 256 -o "$tmp/trace" "$VMTAP" gc 2>&1)
rc=$?
check "gc with $(tr '\n' ' ' <<<"$caps")succeeds: $(tr '\n' ';' <<<"$out")" test $rc -eq 0
check "gc cleaned every leftover" test -z "$(leftovers)"
check "gc kept the live endpoints" bash -c "'$VMTAP' -j endpoint list | jq -e '[.[].id] | sort == [\"keep-a\", \"keep-q\"]' >/dev/null"
teardown

# calls: "PID name(args) = ret", "PID name(args <unfinished ...>"; "<... name resumed>" repeats one
sed -n 's/^[0-9]\+ \+\([a-z0-9_]\+\)(.*/\1/p' "$tmp/trace" | sort -u >"$tmp/used"
check "strace saw gc's calls ($(wc -l <"$tmp/used") distinct, setns among them)" grep -qx setns "$tmp/used"
denied=$(comm -23 "$tmp/used" "$tmp/allowed" | tr '\n' ' ')
check "every system call gc made is in the unit's SystemCallFilter= ${denied:+(not: $denied)}" test -z "$denied"

# writes: open for writing or creating, unlink, rename, mkdir, link, chmod, chown, truncate;
# the path is the decoded directory fd (-yy) joined with a relative name
writes=$(grep -E -e '^[0-9]+ +(creat|unlink|unlinkat|rename|renameat|renameat2|mkdir|mkdirat|link|linkat|symlink|symlinkat|chmod|fchmodat|chown|fchownat|lchown|truncate|mknod|mknodat)\(' \
	-e '^[0-9]+ +open(at)?\(.*(O_WRONLY|O_RDWR|O_CREAT|O_TRUNC)' "$tmp/trace")
outside=$(sed -E 's/^[0-9]+ +[a-z0-9_]+\((AT_FDCWD|[0-9]+)<([^>]*)>, "([^"]*)".*/\2 \3/; s/^[0-9]+ +[a-z0-9_]+\("([^"]*)".*/\/ \1/' <<<"$writes" |
	awk 'NF { p = ($2 ~ /^\//) ? $2 : $1 "/" $2; if (p != "/run/vmtap" && index(p, "/run/vmtap/") != 1) print p }' | sort -u | tr '\n' ' ')
check "gc wrote only under ReadWritePaths=/run/vmtap ($(grep -c . <<<"$writes") writes) ${outside:+(not: $outside)}" test -z "$outside" -a -n "$writes"
devs=$(grep -oE '^[0-9]+ +open(at)?\([^"]*"/dev/[^"]*"' "$tmp/trace" | sed 's/.*"\(.*\)"/\1/' |
	grep -vxE '/dev/(null|zero|full|random|urandom|tty)' | sort -u | tr '\n' ' ')
check "gc opened no device PrivateDevices= hides ${devs:+(opened: $devs)}" test -z "$devs"
families=$(sed -n 's/^[0-9]\+ \+socket(\(AF_[A-Z0-9]*\),.*/\1/p' "$tmp/trace" | sort -u | tr '\n' ' ')
allowed_families=" $(unit_values RestrictAddressFamilies | tr '\n' ' ') "
stray=
for f in $families; do [[ $allowed_families == *" $f "* ]] || stray+="$f "; done
check "gc's sockets ($families) are in RestrictAddressFamilies=" test -n "$families" -a -z "$stray"
ns_calls=$(grep -E '^[0-9]+ +(setns|unshare|clone|clone3)\(' "$tmp/trace" | grep -oE 'CLONE_NEW[A-Z]+' | sort -u | tr '\n' ' ')
check "gc entered or made only network namespaces (RestrictNamespaces=net): $ns_calls" test "$ns_calls" = "CLONE_NEWNET "

# ---- nothing left ----
check "no endpoint, record, device or namespace left" bash -c \
	"[ -z \"\$(ls -A /run/vmtap | grep -vx .state-id)\" ] && [ \$(ip -o link show type tun | wc -l) -eq 0 ] && [ -z \"\$(ip netns list)\" ]"
check "the QEMU stand-in is gone" bash -c "! kill -0 $qemu_pid 2>/dev/null"
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
