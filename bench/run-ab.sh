#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run bench/lifecycle of two or more commits in alternation (A B .. B A ...) in one session, and put their ratios side by side.
#
# Usage: bench/run-ab.sh [--rounds N] [--quick] REV REV [REV...]   (root)
# Each REV is exported (git archive) and built in release mode under
# ${TMPDIR:-/tmp}/vmtap-ab/REV, bench/lifecycle and the vmtap CLI it drives
# included, so each side measures its own library and CLI.  The runs go in
# mirrored rounds (A B C, then C B A, ...) so that a machine that speeds up
# or slows down over the session favours no side.  Absolute figures swing
# 2-4x between runs on a shared machine; the ratios (each against a baseline
# measured in the same run) are what is compared: for each, every run's
# figure per REV, then the REVs' means.  Logs stay in ${TMPDIR:-/tmp}/vmtap-ab.
set -euo pipefail

rounds=2
args=()
while [[ $# -gt 0 ]]; do
	case $1 in
	--rounds) rounds=$2; shift 2 ;;
	--quick) args+=(--quick); shift ;;
	-h|--help) sed -n '4,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[[ $# -ge 2 ]] || { echo "usage: $0 [--rounds N] [--quick] REV REV [REV...]" >&2; exit 2; }
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "--rounds: a positive number" >&2; exit 2; }
src=$(cd "$(dirname "$0")/.." && pwd)
work=${TMPDIR:-/tmp}/vmtap-ab
mkdir -p "$work"

revs=()
for rev in "$@"; do
	sha=$(git -C "$src" rev-parse --short=12 "$rev^{commit}") || { echo "no commit $rev" >&2; exit 2; }
	revs+=("$sha")
	dir=$work/$sha
	if [[ ! -x $dir/build/bench/lifecycle ]]; then
		rm -rf "$dir" && mkdir -p "$dir"
		git -C "$src" archive "$sha" | tar -x -C "$dir"
		meson setup "$dir/build" "$dir" -Dbuildtype=release >/dev/null
		ninja -C "$dir/build" bench/lifecycle bench/noop cli/vmtap >/dev/null
	fi
	echo "built $rev as $sha"
done

# the order of the runs: rounds mirrored in turn
order=()
for ((r = 0; r < rounds; r++)); do
	if ((r % 2 == 0)); then
		for sha in "${revs[@]}"; do order+=("$sha"); done
	else
		for ((i = ${#revs[@]} - 1; i >= 0; i--)); do order+=("${revs[i]}"); done
	fi
done
declare -A nth
for sha in "${order[@]}"; do
	n=$((${nth[$sha]:-0} + 1))
	nth[$sha]=$n
	log=$work/$sha.$n.log
	echo "$(date +%T) run $n of $sha"
	"$work/$sha/build/bench/lifecycle" "${args[@]}" >"$log" 2>"$log.err" || { echo "failed: see $log.err" >&2; exit 1; }
done

# every "label   value[x|/s| us]" line of the two ratio sections, per REV and run
echo
printf '%-72s' "ratio (each run in order; then the mean)"
for sha in "${revs[@]}"; do printf ' | %-28s' "$sha"; done
echo
for sha in "${revs[@]}"; do
	for ((n = 1; n <= rounds; n++)); do
		awk -v tag="$sha" '
			/^Ratios and targets:/ || /^For reference:/ { on = 1; next }
			/^Notes:/ { on = 0 }
			on && NF > 1 {
				line = $0; sub(/^ +/, "", line)
				if (match(line, / +[0-9.]+(x|\/s| us)/)) {
					label = substr(line, 1, RSTART - 1)
					v = substr(line, RSTART, RLENGTH); gsub(/ /, "", v)
					print tag "\t" label "\t" v
				}
			}' "$work/$sha.$n.log"
	done
done | awk -F'\t' -v revs="${revs[*]}" '
	BEGIN { nr = split(revs, r, " ") }
	{
		if (!($2 in seen)) { seen[$2] = 1; order[++nl] = $2 }
		key = $1 SUBSEP $2; vals[key] = vals[key] (vals[key] == "" ? "" : " ") $3
		num = $3; unit = num; sub(/[^0-9.]+$/, "", num); sub(/^[0-9.]+/, "", unit)
		sum[key] += num; cnt[key]++; units[$2] = unit
	}
	END {
		for (i = 1; i <= nl; i++) {
			l = order[i]; printf "%-72s", l
			for (j = 1; j <= nr; j++) {
				key = r[j] SUBSEP l
				printf " | %-28s", cnt[key] ? sprintf("%s = %.2f%s", vals[key], sum[key] / cnt[key], units[l]) : "-"
			}
			printf "\n"
		}
	}'
echo
echo "logs: $work/REV.N.log"
