#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds (and caches) the e2e guest: a Debian cloud kernel plus a busybox initramfs with virtio-net modules.
#
# Usage: tests/e2e/build-guest.sh [CACHE_DIR]
#   CACHE_DIR defaults to ${VMTAP_GUEST_CACHE:-/var/cache/vmtap-e2e}.
#   Set VMTAP_E2E_REBUILD=1 to force a rebuild.
#
# Outputs in CACHE_DIR:
#   vmlinuz            guest kernel (from the package linux-image-cloud-amd64 depends on)
#   initramfs.cpio.gz  busybox initramfs with /init and the virtio modules
#   guest.info         key=value description; written last, it is the cache stamp
#
# Everything comes from Debian packages: the kernel .deb is fetched with
# `apt-get download` and unpacked with `dpkg-deb -x`; it is never installed.

set -euo pipefail

SCRIPT="$(readlink -f "${BASH_SOURCE[0]}")"
CACHE_DIR="${1:-${VMTAP_GUEST_CACHE:-/var/cache/vmtap-e2e}}"
META_PKG="linux-image-cloud-amd64"
# Load order matters: dependencies first.
MODULES=(failover net_failover virtio_ring virtio virtio_pci_legacy_dev
         virtio_pci_modern_dev virtio_pci virtio_net)

log() { printf 'build-guest: %s\n' "$*" >&2; }
die() { printf 'build-guest: error: %s\n' "$*" >&2; exit 1; }

APT_UPDATED=0
apt_update_once() {
	if [[ $APT_UPDATED -eq 0 ]]; then
		log "apt-get update"
		apt-get update -qq >&2
		APT_UPDATED=1
	fi
}

