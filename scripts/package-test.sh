#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The Debian packages built once, linted, installed where the machine cannot see them, tested there, purged; ends with "N passed, N failed".
#
# Usage: sudo scripts/package-test.sh [WORKDIR]     (default: build/package, emptied first)
#
# The machine is left as it was. dpkg -i runs in a private mount namespace in
# which /usr, /etc and /var are overlayfs mounts whose upper layers are in
# WORKDIR, /run, /tmp and /dev/shm are fresh tmpfs, and the rest of / is
# read-only: every write of dpkg and of the maintainer scripts lands in
# WORKDIR or fails. Inside, the installed /usr/sbin/vmtap runs the CLI suite
# (tests/cli/cli.sh) and the installed vmtap-gc.service its sandbox test
# (tests/systemd/sandbox.sh); the purge is checked to leave nothing behind.
# Afterwards the test checks that dpkg's database and the paths the packages
# hold are on the machine as they were before.
set -uo pipefail
cd "$(dirname "$0")/.." || exit
root=$PWD
packages=(libvmtap0 libvmtap-dev vmtap)

pass=0
fail=0
failures=()
ok() { pass=$((pass + 1)); echo "ok $pass - $*"; }
not_ok() { fail=$((fail + 1)); failures+=("$*"); echo "not ok - $*"; }
check() { # check DESCRIPTION COMMAND...: passes when COMMAND succeeds
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}
summary() {
	for f in "${failures[@]}"; do echo "FAILED: $f"; done
	echo "$pass passed, $fail failed"
	[[ $fail -eq 0 ]]
}

