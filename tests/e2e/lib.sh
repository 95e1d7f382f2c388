# SPDX-License-Identifier: GPL-2.0-or-later
# Helper functions for the vmtap end-to-end QEMU guest tests; source it, do not execute it.
#
# Sourcing installs an EXIT/INT/TERM trap (e2e_cleanup) that kills every QEMU
# started through e2e_run_qemu and deletes every netns made by e2e_netns_new.
# Scripts that need their own exit work should register it with
# e2e_on_exit 'command' instead of replacing the trap.
#
# Nothing here touches the root network namespace: all links live in netns
# created by e2e_netns_new, and QEMU runs inside them.
#
# Environment:
#   VMTAP_GUEST_CACHE  guest cache dir (default /var/cache/vmtap-e2e)
#   VMTAP_E2E_ACCEL    force tcg|kvm (skips the probe)
#   VMTAP_E2E_KEEP=1   keep the per-run work dir (logs) even on success
#   VMTAP_E2E_TIMEOUT_SCALE  multiply guest timeouts (slow machines), default 1

# shellcheck shell=bash

if [[ -n "${E2E_LIB_LOADED:-}" ]]; then
	return 0
fi
E2E_LIB_LOADED=1

E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
E2E_CACHE="${VMTAP_GUEST_CACHE:-/var/cache/vmtap-e2e}"
E2E_TAG="vmtap-e2e-$$"                 # prefix of every netns / QEMU -name of this run
E2E_WORKDIR="$(mktemp -d "${TMPDIR:-/tmp}/$E2E_TAG.XXXXXX")"
E2E_KERNEL=""
E2E_INITRD=""
E2E_ACCEL="${VMTAP_E2E_ACCEL:-}"
E2E_FAILED=0
# shellcheck disable=SC2034 # read by callers
E2E_T0="$EPOCHREALTIME"
E2E_NS_SEQ=0
E2E_NETNS=()                           # netns we created
E2E_EXIT_HOOKS=()
E2E_TAPS=()                            # tap names created by e2e_tap_new
E2E_QEMU_VIA=()                        # a launcher before qemu-system-x86_64, e.g. (vmtap exec --nic ... --)
declare -A E2E_QEMU_PID=()             # name -> pid
declare -A E2E_QEMU_LOG=()             # name -> serial log
declare -A E2E_QEMU_INFD=()            # name -> fd writing the guest console
declare -A E2E_QEMU_START=()           # name -> $EPOCHREALTIME at launch
declare -A E2E_QEMU_RC=()              # name -> exit status once reaped

e2e_log() { printf '# %s\n' "$*" >&2; }
e2e_die() { printf 'e2e: error: %s\n' "$*" >&2; exit 1; }

# e2e_ok MSG / e2e_fail MSG: TAP-ish result lines; e2e_fail marks the run failed.
e2e_ok() { printf 'ok - %s\n' "$*"; }
# shellcheck disable=SC2034 # read by callers
e2e_fail() { printf 'FAIL - %s\n' "$*"; E2E_FAILED=1; }

# e2e_check DESC CMD...: run CMD, print ok/FAIL with DESC; returns CMD's status.
e2e_check() {
	local desc="$1"; shift
	if "$@"; then e2e_ok "$desc"; else e2e_fail "$desc"; return 1; fi
}

e2e_on_exit() { E2E_EXIT_HOOKS+=("$1"); }

# e2e_now: seconds since the epoch with microseconds.
e2e_now() { printf '%s\n' "$EPOCHREALTIME"; }

# e2e_elapsed START: seconds (1 decimal) elapsed since START (an e2e_now value).
e2e_elapsed() {
	local s=${1/./} n=${EPOCHREALTIME/./}
	local d=$(( (n - s) / 100000 ))
	printf '%d.%d\n' $((d / 10)) $((d % 10))
}

e2e_require_root() {
	[[ $(id -u) -eq 0 ]] || e2e_die "must run as root (netns, tap devices, QEMU)"
}

