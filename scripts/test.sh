#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The whole test suite: gcc and clang builds with warnings as errors, ASan+UBSan, fuzz corpora, end-to-end, Debian packages; ends with "N passed, N failed".
#
# Run as root on Debian 12: ./scripts/test.sh   (from an account with sudo: sudo ./scripts/test.sh;
# run as a user, it asks sudo itself)
# Every test that touches interfaces makes its own network namespaces.
set -uo pipefail
if [[ $(id -u) -ne 0 ]]; then
	if command -v sudo >/dev/null; then
		echo "test: it needs root (network namespaces, TAP devices, QEMU, dpkg in a private overlay): asking sudo" >&2
		exec sudo -- "$0" "$@"
	fi
	echo "test: run it as root, e.g. su -c '$0': its tests make network namespaces and TAP devices" >&2
	exit 1
fi
cd "$(dirname "$0")/.."
root=$PWD
out=${VMTAP_BUILD_DIR:-$root/build}

bash scripts/deps.sh || { echo "0 passed, 1 failed"; exit 1; }

passed=0
failed=0
failures=()

# count what meson ran from its log, one JSON object per test
count_meson() {
	local log=$1/meson-logs/testlog.json name
	[[ -f $log ]] || return
	local ok bad
	ok=$(jq -s '[.[] | select(.result == "OK" or .result == "EXPECTEDFAIL")] | length' "$log")
	bad=$(jq -s '[.[] | select(.result != "OK" and .result != "EXPECTEDFAIL" and .result != "SKIP")] | length' "$log")
	passed=$((passed + ok))
	failed=$((failed + bad))
	while read -r name; do failures+=("$2: $name"); done < <(jq -r 'select(.result != "OK" and .result != "EXPECTEDFAIL" and .result != "SKIP") | .name' "$log")
}

# build LABEL DIR SETUP-ARGS...: configure and compile with warnings as errors
build() {
	local label=$1 dir=$2
	shift 2
	echo "=== build: $label"
	if ! { meson setup --wipe "$dir" "$@" >"$dir.setup.log" 2>&1 || meson setup "$dir" "$@" >"$dir.setup.log" 2>&1; }; then
		cat "$dir.setup.log"
		failed=$((failed + 1)); failures+=("$label: meson setup")
		return 1
	fi
	if ! ninja -C "$dir" >"$dir.build.log" 2>&1; then
		tail -50 "$dir.build.log"
		failed=$((failed + 1)); failures+=("$label: build")
		return 1
	fi
	passed=$((passed + 1))
	echo "built $label warning-free"
}

# suites LABEL DIR SUITES...: run meson tests
suites() {
	local label=$1 dir=$2 args=()
	shift 2
	for s in "$@"; do args+=(--suite "$s"); done
	echo "=== test: $label (${*})"
	rm -f "$dir/meson-logs/testlog.json"
	meson test -C "$dir" --print-errorlogs --num-processes 2 "${args[@]}" | grep -Ev '^\s*$'
	count_meson "$dir" "$label"
}

mkdir -p "$out"
common=(-Dwerror=true -Dfault_injection=true -Dbuildtype=debugoptimized)

# 1. gcc: everything
if CC=gcc build gcc "$out/gcc" "${common[@]}"; then
	suites gcc "$out/gcc" unit integration cli fuzz helper cni bench
fi

# ASan + UBSan halt on the first error, in steps 2 and 3
export ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

# 2. clang: build warning-free; unit tests, and the fuzz targets as real libFuzzer binaries with
#    ASan + UBSan replaying their corpora (a memory error that does not crash is caught too)
if CC=clang build clang "$out/clang" "${common[@]}" -Dlibfuzzer=true -Db_sanitize=address,undefined \
	-Db_lundef=false -Dc_args=-fno-sanitize-recover=all -Dc_link_args=-fno-sanitize-recover=all; then
	suites clang "$out/clang" unit fuzz
fi

# 3. gcc with ASan + UBSan: the suites that exercise the kernel and the CLI
if CC=gcc build asan "$out/asan" "${common[@]}" -Db_sanitize=address,undefined -Db_lundef=false \
	-Dc_args=-fno-sanitize-recover=all -Dc_link_args=-fno-sanitize-recover=all; then
	# 20 pods for the cni suite's parallel part: see tests/cni/attach.sh
	VMTAP_CNI_PODS=20 suites asan "$out/asan" unit integration cli helper cni
fi
unset ASAN_OPTIONS UBSAN_OPTIONS

# 3b. valgrind memcheck: the CLI suite with every vmtap command under memcheck (gcc build)
if [[ -x "$out/gcc/cli/vmtap" ]] && command -v valgrind >/dev/null; then
	echo "=== valgrind: tests/cli/cli.sh"
	if bash tests/cli/valgrind.sh "$out/gcc/cli/vmtap" >"$out/valgrind.log" 2>&1; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1)); failures+=("valgrind: tests/cli/valgrind.sh")
	fi
	grep -E '^not ok|passed, |valgrind' "$out/valgrind.log"
fi

# 4. end-to-end with a real QEMU guest
if [[ -d tests/e2e && -x "$out/gcc/cli/vmtap" ]]; then
	for t in tests/e2e/test-*.sh tests/e2e/smoke.sh; do
		[[ -f $t ]] || continue
		echo "=== e2e: $t"
		if VMTAP="$out/gcc/cli/vmtap" bash "$t"; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1)); failures+=("e2e: $t")
		fi
	done
fi

# 5. Debian packages: built once, lintian, installed in a private overlay of /usr, /etc and /var,
#    the CLI suite against the installed /usr/sbin/vmtap, purged; the machine stays as it was
echo "=== packages"
bash scripts/package-test.sh "$out/package" 2>&1 | tee "$out/package.log"
if [[ $(tail -1 "$out/package.log") =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
	passed=$((passed + BASH_REMATCH[1]))
	failed=$((failed + BASH_REMATCH[2]))
	while read -r f; do failures+=("packages: ${f#not ok - }"); done < <(grep '^not ok - ' "$out/package.log")
else
	failed=$((failed + 1)); failures+=("packages: scripts/package-test.sh ended early")
fi

echo
for f in "${failures[@]}"; do echo "FAILED: $f"; done
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