# ensure_pkgs PKG...: install the packages that dpkg does not report as installed.
ensure_pkgs() {
	local p missing=()
	for p in "$@"; do
		dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed' || missing+=("$p")
	done
	[[ ${#missing[@]} -eq 0 ]] && return 0
	apt_update_once
	log "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

is_fresh() {
	local f
	for f in vmlinuz initramfs.cpio.gz guest.info; do
		[[ -s "$CACHE_DIR/$f" && "$CACHE_DIR/$f" -nt "$SCRIPT" ]] || return 1
	done
	[[ "$CACHE_DIR/guest.info" -nt "$CACHE_DIR/vmlinuz" ]] || return 1
	[[ "$CACHE_DIR/guest.info" -nt "$CACHE_DIR/initramfs.cpio.gz" ]] || return 1
}

# The guest's /init (busybox sh). Kept here so the script's mtime covers it.
write_init() {
	cat >"$1" <<'INIT_EOF'
#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# vmtap e2e guest init: loads virtio-net, configures the NIC, pings the host, reports, powers off.
# shellcheck shell=sh
#
# Kernel command line parameters (all optional):
#   vmtap.mode=ping|wait|hotplug|hotplug-wait|probe   (default ping)
#       ping          configure the NIC, ping the host, power off
#       wait          like ping, then stay up (answering pings) until the host
#                     writes "vmtap-stop" on the serial console or the timeout
#       hotplug       wait for a new ethX to appear (host hot-plugs it), then as ping
#       hotplug-wait  hotplug, then as wait
#       hotplug-loop  again and again: wait for a new ethX, configure it, report its
#                     queues, ping the host, answer pings until it is unplugged
#                     ("unplugged iface=ethX"); until vmtap-stop or the timeout
#       probe         print "VMTAP-GUEST: boot" and power off (accelerator probe)
#   vmtap.ip=10.99.0.2/24    guest address (default 10.99.0.2/24)
#   vmtap.host=10.99.0.1     address to ping (default 10.99.0.1)
#   vmtap.count=3            echo requests to send (default 3)
#   vmtap.iface=eth0         interface for ping/wait modes (default eth0)
#   vmtap.queues=N           try `ethtool -L IFACE combined N` (skipped if unavailable)
#   vmtap.timeout=60         seconds for the wait phase / hotplug wait (default 60)
#   vmtap.tcp=PORT           TCP both ways (ping and wait modes): serve a banner
#                            "VMTAP-TCP-GUEST" on PORT, and after the ping, read
#                            the host's banner from HOST:PORT ("tcp ok BANNER")
#
# Every report line starts with "VMTAP-GUEST: ".

PATH=/sbin:/bin:/usr/sbin:/usr/bin
export PATH

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null || true
exec 0</dev/console 1>/dev/console 2>&1
mkdir -p /tmp /run

say() { echo "VMTAP-GUEST: $*"; }

uptime_s() { read -r u _ </proc/uptime; echo "${u%%.*}"; }

finish() {
	say "poweroff"
	# Setting the tty attributes uses TCSADRAIN: waits for the console to drain.
	stty "$(stty -g)" 2>/dev/null
	poweroff -f
	# Not reached; keep pid 1 alive in case poweroff fails.
	while :; do sleep 60; done
}

MODE=ping IP=10.99.0.2/24 HOST=10.99.0.1 COUNT=3 IFACE=eth0 QUEUES='' TIMEOUT=60 TCP=''
read -r cmdline </proc/cmdline
for w in $cmdline; do
	case "$w" in
	vmtap.mode=*) MODE=${w#*=} ;;
	vmtap.ip=*) IP=${w#*=} ;;
	vmtap.host=*) HOST=${w#*=} ;;
	vmtap.count=*) COUNT=${w#*=} ;;
	vmtap.iface=*) IFACE=${w#*=} ;;
	vmtap.queues=*) QUEUES=${w#*=} ;;
	vmtap.timeout=*) TIMEOUT=${w#*=} ;;
	vmtap.tcp=*) TCP=${w#*=} ;;
	esac
done
say "boot mode=$MODE uptime=$(cut -d' ' -f1 /proc/uptime)"
[ "$MODE" = probe ] && finish

loaded='' skipped=''
for m in failover net_failover virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_net; do
	if [ -f "/lib/modules/$m.ko" ]; then
		if insmod "/lib/modules/$m.ko"; then
			loaded="$loaded $m"
		else
			say "error: insmod $m failed"
		fi
	else
		skipped="$skipped $m"
	fi
done
say "modules loaded:${loaded:- none} skipped(builtin/absent):${skipped:- none}"

ifaces_now() {
	for p in /sys/class/net/eth*; do [ -e "$p" ] && echo "${p##*/}"; done
}

count() { n=0; for p in "$@"; do [ -e "$p" ] && n=$((n + 1)); done; echo "$n"; }

# Console input doubles as the bounded sleep of the loops below: "vmtap-stop" ends the run.
nap() {
	# shellcheck disable=SC3045 # busybox ash supports read -t
	if read -r -t "$1" line; then
		case "$line" in *vmtap-stop*) say "stop requested"; finish ;; esac
	fi
}

if [ "$MODE" = hotplug-loop ]; then
	ip link set lo up
	deadline=$(( $(uptime_s) + TIMEOUT ))
	before=" $(ifaces_now | tr '\n' ' ') "
	say "hotplug-loop waiting have=[$before] timeout=${TIMEOUT}s"
	while [ "$(uptime_s)" -lt "$deadline" ]; do
		IFACE=
		for i in $(ifaces_now); do
			case "$before" in *" $i "*) ;; *) IFACE=$i; break ;; esac
		done
		if [ -z "$IFACE" ]; then
			nap 1
			continue
		fi
		ip link set "$IFACE" up
		ip addr add "$IP" dev "$IFACE"
		say "hotplug iface=$IFACE mac=$(cat "/sys/class/net/$IFACE/address")"
		say "queues=$(count "/sys/class/net/$IFACE/queues/"rx-*) txqueues=$(count "/sys/class/net/$IFACE/queues/"tx-*)"
		if ping -A -c "$COUNT" -w $((COUNT + 5)) "$HOST"; then say "ping ok"; else say "ping fail"; fi
		say "plugged iface=$IFACE"
		while [ -e "/sys/class/net/$IFACE" ] && [ "$(uptime_s)" -lt "$deadline" ]; do
			nap 1
		done
		[ -e "/sys/class/net/$IFACE" ] || say "unplugged iface=$IFACE"
		before=" $(ifaces_now | tr '\n' ' ') "
	done
	say "wait timeout"
	finish
fi

case "$MODE" in
hotplug|hotplug-wait)
	have=$(ifaces_now | tr '\n' ' ')
	before=" $have "
	say "hotplug waiting have=[${have% }] timeout=${TIMEOUT}s"
	deadline=$(( $(uptime_s) + TIMEOUT ))
	IFACE=
	while [ -z "$IFACE" ]; do
		for i in $(ifaces_now); do
			case "$before" in *" $i "*) ;; *) IFACE=$i; break ;; esac
		done
		[ -n "$IFACE" ] && break
		if [ "$(uptime_s)" -ge "$deadline" ]; then
			say "hotplug timeout"
			finish
		fi
		sleep 0.2
	done
	say "hotplug iface=$IFACE"
	;;
