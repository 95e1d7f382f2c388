#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The systemd units and tmpfiles.d snippet as meson builds them: installed where asked, systemd-analyze verify silent, /run/vmtap made 0700 root.
#
# Usage: units.sh SERVICE TIMER TMPFILES MANPAGE VMTAP INTRO_INSTALLED_JSON UNITDIR TMPFILESDIR SBINDIR
# Writes only in its own temporary directory; exits 77 (skip) without systemd-analyze.
set -uo pipefail
service=$1 timer=$2 tmpfiles=$3 manpage=$4 vmtap=$5 installed=$6 unitdir=$7 tmpfilesdir=$8 sbindir=$9

command -v systemd-analyze >/dev/null && command -v systemd-tmpfiles >/dev/null || {
	echo "SKIP: systemd-analyze or systemd-tmpfiles missing (scripts/deps.sh installs systemd)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok $pass - $*"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $*"; }
check() { # check DESCRIPTION COMMAND...: passes when COMMAND succeeds
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}

# ---- meson installs all three where it was asked to ----
for f in "$unitdir/vmtap-gc.service" "$unitdir/vmtap-gc.timer" "$tmpfilesdir/vmtap.conf"; do
	check "meson installs $f" jq -e --arg f "$f" 'any(.[]; . == $f)' "$installed" >/dev/null
done
check "service runs $sbindir/vmtap gc" grep -qx "ExecStart=$sbindir/vmtap gc" "$service"

# ---- systemd-analyze verify: exit 0 and not a word (unknown keys are only warnings) ----
# The installed binary may not exist yet: a copy of the service runs the one just built.
# systemd-analyze checks Documentation=man:vmtap(8) through man(1): MANPATH holds ours.
mkdir -p "$tmp/units" "$tmp/man/man8"
sed "s|^ExecStart=[^ ]*|ExecStart=$(realpath "$vmtap")|" "$service" >"$tmp/units/vmtap-gc.service"
cp "$timer" "$tmp/units/vmtap-gc.timer"
cp "$manpage" "$tmp/man/man8/vmtap.8"
out=$(cd "$tmp/units" && MANPATH=$tmp/man systemd-analyze verify ./vmtap-gc.service ./vmtap-gc.timer 2>&1)
rc=$?
if [[ $rc -eq 0 && -z $out ]]; then ok "systemd-analyze verify: silent"; else not_ok "systemd-analyze verify: exit $rc: $out"; fi
# the check above is worth something only if verify does speak up about a bad key
sed 's/^Type=oneshot$/&\nNoSuchKey=1/' "$tmp/units/vmtap-gc.service" >"$tmp/bad.service"
check "systemd-analyze verify reports an unknown key" bash -c \
	"cd '$tmp' && MANPATH='$tmp/man' systemd-analyze verify ./bad.service 2>&1 | grep -q NoSuchKey"
rm -f "$tmp/bad.service"

# ---- the sandbox keeps what the unit says it keeps ----
exposure=$(systemd-analyze security --offline=yes "$tmp/units/vmtap-gc.service" 2>/dev/null |
	sed -n 's/.*Overall exposure level for vmtap-gc.service: \([0-9.]*\).*/\1/p')
check "systemd-analyze security: exposure ${exposure:-?} <= 3.0" awk -v e="${exposure:-99}" 'BEGIN { exit !(e <= 3.0) }'

# ---- tmpfiles.d: /run/vmtap 0700 root, and a wrong mode is put right ----
root=$tmp/root
check "systemd-tmpfiles --create" systemd-tmpfiles --create --root="$root" "$tmpfiles"
check "/run/vmtap is a directory 0700 root:root" bash -c "[ \"\$(stat -c '%F %a %U:%G' '$root/run/vmtap')\" = 'directory 700 root:root' ]"
chmod 0755 "$root/run/vmtap"
systemd-tmpfiles --create --root="$root" "$tmpfiles"
check "a /run/vmtap of mode 0755 becomes 0700" bash -c "[ \"\$(stat -c %a '$root/run/vmtap')\" = 700 ]"

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
