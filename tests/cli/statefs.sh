#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A full, an inode-less and a read-only state directory (small tmpfs mounts): vmtap fails cleanly, never leaks a device, never takes a partial record for a record.
#
# Usage: statefs.sh PATH/TO/vmtap
# Runs itself inside fresh network and mount namespaces (tmpfs on /run), like cli.sh.
set -uo pipefail

VMTAP=$(realpath "$1")
if [[ -z "${VMTAP_STATEFS_IN_NS:-}" ]]; then
	VMTAP_STATEFS_IN_NS=1 exec unshare --net --mount --propagation private \
		bash -c 'mount -t tmpfs tmpfs /run && exec "$0" "$@"' "$0" "$@"
fi
ip link set lo up

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok $pass - $*"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $*"; }
check() { # check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}

FS=/run/fs
S=$FS/st
v() { "$VMTAP" --state-dir "$S" "$@"; }
taps() { ip -o link show type tun | wc -l; }
records() { find "$S" -maxdepth 1 -name '*.json' 2>/dev/null | wc -l; }

# The invariant after any operation, failed or not: as many TAPs as records, each record
# readable and "ready", its device tagged; no temporary file; no lock file without its record.
consistent() {
	local what=$1 n_taps n_rec listed
	n_taps=$(taps)
	n_rec=$(records)
	if [[ $n_taps -ne $n_rec ]]; then
		not_ok "$what: $n_taps TAPs, $n_rec records"
		return
	fi
	if ! listed=$(v -j endpoint list 2>/tmp/statefs.err); then
		not_ok "$what: endpoint list failed: $(cat /tmp/statefs.err)"
		return
	fi
	if [[ -s /tmp/statefs.err ]]; then
		not_ok "$what: endpoint list complains: $(cat /tmp/statefs.err)"
		return
	fi
	if ! jq -e --argjson n "$n_rec" 'length == $n and all(.state == "ready")' <<<"$listed" >/dev/null; then
		not_ok "$what: records not all ready: $listed"
		return
	fi
	for ifname in $(jq -r '.[].ifname' <<<"$listed"); do
		if ! ip -o link show dev "$ifname" 2>/dev/null | grep -q "alias vmtap:"; then
			not_ok "$what: $ifname is not there with its tag"
			return
		fi
	done
	if [[ -n "$(find "$S" -maxdepth 1 -name '.*.tmp')" ]]; then
		not_ok "$what: temporary files left: $(ls -A "$S")"
		return
	fi
	for l in "$S"/*.lock; do
		[[ -e $l ]] || continue
		if [[ ! -e ${l%.lock}.json ]]; then
			not_ok "$what: lock file $(basename "$l") without its record"
			return
		fi
	done
	ok "$what: consistent ($n_rec endpoints)"
}

# expect_fail CODE NEEDLE WHAT -- ARGS...: exits CODE, says NEEDLE
expect_fail() {
	local code=$1 needle=$2 what=$3 err rc
	shift 4
	err=$(v "$@" 2>&1 >/dev/null)
	rc=$?
	if [[ $rc -ne $code ]]; then
		not_ok "$what: vmtap $*: exit $rc, wanted $code ($err)"
	elif [[ "$err" != *"$needle"* ]]; then
		not_ok "$what: vmtap $*: message '$err' lacks '$needle'"
	elif [[ $(printf '%s\n' "$err" | grep -c .) -ne 1 ]]; then
		not_ok "$what: vmtap $*: more than one line: $err"
	else
		ok "$what: vmtap $* -> $code, '$needle'"
	fi
}

fresh_fs() { # fresh_fs MOUNT-OPTIONS
	umount "$FS" 2>/dev/null
	mkdir -p "$FS"
	mount -t tmpfs -o "$1,mode=0755" tmpfs "$FS" && mkdir -m 0700 "$S"
}

# ---- 1. disk full: every page count from 0 to 4 left free, each create and destroy ----
# A record is one page of tmpfs, and rewriting it takes a second page for the
# new copy: so with 0, 1, 2 ... pages free a create fails at the lock, the
# "creating" record or the "ready" one, and a destroy at its "destroying" record.
fresh_fs size=64k
v endpoint create seed >/dev/null || not_ok "first endpoint"
for free in 0 1 2 3 4; do
	rm -f "$FS/filler"
	avail=$(df -B4096 --output=avail "$FS" | tail -1)
	if ((avail > free)); then
		head -c $(((avail - free) * 4096)) /dev/zero >"$FS/filler" 2>/dev/null
	fi
	left=$(df -B4096 --output=avail "$FS" | tail -1)
	err=$(v endpoint create "full$free" --queues 2 2>&1 >/dev/null)
	rc=$?
	if [[ $rc -eq 0 ]]; then
		ok "$left pages free: create succeeded"
	elif [[ $rc -eq 10 && $err == *"No space left on device"* && $(grep -c . <<<"$err") -eq 1 ]]; then
		ok "$left pages free: create refused cleanly: $err"
	else
		not_ok "$left pages free: create: exit $rc: $err"
	fi
	consistent "$left pages free, after create"
	err=$(v endpoint destroy seed 2>&1 >/dev/null)
	rc=$?
	if [[ $rc -eq 0 ]]; then
		ok "$left pages free: destroy succeeded"
		v endpoint create seed >/dev/null 2>&1 # for the next round, if there is room
	elif [[ $rc -eq 10 && $err == *"No space left on device"* ]]; then
		ok "$left pages free: destroy refused cleanly, the endpoint stays whole: $err"
	else
		not_ok "$left pages free: destroy: exit $rc: $err"
	fi
	consistent "$left pages free, after destroy"
	out=$(v gc 2>&1)
	rc=$?
	[[ $rc -eq 0 && -z $out ]] && ok "$left pages free: gc finds nothing to do" ||
		not_ok "$left pages free: gc: exit $rc: $out"
done
rm -f "$FS/filler"
check "with room again, every endpoint destroys" bash -c "for id in \$('$VMTAP' --state-dir $S -j endpoint list | jq -r '.[].id'); do '$VMTAP' --state-dir $S endpoint destroy \$id || exit 1; done"
consistent "disk full: at the end"
check "disk full: no TAP left" bash -c "[ \$(ip -o link show type tun | wc -l) -eq 0 ]"

# ---- 2. no inode left: the lock file, the temporary record ----
for inodes in 4 5 6 7; do
	fresh_fs "size=1m,nr_inodes=$inodes"
	for i in 1 2 3; do
		err=$(v endpoint create "in$inodes-$i" 2>&1 >/dev/null)
		rc=$?
		if [[ $rc -ne 0 && ( $rc -ne 10 || $err != *"No space left on device"* ) ]]; then
			not_ok "$inodes inodes: create $i: exit $rc: $err"
		fi
		consistent "$inodes inodes, after create $i (exit $rc)"
	done
	for id in $(v -j endpoint list | jq -r '.[].id'); do
		v endpoint destroy "$id" 2>/dev/null
	done
	consistent "$inodes inodes, after destroying what could be"
	ip -o link show type tun | awk -F': ' '{print $2}' | while read -r d; do ip link del "$d"; done
done

# ---- 3. a partial record is never read as one ----
fresh_fs size=1m
v endpoint create whole --queues 3 --label "a label" >/dev/null
full=$(cat "$S/whole.json")
bad=0
for ((len = 1; len < ${#full}; len += 7)); do
	printf '%s' "${full:0:len}" >"$S/part.json"
	sed -i 's/"whole"/"part"/' "$S/part.json"
	out=$(v -j endpoint show part 2>&1)
	if [[ $? -ne 1 || $out != *"cannot be parsed"* ]]; then
		bad=$((bad + 1))
		echo "# a record cut to $len bytes: $out"
	fi
done
[[ $bad -eq 0 ]] && ok "a record cut anywhere is refused as unparseable, never read as valid" ||
	not_ok "$bad cut records were not refused"
rm -f "$S/part.json" "$S/part.lock"
printf '%s' "${full:0:40}" >"$S/.whole.json.999999.tmp"
check "a half-written temporary record is not listed, and gc removes it (its writer is gone)" \
	bash -c "[ \$('$VMTAP' --state-dir $S -j endpoint list 2>/dev/null | jq length) = 1 ] && '$VMTAP' --state-dir $S gc >/dev/null 2>&1; [ ! -e $S/.whole.json.999999.tmp ]"
v endpoint destroy whole

# ---- 4. read-only: nothing changes, reading works, gc says what it could not do ----
fresh_fs size=1m
v endpoint create ro1 >/dev/null && v endpoint create ro2 --ifname rotap2 >/dev/null &&
	v endpoint create ro3 --ifname rotap3 >/dev/null || not_ok "read-only: set-up"
ip link del rotap2                 # a record whose device is gone
rm -f "$S/ro3.json"                # a device whose record is gone
before_files=$(ls -A "$S" | sort | tr '\n' ' ')
before_taps=$(ip -o link show type tun | awk -F': ' '{print $2}' | sort | tr '\n' ' ')
mount -o remount,ro "$FS"
expect_fail 7 "Read-only file system" "read-only" -- endpoint create ro4
expect_fail 7 "Read-only file system" "read-only" -- endpoint destroy ro1
check "read-only: endpoint list and show work" bash -c "'$VMTAP' --state-dir $S endpoint list >/dev/null && '$VMTAP' --state-dir $S endpoint show ro1 >/dev/null"
out=$(v gc 2>&1)
rc=$?
if [[ $rc -eq 1 && $out == *"Read-only file system"* && $out == *"problems need attention"* ]]; then
	ok "read-only: gc exits 1 and says why"
else
	not_ok "read-only: gc: exit $rc: $out"
fi
check "read-only: gc --dry-run still says what it would do" bash -c "'$VMTAP' --state-dir $S gc --dry-run 2>&1 | grep -q 'would remove record ro2'"
check "read-only: no file and no device changed" bash -c "[ \"\$(ls -A $S | sort | tr '\n' ' ')\" = '$before_files' ] && [ \"\$(ip -o link show type tun | awk -F': ' '{print \$2}' | sort | tr '\n' ' ')\" = '$before_taps' ]"
mount -o remount,rw "$FS"
check "writable again: gc repairs both" bash -c "'$VMTAP' --state-dir $S gc | grep -c -e 'removed record ro2' -e 'deleted orphan ro3' | grep -qx 2"
consistent "read-only, then writable and gc"
v endpoint destroy ro1

check "nothing left: no TAP, no record" bash -c "[ \$(ip -o link show type tun | wc -l) -eq 0 ] && [ \$(find $S -name '*.json' | wc -l) -eq 0 ]"
umount "$FS"
rm -f /tmp/statefs.err
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