ping|wait)
	# Device probing is asynchronous: give the NIC a bounded time to appear.
	deadline=$(( $(uptime_s) + 10 ))
	while [ ! -e "/sys/class/net/$IFACE" ]; do
		if [ "$(uptime_s)" -ge "$deadline" ]; then
			say "error: no $IFACE"
			say "ping fail"
			finish
		fi
		sleep 0.1
	done
	;;
*)
	say "error: unknown vmtap.mode=$MODE"
	finish
	;;
esac

ip link set lo up
ip link set "$IFACE" up
ip addr add "$IP" dev "$IFACE"
say "iface=$IFACE mac=$(cat "/sys/class/net/$IFACE/address") ip=$IP"
say "ready"

if [ -n "$QUEUES" ]; then
	if command -v ethtool >/dev/null 2>&1; then
		ethtool -L "$IFACE" combined "$QUEUES" || say "error: ethtool -L $IFACE combined $QUEUES failed"
	else
		say "ethtool unavailable, skipping -L combined $QUEUES"
	fi
fi
say "queues=$(count "/sys/class/net/$IFACE/queues/"rx-*) txqueues=$(count "/sys/class/net/$IFACE/queues/"tx-*)"

if ping -A -c "$COUNT" -w $((COUNT + 5)) "$HOST"; then
	say "ping ok"
else
	say "ping fail"
fi

if [ -n "$TCP" ]; then
	printf '#!/bin/sh\necho VMTAP-TCP-GUEST\n' >/tmp/banner
	chmod 0755 /tmp/banner
	nc -ll -p "$TCP" -e /tmp/banner &
	banner=$(nc -w 5 "$HOST" "$TCP" </dev/null | tr -d '\r')
	if [ -n "$banner" ]; then say "tcp ok $banner"; else say "tcp fail"; fi
fi

case "$MODE" in
wait|hotplug-wait)
	say "waiting timeout=${TIMEOUT}s (write vmtap-stop on the console to stop)"
	deadline=$(( $(uptime_s) + TIMEOUT ))
	while :; do
		# shellcheck disable=SC3045 # busybox ash supports read -t
		if read -r -t 1 line; then
			case "$line" in
			*vmtap-stop*) say "stop requested"; break ;;
			esac
		fi
		if [ "$(uptime_s)" -ge "$deadline" ]; then
			say "wait timeout"
			break
		fi
	done
	;;
esac
finish
INIT_EOF
	chmod 0755 "$1"
}

