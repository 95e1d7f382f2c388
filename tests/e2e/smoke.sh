#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Self-test of the e2e QEMU harness (no vmtap binary): a multi-queue tap in a private netns, a guest pinging both ways.
#
# Usage: tests/e2e/smoke.sh      (root; prints ok/FAIL lines, exits non-zero on failure)

set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$(readlink -f "$0")")/lib.sh"

HOST_IP=10.99.0.1
GUEST_IP=10.99.0.2
MAC=52:54:00:12:34:56
QUEUES=2

e2e_ensure_host
e2e_build_guest
e2e_log "guest: $(grep -E '^kernel_(package|version)=' "$E2E_CACHE/guest.info" | cut -d= -f2 | tr '\n' ' ')accel=$(e2e_qemu_accel)"

boot_tmo="$(e2e_timeout 40)"
step_tmo="$(e2e_timeout 15)"

e2e_netns_new NS smoke
e2e_tap_new "$NS" vt0 "$HOST_IP/24"
e2e_check "tap vt0 is multi_queue with vnet_hdr inside $NS" \
	bash -c "ip -n '$NS' -d link show vt0 | grep -q 'vnet_hdr on multi_queue'"

e2e_run_qemu guest --netns "$NS" \
	--append "vmtap.mode=wait vmtap.ip=$GUEST_IP/24 vmtap.host=$HOST_IP vmtap.count=3 vmtap.timeout=$(e2e_timeout 30)" \
	-- -smp "$QUEUES" \
	-netdev "tap,id=n0,ifname=vt0,script=no,downscript=no,queues=$QUEUES,vhost=off" \
	-device "virtio-net-pci,netdev=n0,mac=$MAC,mq=on,vectors=$((2 * QUEUES + 2))"
log="$(e2e_qemu_log guest)"

guest_line() { tr -d '\r' <"$log" | grep -Eo "VMTAP-GUEST: $1" | head -n1; }

if e2e_wait_guest guest 'VMTAP-GUEST: ready' "$boot_tmo"; then
	e2e_ok "guest booted and configured its NIC ($(e2e_qemu_elapsed guest) s)"
else
	e2e_fail "guest did not get ready"
fi

if e2e_wait_guest guest 'VMTAP-GUEST: ping (ok|fail)' "$step_tmo" &&
	[[ -n "$(guest_line 'ping ok')" ]]; then
	e2e_ok "guest pinged the host"
	printf 'boot-to-ping: %s s (accel %s)\n' "$(e2e_qemu_elapsed guest)" "$E2E_ACCEL"
else
	e2e_fail "guest could not ping the host"
fi

q="$(guest_line 'queues=[0-9]+' | cut -d= -f2)"
if [[ "$q" == "$QUEUES" ]]; then
	e2e_ok "guest reports queues=$q"
else
	e2e_fail "guest reports queues=${q:-?} (want $QUEUES)"
fi

if e2e_wait_guest guest 'VMTAP-GUEST: waiting' "$step_tmo" &&
	e2e_ping "$NS" -c 3 -W 1 "$GUEST_IP" >"$E2E_WORKDIR/host-ping.log" 2>&1; then
	e2e_ok "host pinged the guest ($(grep -Eo '[0-9]+ packets received' "$E2E_WORKDIR/host-ping.log" || true))"
else
	e2e_fail "host could not ping the guest"
	sed 's/^/# | /' "$E2E_WORKDIR/host-ping.log" >&2 || true
fi

e2e_guest_send guest vmtap-stop || true
if e2e_wait_guest guest 'VMTAP-GUEST: poweroff' "$step_tmo"; then
	e2e_ok "guest powered off on request"
else
	e2e_fail "guest did not power off"
fi
if e2e_wait_qemu_exit guest "$step_tmo" && [[ "$(e2e_qemu_rc guest)" == 0 ]]; then
	e2e_ok "QEMU exited with status 0"
else
	e2e_fail "QEMU exit status: $(e2e_qemu_rc guest || true) (empty = still running)"
fi

e2e_cleanup
e2e_check "no QEMU, netns or tap of this run remains" e2e_check_clean

printf 'smoke: %s (total %s s)\n' "$([[ $E2E_FAILED -eq 0 ]] && echo ok || echo FAIL)" "$(e2e_elapsed "$E2E_T0")"
exit "$E2E_FAILED"
