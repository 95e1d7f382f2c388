#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vmtap exec: QEMU holds exactly the fds its command line names (1, 4, 64 queues, several NICs), and exec's reaper only its own.
#
# Usage: exec_fds.sh PATH/TO/vmtap PATH/TO/fake-qemu
# A fake QEMU reads its own /proc/self/fd against its argv (tests/fixtures/fake_qemu.c). Runs itself
# in fresh network and mount namespaces, like cli.sh.
set -uo pipefail

VMTAP=$(realpath "$1")
FAKE=$(realpath "$2")
if [[ -z "${VMTAP_EXECFDS_IN_NS:-}" ]]; then
	VMTAP_EXECFDS_IN_NS=1 exec unshare --net --mount --propagation private \
		bash -c 'mount -t tmpfs tmpfs /run && exec "$0" "$@"' "$0" "$@"
fi
ip link set lo up

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok $pass - $*"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $*"; }

# bare CMD...: run CMD with only stdio open (and /dev/null on fd 7 with BARE_FD7=1): whatever else
# QEMU holds is vmtap's doing. The test runner's own fds (meson's, a CI's) must not count.
bare() {
	bash -c 'for fd in /proc/$$/fd/*; do n=${fd##*/}; ((n > 2)) && eval "exec $n>&-"; done 2>/dev/null
		[[ -n ${BARE_FD7:-} ]] && exec 7</dev/null; exec "$@"' _ "$@"
}

# exec_expect WANT -- VMTAP-ARGS...: run vmtap exec with only stdio open; the fake QEMU's verdict must be WANT
exec_expect() {
	local want=$1 out
	shift 2
	out=$(bare "$VMTAP" exec "$@" -- "$FAKE" 2>&1)
	if [[ $out == "$want" ]]; then
		ok "vmtap exec $*: $out"
	else
		not_ok "vmtap exec $*: '$out', wanted '$want'"
	fi
}

for q in 1 4 64; do
	exec_expect "fds ok: $q queue fds of 1 netdevs" -- --nic queues=$q,vhost=off
done
exec_expect "fds ok: 7 queue fds of 3 netdevs" -- --nic queues=1,vhost=off --nic queues=2,vhost=off --nic queues=4,vhost=off
"$VMTAP" endpoint create efd --queues 4 >/dev/null || not_ok "endpoint create efd"
exec_expect "fds ok: 4 queue fds of 1 netdevs" -- --nic endpoint=efd,vhost=off
"$VMTAP" endpoint destroy efd

# the caller's own fds go to QEMU as they are: listed for the fake, they pass; unlisted, the checker fails
out=$(BARE_FD7=1 FAKE_QEMU_INHERITED=7 bare "$VMTAP" exec --nic queues=2,vhost=off -- "$FAKE" 2>&1)
[[ $out == "fds ok: 2 queue fds of 1 netdevs" ]] && ok "an fd of the caller's passes to QEMU as it is" ||
	not_ok "caller's fd 7: $out"
out=$(BARE_FD7=1 bare "$VMTAP" exec --nic queues=2,vhost=off -- "$FAKE" 2>&1)
[[ $out == "fake-qemu: fd 7 (/dev/null) is open but not named on the command line" ]] && ok "the checker fails on an fd nobody named" ||
	not_ok "the checker did not see fd 7: $out"

# a redirect NIC: an ephemeral endpoint and exec's reaper, which must hold nothing of vmtap's but its pidfd
ip link add xfd0 type veth peer name xfd1 && ip link set xfd0 up
FAKE_QEMU_HOLD=2 bare "$VMTAP" exec --nic redirect=xfd0,queues=2,vhost=off -- "$FAKE" >/run/redir.out 2>&1 &
qemu=$!
reaper=
for _ in $(seq 100); do
	reaper=$(pgrep -f "^$VMTAP exec --nic redirect=xfd0" | grep -vx "$qemu" | head -1)
	[[ -n $reaper ]] && grep -q 'fds ok' /run/redir.out && break
	sleep 0.02
done
if [[ -z $reaper ]]; then
	not_ok "no reaper found for the redirect NIC"
else
	held=$(for fd in /proc/$reaper/fd/*; do printf '%s=%s\n' "${fd##*/}" "$(readlink "$fd")"; done | sort)
	want=$(printf '0=/dev/null\n1=/dev/null\n2=/dev/null\n3=anon_inode:[pidfd]')
	[[ $held == "$want" ]] && ok "the reaper holds /dev/null as stdio and its pidfd, nothing else" ||
		not_ok "the reaper holds: $(tr '\n' ' ' <<<"$held")"
fi
wait $qemu
[[ $(cat /run/redir.out) == "fds ok: 2 queue fds of 1 netdevs" ]] && ok "redirect NIC: QEMU holds exactly its 2 queues" ||
	not_ok "redirect NIC: $(cat /run/redir.out)"
for _ in $(seq 100); do [[ -z $("$VMTAP" endpoint list) ]] && break; sleep 0.05; done
[[ -z $("$VMTAP" endpoint list) ]] && ok "the reaper destroyed the ephemeral endpoint after QEMU" ||
	not_ok "ephemeral endpoint left: $("$VMTAP" endpoint list)"
ip link del xfd0

[[ $(ip -o link show type tun | wc -l) -eq 0 ]] && ok "no TAP left" || not_ok "TAPs left"
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