build() {
	local tmp kpkg kver deb kroot krel modsrc m f busybox bbver applet
	local -a ko=() builtin=() absent=()

	ensure_pkgs busybox-static
	mkdir -p "$CACHE_DIR"
	tmp="$(mktemp -d "$CACHE_DIR/.build.XXXXXX")"
	# shellcheck disable=SC2064
	trap "rm -rf '$tmp'" EXIT

	# Which kernel image does the cloud meta-package point at?
	if ! apt-cache show "$META_PKG" >/dev/null 2>&1; then
		apt_update_once
	fi
	kpkg="$(apt-cache depends "$META_PKG" | awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }')"
	[[ -n "$kpkg" ]] || die "cannot resolve the kernel package $META_PKG depends on"
	log "kernel package: $kpkg"

	mkdir -p "$tmp/dl"
	# Let apt's unprivileged download user write there (avoids the sandbox warning).
	chmod 0755 "$tmp"
	chown _apt "$tmp/dl" 2>/dev/null || true
	(cd "$tmp/dl" && apt-get download -qq "$kpkg" >&2) || {
		apt_update_once
		(cd "$tmp/dl" && apt-get download -qq "$kpkg" >&2)
	}
	deb="$(find "$tmp/dl" -maxdepth 1 -name "${kpkg}_*.deb" | head -n1)"
	[[ -n "$deb" ]] || die "apt-get download $kpkg produced no .deb"
	kver="$(dpkg-deb -f "$deb" Version)"
	kroot="$tmp/kernel"
	dpkg-deb -x "$deb" "$kroot"
	rm -f "$deb"

	f="$(find "$kroot/boot" -maxdepth 1 -name 'vmlinuz-*' | head -n1)"
	[[ -n "$f" ]] || die "no /boot/vmlinuz-* in $kpkg"
	krel="${f##*/vmlinuz-}"
	cp "$f" "$tmp/vmlinuz"
	modsrc=""
	for d in "$kroot/lib/modules/$krel" "$kroot/usr/lib/modules/$krel"; do
		[[ -d "$d" ]] && modsrc="$d" && break
	done
	[[ -n "$modsrc" ]] || die "no lib/modules/$krel in $kpkg"

	# Initramfs tree.
	local root="$tmp/root"
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,run,etc,lib/modules}
	busybox="$(dpkg -L busybox-static | grep -E '/busybox$' | while read -r p; do
		[[ -f "$p" && -x "$p" ]] && echo "$p" && break; done)"
	[[ -n "$busybox" ]] || die "busybox-static has no busybox binary"
	bbver="$(dpkg-query -W -f '${Version}' busybox-static)"
	cp "$busybox" "$root/bin/busybox"
	while read -r applet; do
		[[ -z "$applet" || "$applet" == bin/busybox ]] && continue
		mkdir -p "$root/$(dirname "$applet")"
		[[ -e "$root/$applet" ]] || ln -s /bin/busybox "$root/$applet"
	done < <("$root/bin/busybox" --list-full)
	[[ -e "$root/bin/sh" ]] || ln -s /bin/busybox "$root/bin/sh"
	mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || true
	mknod -m 666 "$root/dev/null" c 1 3 2>/dev/null || true

	for m in "${MODULES[@]}"; do
		f="$(find "$modsrc/kernel" -type f \( -name "$m.ko" -o -name "$m.ko.xz" -o -name "$m.ko.zst" -o -name "$m.ko.gz" \) | head -n1)"
		if [[ -n "$f" ]]; then
			case "$f" in
			*.ko) cp "$f" "$root/lib/modules/$m.ko" ;;
			*.ko.xz) ensure_pkgs xz-utils; xz -dc "$f" >"$root/lib/modules/$m.ko" ;;
			*.ko.zst) ensure_pkgs zstd; zstd -qdc "$f" >"$root/lib/modules/$m.ko" ;;
			*.ko.gz) gzip -dc "$f" >"$root/lib/modules/$m.ko" ;;
			esac
			ko+=("$m(${f##*/})")
		elif grep -Eq "(^|/)$m\.ko" "$modsrc/modules.builtin" 2>/dev/null; then
			builtin+=("$m")
		else
			absent+=("$m")
		fi
	done
	[[ -e "$root/lib/modules/virtio_net.ko" ]] || printf '%s\n' "${builtin[@]}" | grep -qx virtio_net ||
		die "virtio_net is neither a module nor built into $kpkg"
	log "modules: ko=[${ko[*]}] builtin=[${builtin[*]}] absent=[${absent[*]}]"

	write_init "$root/init"
	(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | "$root/bin/busybox" cpio -o -H newc -R 0:0 2>/dev/null) |
		gzip -9n >"$tmp/initramfs.cpio.gz"

	cat >"$tmp/guest.info" <<-EOF
	kernel_package=$kpkg
	kernel_version=$kver
	kernel_release=$krel
	modules_ko=${ko[*]}
	modules_builtin=${builtin[*]}
	modules_absent=${absent[*]}
	busybox_version=$bbver
	built_by=$SCRIPT
	EOF

	# Install: drop the stamp first, move the artefacts, write the stamp last.
	rm -f "$CACHE_DIR/guest.info" "$CACHE_DIR/accel"
	mv -f "$tmp/vmlinuz" "$CACHE_DIR/vmlinuz"
	mv -f "$tmp/initramfs.cpio.gz" "$CACHE_DIR/initramfs.cpio.gz"
	touch "$CACHE_DIR/vmlinuz" "$CACHE_DIR/initramfs.cpio.gz"
	mv -f "$tmp/guest.info" "$CACHE_DIR/guest.info.new"
	touch "$CACHE_DIR/guest.info.new"
	mv -f "$CACHE_DIR/guest.info.new" "$CACHE_DIR/guest.info"
	rm -rf "$tmp"
	trap - EXIT
	log "built $kpkg $kver in $CACHE_DIR ($(du -sh "$CACHE_DIR" | cut -f1))"
}

main() {
	[[ $(id -u) -eq 0 ]] || die "must run as root (apt-get download/install, mknod)"
	mkdir -p "$CACHE_DIR"
	exec {lockfd}>"$CACHE_DIR/.lock"
	flock -w 600 "$lockfd" || die "timed out waiting for the build lock on $CACHE_DIR/.lock"
	if [[ "${VMTAP_E2E_REBUILD:-0}" != 1 ]] && is_fresh; then
		log "cached guest in $CACHE_DIR is up to date"
	else
		build
	fi
	printf '%s\n' "$CACHE_DIR"
}

main "$@"