# e2e_ensure_pkgs PKG...: apt-get install what dpkg -s does not report installed.
e2e_ensure_pkgs() {
	local p missing=()
	for p in "$@"; do
		dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed' || missing+=("$p")
	done
	[[ ${#missing[@]} -eq 0 ]] && return 0
	e2e_log "installing ${missing[*]}"
	apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

e2e_ensure_host() {
	e2e_require_root
	e2e_ensure_pkgs qemu-system-x86 busybox-static iproute2
}

# e2e_timeout SECONDS: SECONDS scaled by VMTAP_E2E_TIMEOUT_SCALE (integer result).
e2e_timeout() {
	local scale="${VMTAP_E2E_TIMEOUT_SCALE:-1}"
	awk -v t="$1" -v s="$scale" 'BEGIN { v = t * s; printf "%d\n", (v == int(v)) ? v : int(v) + 1 }'
}

# e2e_build_guest: build/refresh the cached guest; sets E2E_KERNEL and E2E_INITRD.
e2e_build_guest() {
	"$E2E_DIR/build-guest.sh" "$E2E_CACHE" >/dev/null
	E2E_KERNEL="$E2E_CACHE/vmlinuz"
	E2E_INITRD="$E2E_CACHE/initramfs.cpio.gz"
	[[ -s "$E2E_KERNEL" && -s "$E2E_INITRD" ]] || e2e_die "guest build produced no kernel/initramfs"
}

# e2e_qemu_accel: print tcg or kvm. KVM is used only if a bounded probe boot of
# the guest succeeds; the answer is cached in $E2E_CACHE/accel (dropped on rebuild).
e2e_qemu_accel() {
	if [[ -n "$E2E_ACCEL" ]]; then
		printf '%s\n' "$E2E_ACCEL"
		return 0
	fi
	[[ -n "$E2E_KERNEL" ]] || e2e_build_guest
	local cache="$E2E_CACHE/accel" acc=tcg log rc=0
	if [[ -s "$cache" && "$cache" -nt "$E2E_KERNEL" && "$cache" -nt "$E2E_INITRD" ]]; then
		acc="$(<"$cache")"
	else
		if [[ -r /dev/kvm && -w /dev/kvm ]]; then
			log="$E2E_WORKDIR/kvm-probe.log"
			e2e_log "probing KVM (bounded: 20 s)"
			timeout -k 2 20 qemu-system-x86_64 -accel kvm -cpu host -name "$E2E_TAG-kvmprobe" \
				-display none -serial stdio -nodefaults -no-reboot -m 256 \
				-kernel "$E2E_KERNEL" -initrd "$E2E_INITRD" \
				-append "console=ttyS0 panic=-1 quiet vmtap.mode=probe" \
				</dev/null >"$log" 2>&1 || rc=$?
			if [[ $rc -eq 0 ]] && grep -q 'VMTAP-GUEST: poweroff' "$log"; then
				acc=kvm
			fi
			e2e_log "KVM probe rc=$rc -> $acc"
		fi
		printf '%s\n' "$acc" >"$cache.$$"
		mv -f "$cache.$$" "$cache"
	fi
	E2E_ACCEL="$acc"
	printf '%s\n' "$acc"
}

# e2e_netns_new VAR [LABEL]: create a uniquely named netns (lo up), register it
# for cleanup, and store its name in VAR. Must not be called in a subshell.
e2e_netns_new() {
	local __var="$1" label="${2:-ns}" name
	E2E_NS_SEQ=$((E2E_NS_SEQ + 1))
	name="$E2E_TAG-$label$E2E_NS_SEQ"
	ip netns add "$name" || e2e_die "ip netns add $name failed"
	E2E_NETNS+=("$name")
	ip -n "$name" link set lo up
	printf -v "$__var" '%s' "$name"
}

# e2e_tap_new NS DEV [CIDR]: create a multi-queue vnet_hdr tap DEV inside our
# netns NS (never in the root netns), optionally address it, and bring it up.
e2e_tap_new() {
	local ns="$1" dev="$2" cidr="${3:-}"
	printf '%s\n' "${E2E_NETNS[@]}" | grep -qxF -- "$ns" || e2e_die "e2e_tap_new: $ns is not a netns of this run"
	ip -n "$ns" tuntap add dev "$dev" mode tap multi_queue vnet_hdr
	E2E_TAPS+=("$dev")
	[[ -n "$cidr" ]] && ip -n "$ns" addr add "$cidr" dev "$dev"
	ip -n "$ns" link set "$dev" up
}

# e2e_ping NS ARGS...: ping from inside our netns NS (iputils ping if installed,
# else busybox ping, which accepts -c/-W/-w/-I too).
e2e_ping() {
	local ns="$1"; shift
	if command -v ping >/dev/null 2>&1; then
		ip netns exec "$ns" ping "$@"
	else
		ip netns exec "$ns" busybox ping "$@"
	fi
}

# e2e_run_qemu NAME [--netns NS] [--append "KERNEL ARGS"] [--] [QEMU ARGS...]
# Start qemu-system-x86_64 in the background (inside NS if given) with the
# cached guest. The serial console goes to $E2E_WORKDIR/NAME.serial.log;
# e2e_guest_send writes lines to the guest console. Records pid and start time.
e2e_run_qemu() {
	local name="$1"; shift
	local ns="" append="" acc log fifo fd
	local -a pre=() accel_args=()
	while [[ $# -gt 0 ]]; do
		case "$1" in
		--netns) ns="$2"; shift 2 ;;
		--append) append="$2"; shift 2 ;;
		--) shift; break ;;
		*) break ;;
		esac
	done
	[[ -z "${E2E_QEMU_PID[$name]:-}" ]] || e2e_die "QEMU '$name' already started"
	[[ -n "$E2E_KERNEL" ]] || e2e_build_guest
	acc="$(e2e_qemu_accel)"
	E2E_ACCEL="$acc"
	case "$acc" in
	kvm) accel_args=(-accel kvm -cpu host) ;;
	*) accel_args=(-accel "tcg,thread=multi") ;;
	esac
	[[ -n "$ns" ]] && pre=(ip netns exec "$ns")
	log="$E2E_WORKDIR/$name.serial.log"
	fifo="$E2E_WORKDIR/$name.console.in"
	mkfifo "$fifo"
	# Read-write open of a FIFO never blocks and keeps a writer alive, so QEMU
	# never sees EOF on the console input.
	exec {fd}<>"$fifo"
	: >"$log"
	E2E_QEMU_START[$name]="$(e2e_now)"
	# `ip netns exec` and a launcher such as `vmtap exec` exec QEMU in place, so $! is QEMU's pid.
	"${pre[@]}" "${E2E_QEMU_VIA[@]}" qemu-system-x86_64 "${accel_args[@]}" -name "$E2E_TAG-$name" \
		-display none -serial stdio -nodefaults -no-reboot -m 256 \
		-kernel "$E2E_KERNEL" -initrd "$E2E_INITRD" \
		-append "console=ttyS0 panic=-1 quiet $append" \
		"$@" <"$fifo" >"$log" 2>&1 {fd}>&- &
	E2E_QEMU_PID[$name]=$!
	E2E_QEMU_LOG[$name]="$log"
	E2E_QEMU_INFD[$name]="$fd"
	e2e_log "started QEMU '$name' pid ${E2E_QEMU_PID[$name]} accel=$acc${ns:+ netns=$ns} log=$log"
}

