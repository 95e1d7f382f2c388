#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Tests of vmtap-cni through the libcni-like runner (cnitool.sh) with Debian's bridge and host-local plugins: the runner proven alone, VERSION, STATUS, a bad-input table, and (when built with the library's redirect and macvtap endpoints) ADD/CHECK/DEL/GC in both modes, then each mode point by point.
#
# Usage: cni.sh PATH/TO/vmtap-cni PATH/TO/cnitool.sh INTERWORKING(yes|no) [PART...]
# PART: basics (basics.sh: the runner alone, VERSION, STATUS, bad input), chain (attach.sh), redirect
# (verbs.sh), macvtap (macvtap.sh); all four when none is given.  Each part stands alone.
# Runs itself inside fresh network and mount namespaces with a tmpfs on /run: the "host" of the CNI
# plugins is that private namespace, pods are namespaces under the private /run/netns, and every CNI
# configuration, IPAM store, result cache and vmtap state directory is in the test's own directory.
# shellcheck disable=SC2016 # jq programs and bash -c scripts are in single quotes on purpose
set -uo pipefail

PLUGIN=$(realpath "$1")
RUNNER=$(realpath "$2")
INTERWORKING=${3:-no}
HERE=$(dirname "$(realpath "$0")")
PARTS=("${@:4}")
[[ ${#PARTS[@]} -gt 0 ]] || PARTS=(basics chain redirect macvtap)
for part in "${PARTS[@]}"; do
	case $part in
	basics | chain | redirect | macvtap) ;;
	*) echo "cni.sh: unknown part $part (basics, chain, redirect, macvtap)" >&2; exit 2 ;;
	esac
done
if [[ -z "${VMTAP_CNI_IN_NS:-}" ]]; then
	# what the machine had before, to prove nothing is left behind there
	before_root=$( { ip -o link | cut -d' ' -f2; ls -A /var/lib/cni /etc/cni 2>&1; } | sort)
	VMTAP_CNI_IN_NS=1 unshare --net --mount --propagation private \
		bash -c 'mount -t tmpfs tmpfs /run && exec "$0" "$@"' "$0" "$@"
	rc=$?
	after_root=$( { ip -o link | cut -d' ' -f2; ls -A /var/lib/cni /etc/cni 2>&1; } | sort)
	if [[ "$before_root" != "$after_root" ]]; then
		echo "not ok - the machine's own namespace or /var/lib/cni, /etc/cni changed:"
		diff <(echo "$before_root") <(echo "$after_root")
		exit 1
	fi
	echo "ok - nothing left in the machine's namespace, /var/lib/cni or /etc/cni"
	exit $rc
fi
ip link set lo up

W=$(mktemp -d "${TMPDIR:-/tmp}/vmtap-cni-test.XXXXXX")
STATE=$W/state
export CNI_PATH=/usr/lib/cni:$W/bin
mkdir -p "$W/bin"
ln -s "$PLUGIN" "$W/bin/vmtap-cni"
NETNS=()
cleanup() {
	local ns
	for ns in "${NETNS[@]}"; do [[ -z $ns ]] || ip netns del "$ns" 2>/dev/null; done
	rm -rf "$W"
}
trap cleanup EXIT

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$HERE/lib.sh"

for part in "${PARTS[@]}"; do
	case $part in
	basics)
		# shellcheck source-path=SCRIPTDIR source=basics.sh
		source "$HERE/basics.sh"
		;;
	chain | redirect | macvtap)
		if [[ $INTERWORKING != yes ]]; then
			skip "$part: this vmtap-cni was built without the library's redirect and macvtap endpoints"
			continue
		fi
		case $part in
		chain)
			section "the chain bridge -> vmtap-cni: both modes, undo, GC, 50 pods"
			# shellcheck source-path=SCRIPTDIR source=attach.sh
			source "$HERE/attach.sh"
			;;
		redirect)
			section redirect mode point by point
			# shellcheck source-path=SCRIPTDIR source=verbs.sh
			source "$HERE/verbs.sh"
			;;
		macvtap)
			section macvtap mode point by point
			# shellcheck source-path=SCRIPTDIR source=macvtap.sh
			source "$HERE/macvtap.sh"
			;;
		esac
		;;
	esac
done

section nothing left
# ---- nothing left ----
for ns in "${NETNS[@]}"; do [[ -z $ns ]] || ip netns del "$ns"; done
NETNS=()
# the bridge plugin leaves its bridges (it makes them for every pod of the network): the test made them, it removes them
for br in $(ip -o link show type bridge | awk -F': ' '{print $2}'); do ip link del "$br"; done
check "no namespace left, no link but lo" bash -c "[ -z \"\$(ip netns list)\" ] && [ \"\$(ip -o link | wc -l)\" -eq 1 ]"
check "no record or lock left in the state directory" \
	bash -c "[ -z \"\$(find '$STATE' -mindepth 1 ! -name .state-id 2>/dev/null)\" ]"

echo "# $pass passed, $fail failed"
[[ $fail -eq 0 ]]