# ============================================================================
# Inside the private mount namespace: install, test, purge.
# ============================================================================
inside() {
	local work=$1 ovl=$1/overlay d
	# never on the machine's own mounts: the namespace must be a new one
	if [[ "$(readlink /proc/self/ns/mnt)" == "$(readlink /proc/1/ns/mnt)" ]]; then
		echo "not ok - package-test --inside runs only in a private mount namespace"
		echo "0 passed, 1 failed"
		exit 1
	fi
	mount -t tmpfs -o mode=0755 tmpfs /run &&
		mount -t tmpfs -o mode=1777 tmpfs /tmp &&
		mount -t tmpfs -o mode=1777 tmpfs /dev/shm || { not_ok "private /run, /tmp, /dev/shm"; summary; exit; }
	for d in usr etc var; do
		mkdir -p "$ovl/upper/$d" "$ovl/work/$d"
		mount -t overlay overlay -o "lowerdir=/$d,upperdir=$ovl/upper/$d,workdir=$ovl/work/$d" "/$d" ||
			{ not_ok "overlay on /$d"; summary; exit; }
	done
	# WORKDIR stays writable; everything else on / becomes read-only in this namespace
	# only ("bind": the flag of this mount, not of the file system)
	mount --bind "$work" "$work" && mount -o remount,bind,ro / ||
		{ not_ok "read-only / in the namespace"; summary; exit; }
	check "/ is read-only in the namespace, /usr, /etc, /var are overlays" bash -c \
		"[ \"\$(findmnt -n -o OPTIONS / | cut -d, -f1)\" = ro ] && [ \"\$(findmnt -n -o FSTYPE /usr)\" = overlay ] &&
		 [ \"\$(findmnt -n -o FSTYPE /etc)\" = overlay ] && [ \"\$(findmnt -n -o FSTYPE /var)\" = overlay ]"
	# a vmtap meson-installed under /usr/local must not stand in for the package's
	mount -t tmpfs -o mode=0755 tmpfs /usr/local
	export TMPDIR=/tmp

	# ---- install ----
	local debs=()
	for p in "${packages[@]}"; do debs+=("$work/${p}_"*.deb); done
	if dpkg -i "${debs[@]}" >"$work/dpkg-install.log" 2>&1; then ok "dpkg -i ${packages[*]}"
	else not_ok "dpkg -i: $(tail -5 "$work/dpkg-install.log")"; fi
	for p in "${packages[@]}"; do
		check "$p: install ok installed, files as shipped (dpkg --verify)" bash -c \
			"[ \"\$(dpkg-query -W -f '\${Status}' $p)\" = 'install ok installed' ] && [ -z \"\$(dpkg --verify $p)\" ]"
	done
	check "dpkg wrote into the overlay: $ovl/upper/usr/sbin/vmtap" test -x "$ovl/upper/usr/sbin/vmtap"
	check "/usr/sbin/vmtap belongs to vmtap" bash -c "dpkg -S /usr/sbin/vmtap | grep -q '^vmtap: '"
	check "vmtap --help runs" bash -c "/usr/sbin/vmtap --help | grep -q 'Commands:'"
	check "/usr/lib/cni/vmtap-cni belongs to vmtap and answers CNI VERSION" bash -c \
		"dpkg -S /usr/lib/cni/vmtap-cni | grep -q '^vmtap: ' &&
		 echo '{\"cniVersion\":\"1.1.0\"}' | CNI_COMMAND=VERSION /usr/lib/cni/vmtap-cni | grep -q '\"supportedVersions\"'"
	check "postinst: systemd-tmpfiles made /run/vmtap 0700 root" bash -c \
		"[ \"\$(stat -c '%F %a %U' /run/vmtap)\" = 'directory 700 root' ]"
	check "postinst: vmtap-gc.service enabled (multi-user.target)" test -L /etc/systemd/system/multi-user.target.wants/vmtap-gc.service
	check "postinst: vmtap-gc.timer enabled (timers.target)" test -L /etc/systemd/system/timers.target.wants/vmtap-gc.timer
	local out rc
	out=$(systemd-analyze verify /lib/systemd/system/vmtap-gc.service /lib/systemd/system/vmtap-gc.timer 2>&1)
	rc=$?
	if [[ $rc -eq 0 && -z $out ]]; then ok "systemd-analyze verify of the installed units (binary and man page found): silent"
	else not_ok "systemd-analyze verify of the installed units: exit $rc: $out"; fi

	# ---- the library and its development files, as a consumer uses them ----
	cat >/tmp/consumer.c <<-'EOF'
		#include <stdio.h>
		#include <vmtap.h>
		int main(void)
		{
			struct vmtap_ctx *ctx;
			int r = vmtap_ctx_new(&ctx);
			if (r < 0)
				return 1;
			r = vmtap_name_validate("vm7-net0");
			vmtap_ctx_free(ctx);
			puts(r == 0 ? "consumer ok" : "consumer failed");
			return r != 0;
		}
	EOF
	check "a program built with pkg-config libvmtap runs against libvmtap.so.0" bash -c \
		"cc -Wall -Werror -o /tmp/consumer /tmp/consumer.c \$(pkg-config --cflags --libs libvmtap) &&
		 ldd /tmp/consumer | grep -Eq 'libvmtap\.so\.0 => /(usr/)?lib/' &&
		 /tmp/consumer | grep -qx 'consumer ok'"
	# libvmtap.a with what pkg-config --static adds; Debian ships no libmnl.a, so the
	# libraries below libvmtap stay shared
	check "the same program with libvmtap.a (pkg-config --static)" bash -c \
		"cc -Wall -Werror -o /tmp/consumer-static /tmp/consumer.c \$(pkg-config --cflags libvmtap) \
		   -Wl,-Bstatic -lvmtap -Wl,-Bdynamic \$(pkg-config --static --libs libvmtap | sed 's/-lvmtap//') &&
		 ! ldd /tmp/consumer-static | grep -q libvmtap && /tmp/consumer-static | grep -qx 'consumer ok'"

	# ---- the CLI suite and the gc sandbox test against what was installed ----
	echo "--- tests/cli/cli.sh /usr/sbin/vmtap"
	out=$(bash "$root/tests/cli/cli.sh" /usr/sbin/vmtap 2>&1)
	rc=$?
	grep '^not ok' <<<"$out"
	if [[ $rc -eq 0 ]]; then ok "CLI suite against the installed /usr/sbin/vmtap: $(tail -1 <<<"$out")"
	else not_ok "CLI suite against the installed /usr/sbin/vmtap: $(tail -1 <<<"$out")"; fi
	echo "--- tests/cli/completion.sh /usr/sbin/vmtap /usr/share/bash-completion/completions/vmtap"
	out=$(bash "$root/tests/cli/completion.sh" /usr/sbin/vmtap /usr/share/bash-completion/completions/vmtap 2>&1)
	rc=$?
	grep '^not ok' <<<"$out"
	if [[ $rc -eq 0 ]]; then ok "the installed bash completion completes the installed vmtap: $(tail -1 <<<"$out")"
	else not_ok "the installed bash completion: $(tail -1 <<<"$out")"; fi
	echo "--- tests/systemd/sandbox.sh /lib/systemd/system/vmtap-gc.service /usr/sbin/vmtap"
	out=$(bash "$root/tests/systemd/sandbox.sh" /lib/systemd/system/vmtap-gc.service /usr/sbin/vmtap 2>&1)
	rc=$?
	grep '^not ok' <<<"$out"
	if [[ $rc -eq 0 ]]; then ok "installed vmtap-gc.service: gc in its sandbox: $(tail -1 <<<"$out")"
	else not_ok "installed vmtap-gc.service: gc in its sandbox: $(tail -1 <<<"$out")"; fi

	# ---- purge: nothing of the packages is left ----
	if dpkg --purge "${packages[@]}" >"$work/dpkg-purge.log" 2>&1; then ok "dpkg --purge ${packages[*]}"
	else not_ok "dpkg --purge: $(tail -5 "$work/dpkg-purge.log")"; fi
	# The upper layers now hold every file created, changed or deleted (a whiteout) since
	# the namespace began. Only dpkg's own bookkeeping, logs and caches may be among them.
	local left
	left=$(cd "$ovl/upper" && find . ! -type d | sed 's|^\./|/|' | grep -Ev \
		-e '^/var/lib/dpkg/' -e '^/var/log/' -e '^/var/cache/(man|ldconfig)/' -e '^/etc/ld\.so\.cache$' | sort)
	check "after the purge nothing of the packages is left in /usr, /etc, /var${left:+: $(tr '\n' ' ' <<<"$left")}" test -z "$left"
	check "no file of the packages is installed any more" bash -c "! dpkg-query -W ${packages[*]} 2>/dev/null | grep -q ."
	summary
}

if [[ ${1:-} == --inside ]]; then
	inside "$2"
	exit
fi

# ============================================================================
# On the machine: build, lint, then install and test in the namespace.
# ============================================================================
work=$(realpath -m "${1:-${VMTAP_BUILD_DIR:-$root/build}/package}")
for d in /usr /etc /var /run /tmp; do
	if [[ $work == "$d" || $work == "$d"/* ]]; then
		echo "package-test: WORKDIR $work is under $d, which the test overlays; pick another" >&2
		exit 2
	fi
done
[[ $(id -u) -eq 0 ]] || { echo "package-test: needs root (namespaces, mounts, dpkg)"; echo "0 passed, 1 failed"; exit 1; }
# the overlay's work directories keep mode 000 subdirectories: root removes them
rm -rf "$work"
mkdir -p "$work/src/vmtap" "$work/tmp"
# dpkg-buildpackage, lintian and their helpers keep their temporary files here
export TMPDIR=$work/tmp

# ---- the symbols file follows the version script ----
if out=$(bash scripts/gen-symbols.sh --check 2>&1); then ok "debian/libvmtap0.symbols matches lib/libvmtap.sym"
else echo "$out"; not_ok "debian/libvmtap0.symbols matches lib/libvmtap.sym (run scripts/gen-symbols.sh)"; fi

# ---- build once, from a copy: dpkg-buildpackage writes its results next to the source ----
# the working tree as git sees it (uncommitted changes included, build/ and ignored files not)
if git rev-parse --git-dir >/dev/null 2>&1; then
	git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do [[ -e $f || -L $f ]] && printf '%s\0' "$f"; done |
		tar --null -T - -cf - | tar -xf - -C "$work/src/vmtap"
else
	tar --exclude=./build -cf - . | tar -xf - -C "$work/src/vmtap"
fi
echo "--- dpkg-buildpackage -us -uc -b (log: $work/build.log)"
t0=$SECONDS
if (cd "$work/src/vmtap" && DEB_BUILD_OPTIONS="parallel=$(nproc) ${DEB_BUILD_OPTIONS:-}" \
	dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1; then
	ok "dpkg-buildpackage -us -uc -b ($((SECONDS - t0)) s)"
else
	tail -40 "$work/build.log"
	not_ok "dpkg-buildpackage -us -uc -b (see $work/build.log)"
	summary
	exit
fi
mv "$work"/src/*.deb "$work"/src/*.changes "$work"/src/*.buildinfo "$work/"
for p in "${packages[@]}"; do
	deb=("$work/${p}_"*.deb)
	check "package $p built: ${deb[0]##*/}" test -f "${deb[0]}"
done
compiler_warnings=$(grep -c 'warning:' "$work/build.log")
check "the package build compiles without warnings ($compiler_warnings)" test "$compiler_warnings" -eq 0

# ---- lintian: errors and warnings fail, overrides carry their reasons ----
echo "--- lintian"
out=$(lintian --display-info --pedantic --fail-on error,warning "$work"/vmtap_*.changes 2>&1)
rc=$?
out=$(grep -v 'running with root privileges is not recommended' <<<"$out")
[[ -n $out ]] && echo "$out"
check "lintian: no errors or warnings, no overrides" test $rc -eq 0

# ---- what the machine looks like before ----
# every path the packages hold (directories aside) and whether it exists now
paths_state() {
	local deb
	for deb in "$work"/*.deb; do dpkg-deb -c "$deb"; done | awk '$1 !~ /^d/ { print $6 }' | sed 's|^\./|/|' | sort -u |
		while read -r p; do if [[ -e $p || -L $p ]]; then echo "present $p $(md5sum <"$p" 2>/dev/null | cut -c1-32)"; else echo "absent $p"; fi; done
}
machine_state() {
	md5sum /var/lib/dpkg/status
	dpkg-query -W -f '${Package} ${Status}\n' | grep -E "^($(IFS='|'; echo "${packages[*]}")) " || true
	stat -c '%n %F %a %U' /run/vmtap 2>/dev/null || echo "/run/vmtap absent"
	findmnt -n -o TARGET,OPTIONS / | awk '{ split($2, o, ","); print $1, o[1] }'
	paths_state
}
machine_state >"$work/machine.before"

# ---- install and test in the namespace ----
echo "--- in a private mount namespace: dpkg -i, tests, dpkg --purge"
unshare --mount --propagation private -- bash "$0" --inside "$work" | tee "$work/inside.log"
line=$(tail -1 "$work/inside.log")
if [[ $line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
	pass=$((pass + BASH_REMATCH[1]))
	fail=$((fail + BASH_REMATCH[2]))
	[[ ${BASH_REMATCH[2]} -eq 0 ]] || failures+=("in the namespace: see above")
else
	not_ok "the namespace part ended early: $line"
fi

# ---- the machine is as it was ----
machine_state >"$work/machine.after"
if diff -u "$work/machine.before" "$work/machine.after" >"$work/machine.diff"; then
	ok "the machine is as before: dpkg database, the packages' $(grep -c '^absent' "$work/machine.before") absent paths, /run/vmtap, / rw"
else
	cat "$work/machine.diff"
	not_ok "the machine changed (see above)"
fi
# the overlays' layers are of no use once the namespace is gone; packages and logs stay
rm -rf "$work/overlay" "$work/src"
summary