# e2e_qemu_elapsed NAME: seconds since QEMU NAME was started.
e2e_qemu_elapsed() { e2e_elapsed "${E2E_QEMU_START[$1]}"; }

e2e_qemu_log() { printf '%s\n' "${E2E_QEMU_LOG[$1]}"; }
e2e_qemu_pid() { printf '%s\n' "${E2E_QEMU_PID[$1]}"; }

# e2e_guest_send NAME LINE: write LINE to the guest's serial console.
e2e_guest_send() {
	local fd="${E2E_QEMU_INFD[$1]:-}"
	[[ -n "$fd" ]] || { e2e_log "no console for QEMU '$1'"; return 1; }
	printf '%s\n' "$2" >&"$fd"
}

# _e2e_pid_running PID: true while PID exists and is not a zombie.
_e2e_pid_running() {
	local st
	{ read -r st <"/proc/$1/stat"; } 2>/dev/null || return 1
	st="${st##*) }"
	[[ "${st:0:1}" != Z ]]
}

_e2e_tail() {
	local file="$1"
	printf '# ---- last lines of %s ----\n' "$file" >&2
	tr -d '\r' <"$file" | tail -n 40 | sed 's/^/# | /' >&2
	printf '# ----\n' >&2
}

# e2e_wait_for_line FILE REGEX TIMEOUT [PID]: poll FILE (CRs stripped) until an
# extended REGEX matches, for at most TIMEOUT seconds. Fails early if PID dies.
# On failure prints the tail of FILE and returns 1.
e2e_wait_for_line() {
	local file="$1" re="$2" tmo="$3" pid="${4:-}"
	local deadline=$(( ${EPOCHREALTIME%.*} + tmo ))
	while :; do
		if [[ -e "$file" ]] && tr -d '\r' <"$file" | grep -Eq -- "$re"; then
			return 0
		fi
		if [[ -n "$pid" ]] && ! _e2e_pid_running "$pid"; then
			# The process may have written the line just before exiting.
			if [[ -e "$file" ]] && tr -d '\r' <"$file" | grep -Eq -- "$re"; then
				return 0
			fi
			e2e_log "process $pid exited while waiting for /$re/ in $file"
			_e2e_tail "$file"
			return 1
		fi
		if (( ${EPOCHREALTIME%.*} >= deadline )); then
			e2e_log "timeout (${tmo}s) waiting for /$re/ in $file"
			_e2e_tail "$file"
			return 1
		fi
		sleep 0.1
	done
}

