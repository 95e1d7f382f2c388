#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The bash completion of vmtap, sourced alone (no bash-completion package): commands, options, option values, endpoint ids and devices for a few prefixes.
#
# Usage: completion.sh PATH/TO/vmtap PATH/TO/completion/vmtap.bash [INTRO-INSTALLED.JSON]
# With meson's intro-installed.json, also checks that meson installs it as
# bash-completion/completions/vmtap.
# Runs itself inside fresh network and mount namespaces with a private /run,
# like cli.sh: the endpoints, devices and namespaces it completes are its own.
set -uo pipefail

VMTAP=$(realpath "$1")
COMPLETION=$(realpath "$2")
if [[ -z "${VMTAP_COMPLETION_IN_NS:-}" ]]; then
	VMTAP_COMPLETION_IN_NS=1 exec unshare --net --mount --propagation private \
		bash -c 'mount -t tmpfs tmpfs /run && exec "$0" "$@"' "$0" "$@"
fi
ip link set lo up

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok $pass - $*"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $*"; }

if [[ -n ${3:-} ]]; then
	if jq -e --arg src "$COMPLETION" 'to_entries | any(.key == $src and (.value | endswith("/bash-completion/completions/vmtap")))' \
		"$3" >/dev/null; then
		ok "meson installs it as $(jq -r --arg src "$COMPLETION" '.[$src]' "$3")"
	else
		not_ok "meson does not install $COMPLETION as .../bash-completion/completions/vmtap: $(jq -c . "$3")"
	fi
fi

# shellcheck source=/dev/null
source "$COMPLETION"
[[ $(complete -p vmtap 2>/dev/null) == "complete -F _vmtap vmtap" ]] && ok "sourcing it registers _vmtap for vmtap" ||
	not_ok "sourcing it registers no completion: $(complete -p vmtap 2>&1)"

# comp WORD...: the sorted completions of the last WORD, with the cursor at its end, on one line
comp() {
	COMP_WORDS=("$VMTAP" "$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="${COMP_WORDS[*]}"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_vmtap
	printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort | tr '\n' ' ' | sed 's/ $//'
}
# expect "WANT" WORD...: the completions are exactly WANT
expect() {
	local want=$1 got
	shift
	got=$(comp "$@")
	if [[ $got == "$want" ]]; then ok "vmtap $* -> $want"; else not_ok "vmtap $* -> '$got', wanted '$want'"; fi
}

commands=$("$VMTAP" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z-]*\) .*/\1/p' | sort | tr '\n' ' ')
expect "$(printf '%s\n' $commands help | sort | tr '\n' ' ' | sed 's/ $//')" ""
expect "doctor" do
expect "endpoint exec" e
expect "--state-dir" --st
expect "--pretty" --json --pr
expect "--qdisc --queues" create --q
expect "-q" create -q
expect "kernel noqueue" create tap0 --qdisc ""
expect "" create tap0 --queues ""
expect "bridge passthru private vepa" endpoint create e1 --macvtap-mode ""
expect "create destroy list show" endpoint ""
expect "--macvtap --macvtap-mode" endpoint create e1 --mac
expect "--help --json --pretty --state-dir --verbose" endpoint list --
expect "--dry-run --help --json --pretty --state-dir --verbose" gc --
expect "--qdisc --qmp --queues" hotplug --q
expect "--netns" doctor --ne

# endpoint ids, from the state directory the line names
ip link add cbr0 type bridge
ip link add cbr1 type bridge
"$VMTAP" endpoint create vc-a --bridge cbr0 >/dev/null
"$VMTAP" endpoint create vc-b >/dev/null
mkdir -m 0700 /run/other
"$VMTAP" --state-dir /run/other endpoint create other-1 >/dev/null
expect "vc-a vc-b" endpoint show ""
expect "vc-a vc-b" endpoint destroy vc-
expect "" endpoint create ""
expect "other-1" --state-dir /run/other endpoint show ""
expect "other-1" endpoint show --state-dir=/run/other ""
expect "vc-a vc-b" hotplug --qmp /run/x.qmp ""
expect "vc-a vc-b" hotplug -q 2 --qmp /run/x.qmp ""
expect "" hotplug -q ""
expect "vc-a" unplug --timeout 5 vc-a
expect "dev endpoint vc-a vc-b" doctor ""
expect "vc-a vc-b" doctor endpoint ""
expect "cbr0 cbr1" create tap0 --bridge cb
expect "cbr0 cbr1" endpoint create e1 --redirect cb

# devices, in the namespace the line names
"$VMTAP" create ctap0 >/dev/null
"$VMTAP" create ctap1 >/dev/null
ns=vmtap-compl-$$
ip netns add "$ns"
"$VMTAP" create nstap --netns "$ns" >/dev/null
# every TUN/TAP device of the namespace, as ip sees them: the endpoints' of both state directories too
taps=$(ip -o link show type tun | sed -n 's/^[0-9]*: \([^:]*\):.*/\1/p' | sort | tr '\n' ' ' | sed 's/ $//')
expect "$taps" show ""
expect "ctap0 ctap1" delete ctap0 ct
expect "$taps" doctor dev ""
expect "nstap" doctor --netns "$ns" dev ""
expect "nstap" show --netns "$ns" ""
ip -n "$ns" link add nsbr type bridge
expect "nsbr" endpoint create e1 --netns "$ns" --bridge ""
expect "$ns" create tap0 --netns vmtap-compl
expect "$ns" set ctap0 --move-to vmtap-compl

# exec: QEMU's command line after "--"
mkdir /run/bin && printf '#!/bin/sh\n' >/run/bin/vmtap-test-qemu-x && chmod +x /run/bin/vmtap-test-qemu-x
PATH=/run/bin:$PATH expect "vmtap-test-qemu-x" exec --nic queues=1 -- vmtap-test-qemu
expect "" exec --nic queues=1 -- vmtap-test-qemu
expect "" exec --nic ""

ip netns del "$ns"
"$VMTAP" delete ctap0 ctap1
"$VMTAP" endpoint destroy vc-a
"$VMTAP" endpoint destroy vc-b
"$VMTAP" --state-dir /run/other endpoint destroy other-1
ip link del cbr0
ip link del cbr1
[[ $(ip -o link show type tun | wc -l) -eq 0 ]] && ok "nothing left" || not_ok "devices left: $(ip -o link show type tun)"
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
