#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vmtap's main job, shown: build, boot a small guest through `vmtap exec` on a 2-queue endpoint on a bridge in a scratch namespace, look at it, ping it, stop it, show that nothing is left.
#
# Run as root on Debian 12:  ./scripts/demo.sh
# From an account with sudo: sudo ./scripts/demo.sh   (run as a user, the script asks sudo itself)
#
# It installs what it lacks (scripts/deps.sh, apt), builds vmtap (build/demo,
# only the CLI, unoptimised: twice as quick to build, and the demo needs no
# speed), and takes the guest of the end-to-end tests: a Debian cloud
# kernel and a busybox initramfs built from Debian packages, cached in
# /var/cache/vmtap-e2e (VMTAP_GUEST_CACHE), built on the first run only.
# Everything it makes lives in a scratch network namespace and a scratch state
# directory, both removed at the end, or on Ctrl-C; the machine's own
# namespace and /run/vmtap are not touched.
#
# Environment: VMTAP=path/to/vmtap uses that binary instead of building one;
# VMTAP_BUILD_DIR (default: build) is where build/release goes.
set -euo pipefail

if [[ $(id -u) -ne 0 ]]; then
	if command -v sudo >/dev/null; then
		echo "demo: it needs root (a network namespace, a bridge, TAP devices, QEMU): asking sudo" >&2
		exec sudo -- "$0" "$@"
	fi
	echo "demo: run it as root, e.g. su -c '$0': it makes a network namespace, a bridge and TAP devices, and starts QEMU" >&2
	exit 1
fi
cd "$(dirname "$0")/.."
root=$PWD
t0=$EPOCHREALTIME

elapsed() {
	local s=${t0/./} n=${EPOCHREALTIME/./}
	printf '%d.%d' $(((n - s) / 1000000)) $(((n - s) / 100000 % 10))
}
step() { printf '\n== [%5ss] %s\n' "$(elapsed)" "$*"; }
say() { printf '   %s\n' "$*"; }
# run CMD...: show the command as typed, then run it; its exit status is said when not 0, and returned
run() {
	local rc=0
	printf '$ %s\n' "$*"
	"$@" || rc=$?
	((rc == 0)) || printf '   (exit status %d)\n' "$rc"
	return $rc
}

step "dependencies (scripts/deps.sh: apt-get install, only what is missing)"
bash scripts/deps.sh
say "all there"

if [[ -n ${VMTAP:-} ]]; then
	step "vmtap: $VMTAP (given; not built)"
	bindir=$(dirname "$(realpath "$VMTAP")")
else
	build=${VMTAP_BUILD_DIR:-build}/demo
	step "build: vmtap into $build (meson, ninja; unoptimised, the quickest to build)"
	[[ -f $build/build.ninja ]] || meson setup "$build" -Dbuildtype=debug -Dtests=false >/dev/null
	ninja -C "$build" cli/vmtap | tail -1
	bindir=$root/$build/cli
fi
# "vmtap" below is the one just built
export PATH="$bindir:$PATH"
run vmtap --version

step "the guest: a Debian cloud kernel and a busybox initramfs (tests/e2e/build-guest.sh)"
# the end-to-end harness: its EXIT trap kills the QEMU it started and deletes its namespaces
# shellcheck source=../tests/e2e/lib.sh
source tests/e2e/lib.sh
# its log, as it goes: "up to date" on every run but the first, which downloads and builds (a minute or so)
"$E2E_DIR/build-guest.sh" "$E2E_CACHE" 2>&1 >/dev/null | sed 's/^/   /'
E2E_KERNEL="$E2E_CACHE/vmlinuz"
E2E_INITRD="$E2E_CACHE/initramfs.cpio.gz"
grep -E '^(kernel_package|busybox_version)=' "$E2E_CACHE/guest.info" | sed 's/^/   /'

step "a scratch network namespace with a bridge, as a VM host has; a scratch state directory"
e2e_netns_new NS demo
say "namespace $NS"
run ip -n "$NS" link add br0 type bridge
# a MAC of its own: a bridge without one takes its lowest port's, here the VM's TAP (vmtap doctor says so)
run ip -n "$NS" link set br0 address 02:00:00:00:de:01
run ip -n "$NS" addr add 10.99.0.1/24 dev br0
run ip -n "$NS" link set br0 up
export VMTAP_STATE_DIR="$E2E_WORKDIR/state"
say "VMTAP_STATE_DIR=$VMTAP_STATE_DIR (instead of /run/vmtap)"

step "an endpoint: a 2-queue TAP with the virtio-net header, on br0, recorded"
run vmtap endpoint create vm1-net0 --queues 2 --bridge br0 --netns "$NS"