# e2e_wait_guest NAME REGEX TIMEOUT: e2e_wait_for_line on QEMU NAME's console.
e2e_wait_guest() {
	e2e_wait_for_line "${E2E_QEMU_LOG[$1]}" "$2" "$3" "${E2E_QEMU_PID[$1]}"
}

# _e2e_reap NAME: collect QEMU NAME's exit status into E2E_QEMU_RC.
_e2e_reap() {
	local name="$1" pid="${E2E_QEMU_PID[$1]}" rc=0 fd="${E2E_QEMU_INFD[$1]:-}"
	wait "$pid" 2>/dev/null || rc=$?
	E2E_QEMU_RC[$name]=$rc
	if [[ -n "$fd" ]]; then
		exec {fd}>&-
		E2E_QEMU_INFD[$name]=""
	fi
}

# e2e_wait_qemu_exit NAME TIMEOUT: wait (bounded) for QEMU NAME to exit on its
# own and reap it (status: e2e_qemu_rc NAME). Returns 1 if still running at the
# deadline. Must not be called in a subshell.
e2e_wait_qemu_exit() {
	local name="$1" tmo="$2" pid="${E2E_QEMU_PID[$1]}"
	local deadline=$(( ${EPOCHREALTIME%.*} + tmo ))
	if [[ -z "${E2E_QEMU_RC[$name]:-}" ]]; then
		while _e2e_pid_running "$pid"; do
			if (( ${EPOCHREALTIME%.*} >= deadline )); then
				e2e_log "QEMU '$name' (pid $pid) still running after ${tmo}s"
				return 1
			fi
			sleep 0.1
		done
		_e2e_reap "$name"
	fi
}

# e2e_qemu_rc NAME: print QEMU NAME's exit status (empty if not reaped yet).
e2e_qemu_rc() { printf '%s\n' "${E2E_QEMU_RC[$1]:-}"; }

