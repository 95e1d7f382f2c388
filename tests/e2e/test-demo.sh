#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# scripts/demo.sh as a newcomer runs it: the guest boots through vmtap exec, doctor finds it healthy, pings pass both ways, nothing is left; and the README's commands work as root, with sudo, or say how.
#
# Usage: VMTAP=path/to/vmtap test-demo.sh   (root; the demo makes and removes its own namespace)
set -uo pipefail

here=$(dirname "$(readlink -f "$0")")
root=$(cd "$here/../.." && pwd)
VMTAP=$(readlink -f "${VMTAP:?set VMTAP to the vmtap binary}")
[[ $(id -u) -eq 0 ]] || { echo "test-demo: run as root" >&2; exit 1; }

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok $pass - $*"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $*"; }
check() { # check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ---- not root: the scripts ask sudo when there is one, and say what to do when there is none ----
chmod 0755 "$tmp"
mkdir -m 0755 "$tmp/bin" "$tmp/nosudo" "$tmp/scripts"
ln -s "$(command -v id)" "$tmp/bin/id"
ln -s "$(command -v id)" "$tmp/nosudo/id"
cp "$root/scripts/demo.sh" "$root/scripts/test.sh" "$tmp/scripts/"
chmod 0755 "$tmp/scripts/"*.sh
# a sudo that only says how it was called
printf '#!/bin/sh\necho "sudo called: $*"\n' >"$tmp/bin/sudo"
chmod 0755 "$tmp/bin/sudo"
# as_user PATH SCRIPT: SCRIPT run by uid 4242 with only PATH to find programs in
as_user() { setpriv --reuid=4242 --regid=4242 --clear-groups env -i PATH="$1" /bin/bash "${@:2}" 2>&1; }
for s in demo test; do
	check "$s.sh as a user with sudo: it runs itself again through sudo" bash -c \
		"$(declare -f as_user); [ \"\$(as_user '$tmp/bin' '$tmp/scripts/$s.sh' | tail -1)\" = 'sudo called: -- $tmp/scripts/$s.sh' ]"
	check "$s.sh as a user without sudo: exit 1, saying to run it as root" bash -c \
		"$(declare -f as_user); out=\$(as_user '$tmp/nosudo' '$tmp/scripts/$s.sh'); [ \$? = 1 ] && [[ \$out == *'run it as root'* ]]"
done
check "the README runs both scripts as root, sudo only as the other way" bash -c \
	"grep -qx '\./scripts/demo\.sh' '$root/README.md' && grep -qx '\./scripts/test\.sh' '$root/README.md' && ! grep -q '^sudo \./scripts' '$root/README.md'"

# ---- the demo, as root, with the vmtap under test ----
ns_before=$(ip netns list | awk '{print $1}' | sort)
links_before=$(ip -o link show | awk -F': ' '{print $2}' | sort)
run_before=$(ls -A /run/vmtap 2>/dev/null)
log="$tmp/demo.log"
start=$EPOCHREALTIME
VMTAP=$VMTAP bash "$root/scripts/demo.sh" >"$log" 2>&1
rc=$?
secs=$(((${EPOCHREALTIME/./} - ${start/./}) / 1000000))
sed 's/^/# | /' "$log"
check "demo: exit 0 ($secs s)" [ $rc -eq 0 ]
has() { grep -qE -- "$1" "$log"; }
check "demo: the guest booted through vmtap exec and pinged the host" has '^   up after [0-9.]+ s, and it pinged the host'
check "demo: endpoint list while it runs: 2 queues, on br0, handed to QEMU" \
	has '^vm1-net0: ready ifname vmt[0-9a-f]+ netns vmtap-e2e-[0-9]+-demo1 queues 2 vnet_hdr .* bridge br0 hypervisor pid [0-9]+ netdev hostnet0 device net0$'
check "demo: doctor, of the host and of the endpoint with QEMU: both healthy" bash -c "[ \$(grep -c '^healthy: no problem' '$log') = 2 ]"
check "demo: doctor --qmp sees QEMU hold both queues of the TAP" \
	has '^  ok       qemu queues: QEMU \(pid [0-9]+\) holds the 2 queues in netdev hostnet0 of device net0$'
check "demo: the host pinged the guest" has '3 (packets )?received'
check "demo: QEMU exited 0 once the guest powered off" has '^   QEMU exited with status 0$'
check "demo: says nothing is left" has '^   no namespace vmtap-e2e-[0-9]+-demo1, no QEMU, no TAP, no record: nothing$'

# ---- and nothing is, as seen from here ----
tag=$(grep -oE 'vmtap-e2e-[0-9]+' "$log" | head -1)
state=$(sed -n 's/^   VMTAP_STATE_DIR=\([^ ]*\) .*/\1/p' "$log")
check "no namespace of the demo's" bash -c "[ \"\$(ip netns list | awk '{print \$1}' | sort)\" = '$ns_before' ]"
check "no link added or removed in this namespace" bash -c "[ \"\$(ip -o link show | awk -F': ' '{print \$2}' | sort)\" = '$links_before' ]"
check "no QEMU of the demo's" bash -c "[ -n '$tag' ] && ! pgrep -f -- '^qemu-system[^ ]* .*-name $tag-' >/dev/null"
check "its scratch state directory is gone, /run/vmtap as it was" bash -c \
	"[ -n '$state' ] && [ ! -e '$state' ] && [ \"\$(ls -A /run/vmtap 2>/dev/null)\" = '$run_before' ]"
check "its work directory is gone" bash -c "[ ! -e \"\$(dirname '$state')\" ]"

echo "test-demo: $pass passed, $fail failed (the demo took $secs s)"
[[ $fail -eq 0 ]]
