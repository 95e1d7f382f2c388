#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A fuzzing campaign: every libFuzzer target, with ASan + UBSan, for a set time each; new inputs merged into the seed corpora.
#
# Usage: scripts/fuzz.sh [MINUTES_PER_TARGET (default 10)] [TARGET...]
#        FUZZ_SECONDS=N scripts/fuzz.sh ...   (seconds instead of minutes, for a quick check)
#
# Builds build/fuzz (clang, -Dlibfuzzer=true, ASan + UBSan), runs each target
# (all of fuzz/meson.build's list by default) with -max_total_time on a
# scratch corpus seeded from fuzz/corpus/NAME, then merges what raised
# coverage back into fuzz/corpus/NAME with -merge=1, so the seeds grow and
# stay minimal; the corpora are replayed by `meson test --suite fuzz` in CI.
# A crash stops that target: its input is kept in build/fuzz-artifacts/NAME/
# and the script exits non-zero at the end.  Run as any user; needs clang
# and libclang-rt (scripts/deps.sh installs them).
set -uo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-10}
shift || true
seconds=${FUZZ_SECONDS:-$((minutes * 60))}
# libFuzzer takes -max_total_time=0 as "no limit"
[[ $seconds =~ ^[0-9]+$ && $seconds -gt 0 ]] || { echo "usage: $0 [MINUTES >= 1] [TARGET...]" >&2; exit 2; }
build=build/fuzz
if [[ ! -f $build/build.ninja ]]; then
	CC=clang meson setup "$build" -Dlibfuzzer=true -Db_sanitize=address,undefined -Db_lundef=false \
		-Dbuildtype=debugoptimized >/dev/null || exit 1
fi
ninja -C "$build" >/dev/null || exit 1
targets=("$@")
if ((${#targets[@]} == 0)); then
	mapfile -t targets < <(sed -n "/^fuzz_targets = \\[/,/\\]/p" fuzz/meson.build | grep -o "'[a-z_]*'" | tr -d "'")
fi
export ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
crashed=()
for t in "${targets[@]}"; do
	exe=$build/fuzz/fuzz_$t seeds=fuzz/corpus/$t work=build/fuzz-corpus/$t art=build/fuzz-artifacts/$t
	[[ -x $exe ]] || { echo "fuzz: no target $t"; crashed+=("$t (missing)"); continue; }
	mkdir -p "$work" "$art"
	before=$(ls "$seeds" | wc -l)
	echo "=== $t: ${seconds} s (seeds: $before)"
	if ! "$exe" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$art/" \
		"$work" "$seeds" 2>"$build/fuzz-$t.log"; then
		crashed+=("$t")
		tail -30 "$build/fuzz-$t.log"
	fi
	grep -E '^stat::number_of_executed_units|^stat::new_units_added|cov:' "$build/fuzz-$t.log" | tail -3
	"$exe" -merge=1 "$seeds" "$work" >/dev/null 2>&1
	echo "$t: $before seeds -> $(ls "$seeds" | wc -l)"
done
if ((${#crashed[@]})); then
	echo "fuzz: crashes or errors in: ${crashed[*]} (inputs in build/fuzz-artifacts/)"
	exit 1
fi
echo "fuzz: no crash in ${#targets[@]} targets"