# e2e_kill_qemu NAME [TIMEOUT]: SIGTERM QEMU NAME by pid, wait up to TIMEOUT
# (default 5) seconds, then SIGKILL and wait again. Safe if it already exited.
e2e_kill_qemu() {
	local name="$1" tmo="${2:-5}" pid="${E2E_QEMU_PID[$1]:-}" sig deadline
	[[ -n "$pid" ]] || return 0
	[[ -n "${E2E_QEMU_RC[$name]:-}" ]] && return 0
	for sig in TERM KILL; do
		_e2e_pid_running "$pid" || break
		kill -s "$sig" "$pid" 2>/dev/null || true
		deadline=$(( ${EPOCHREALTIME%.*} + tmo ))
		while _e2e_pid_running "$pid" && (( ${EPOCHREALTIME%.*} < deadline )); do
			sleep 0.1
		done
	done
	if _e2e_pid_running "$pid"; then
		e2e_log "QEMU '$name' (pid $pid) survived SIGKILL"
		return 1
	fi
	_e2e_reap "$name"
}

# _e2e_netns_del NS: kill what still runs inside our netns (by pid), delete its
# tap/tun devices, then the netns itself.
_e2e_netns_del() {
	local ns="$1" pid dev deadline
	ip netns list 2>/dev/null | awk '{print $1}' | grep -qxF -- "$ns" || return 0
	for pid in $(ip netns pids "$ns" 2>/dev/null); do
		kill -s KILL "$pid" 2>/dev/null || true
	done
	deadline=$(( ${EPOCHREALTIME%.*} + 5 ))
	while [[ -n "$(ip netns pids "$ns" 2>/dev/null)" ]] && (( ${EPOCHREALTIME%.*} < deadline )); do
		sleep 0.1
	done
	for dev in $(ip -n "$ns" -o link show type tun 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
		ip -n "$ns" link del "$dev" 2>/dev/null || ip -n "$ns" tuntap del dev "$dev" mode tap 2>/dev/null || true
	done
	ip netns del "$ns" 2>/dev/null || true
}

# e2e_cleanup: kill our QEMUs, delete our netns, run exit hooks. Idempotent.
e2e_cleanup() {
	local name ns hook
	for hook in "${E2E_EXIT_HOOKS[@]}"; do
		eval "$hook" || true
	done
	E2E_EXIT_HOOKS=()
	for name in "${!E2E_QEMU_PID[@]}"; do
		e2e_kill_qemu "$name" 5 || true
	done
	for ns in "${E2E_NETNS[@]}"; do
		_e2e_netns_del "$ns"
	done
}

# e2e_check_clean: after cleanup, verify that no QEMU of ours, no netns of ours
# and no tap device in them (or leaked to the root netns) remains.
e2e_check_clean() {
	local bad=0 p cmd ns leftover
	for p in /proc/[0-9]*; do
		cmd="$(tr '\0' ' ' 2>/dev/null <"$p/cmdline")" || continue
		if [[ "$cmd" == *qemu-system*"-name $E2E_TAG-"* ]]; then
			e2e_log "leftover QEMU pid ${p#/proc/}: $cmd"
			bad=1
		fi
	done
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -F -- "$E2E_TAG-" || true); do
		leftover="$(ip -n "$ns" -o link show type tun 2>/dev/null | awk -F': ' '{print $2}' | tr '\n' ' ')"
		e2e_log "leftover netns $ns${leftover:+ with tap devices: $leftover}"
		bad=1
	done
	# A tap of ours must not have ended up in the root netns (read-only check,
	# limited to names we created and that were not there before we started).
	for p in "${E2E_TAPS[@]}"; do
		if ip -o link show dev "$p" >/dev/null 2>&1 && ! grep -qxF -- "$p" <<<"$E2E_ROOT_LINKS"; then
			e2e_log "tap $p appeared in the root netns"
			bad=1
		fi
	done
	return "$bad"
}

_e2e_exit_trap() {
	local rc=$?
	trap - EXIT
	e2e_cleanup
	if [[ $rc -eq 0 && "${VMTAP_E2E_KEEP:-0}" != 1 ]]; then
		rm -rf "$E2E_WORKDIR"
	else
		e2e_log "logs kept in $E2E_WORKDIR"
	fi
	exit "$rc"
}

# Names of the links in the root netns at start, to detect leaks (read-only).
E2E_ROOT_LINKS="$(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | sort)"
trap _e2e_exit_trap EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
