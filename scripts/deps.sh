#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Install, from Debian's packages, everything vmtap needs to build, test and benchmark; does nothing when all is there.
set -euo pipefail

packages=(
	# build
	gcc clang libc6-dev meson ninja-build pkg-config libmnl-dev libjson-c-dev
	# vmtap-bridge-helper: capabilities of a set-uid or file-capability program
	libcap-ng-dev
	# tests of the helper installed with file capabilities: setcap
	libcap2-bin
	# tests: unit framework, libFuzzer runtime and sanitizers for clang, iproute2 to cross-check, jq for JSON
	libcmocka-dev libclang-rt-14-dev iproute2 jq util-linux valgrind
	# vmtap-cni's tests and benchmark: Debian's CNI plugins (bridge, host-local: the chain before ours)
	containernetworking-plugins
	# end-to-end: QEMU and the pieces of the guest built from Debian packages
	qemu-system-x86 busybox-static cpio gzip xz-utils
	# packages (scripts/package-test.sh): dpkg-buildpackage with debhelper, lintian, the systemd.pc the
	# build reads for the unit directory, and systemd-analyze to verify the units
	dpkg-dev debhelper fakeroot lintian systemd
	# tests/systemd/sandbox.sh: gc's system calls, traced against the unit's filters
	strace
)

# one dpkg-query for all (one per package took seconds): the names whose status is "install ok installed"
declare -A installed=()
while read -r name status; do
	[[ $status == "install ok installed" ]] && installed[$name]=1
done < <(dpkg-query -W -f='${Package} ${Status}\n' "${packages[@]}" 2>/dev/null)
missing=()
for p in "${packages[@]}"; do
	[[ -n ${installed[$p]:-} ]] || missing+=("$p")
done
if ((${#missing[@]})); then
	echo "deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