step "boot: vmtap exec opens the endpoint's queues and becomes QEMU (TCG, 2 vCPUs)"
qmp="$E2E_WORKDIR/vm1.qmp"
E2E_QEMU_VIA=(vmtap exec --nic endpoint=vm1-net0,id=net0 --)
printf '$ vmtap exec --nic endpoint=vm1-net0,id=net0 -- qemu-system-x86_64 -smp 2 -m 256 -kernel ... -initrd ... -qmp unix:%s,... &\n' "$qmp"
e2e_run_qemu vm1 --append "vmtap.mode=wait vmtap.ip=10.99.0.2/24 vmtap.host=10.99.0.1 vmtap.count=2 vmtap.timeout=$(e2e_timeout 90)" \
	-- -smp 2 -qmp "unix:$qmp,server=on,wait=off" 2>/dev/null
E2E_QEMU_VIA=()
log=$(e2e_qemu_log vm1)
pid=$(e2e_qemu_pid vm1)
say "QEMU pid $pid (the pid vmtap exec had); its console: $log"
# progress: the guest's own lines as they come, and a line every 5 s until the first
deadline=$((${EPOCHREALTIME%.*} + $(e2e_timeout 90)))
shown=0
tick=5
while :; do
	mapfile -t lines < <(tr -d '\r' <"$log" | grep -o 'VMTAP-GUEST: .*' || true)
	for ((; shown < ${#lines[@]}; shown++)); do
		printf '   [%5ss] guest: %s\n' "$(e2e_qemu_elapsed vm1)" "${lines[shown]#VMTAP-GUEST: }"
	done
	if ((shown == 0)) && (($(e2e_qemu_elapsed vm1 | cut -d. -f1) >= tick)); then
		printf '   [%5ss] %s\n' "$(e2e_qemu_elapsed vm1)" "$( ((tick == 5)) &&
			echo "the kernel is booting (TCG emulates every instruction: some seconds)" || echo "still booting")"
		tick=$((tick + 5))
	fi
	[[ " ${lines[*]} " == *"VMTAP-GUEST: waiting"* ]] && break
	if ! kill -0 "$pid" 2>/dev/null || ((${EPOCHREALTIME%.*} > deadline)); then
		say "the guest did not come up; its console:"
		tr -d '\r' <"$log" | tail -20 | sed 's/^/   | /'
		exit 1
	fi
	sleep 0.5
done
grep -q 'VMTAP-GUEST: ping ok' <(tr -d '\r' <"$log") || { say "the guest could not ping the host"; exit 1; }
say "up after $(e2e_qemu_elapsed vm1) s, and it pinged the host (10.99.0.1)"

step "while it runs: the endpoint and what vmtap doctor says"
run vmtap endpoint list
run vmtap doctor || true
run vmtap doctor vm1-net0 --qmp "$qmp" || true

step "the host pings the guest, through br0 and the TAP"
if command -v ping >/dev/null; then
	run ip netns exec "$NS" ping -c 3 -W 2 10.99.0.2
else
	run ip netns exec "$NS" busybox ping -c 3 -W 2 10.99.0.2
fi

step "stop: the guest powers off, QEMU exits; the endpoint's device stays for the next boot"
e2e_guest_send vm1 vmtap-stop
e2e_wait_guest vm1 'VMTAP-GUEST: poweroff' "$(e2e_timeout 20)" >/dev/null
e2e_wait_qemu_exit vm1 "$(e2e_timeout 20)"
say "QEMU exited with status $(e2e_qemu_rc vm1)"
run vmtap endpoint list

step "clean up: the endpoint, the namespace, the state directory"
run vmtap endpoint destroy vm1-net0
run ip netns del "$NS"
E2E_NETNS=()
rm -rf "$VMTAP_STATE_DIR"

step "nothing is left"
run vmtap endpoint list
left=0
if ip netns list | grep -q -- "$E2E_TAG"; then left=1; say "a namespace is left: $(ip netns list | grep -- "$E2E_TAG")"; fi
if pgrep -f -- "-name $E2E_TAG-" >/dev/null; then left=1; say "a QEMU is left: $(pgrep -af -- "-name $E2E_TAG-")"; fi
if [[ -e $VMTAP_STATE_DIR ]]; then left=1; say "the state directory is left"; fi
# the TAP lived in the namespace, gone with it; here, the links are those there were before
if [[ "$(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | sort)" != "$E2E_ROOT_LINKS" ]]; then
	left=1
	say "the links of this namespace changed: $(ip -o link show | awk -F': ' '{print $2}' | tr '\n' ' ')"
fi
((left == 0)) && say "no namespace $NS, no QEMU, no TAP, no record: nothing"
step "done in $(elapsed) s"
exit $left
