#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The module graph of lib/, from its #include lines: checked for cycles and against the layering of DESIGN.md.
#
# Usage: scripts/lib-deps.sh [LIB_DIR]    (prints "module -> dependency" lines, then the verdict)
#
# A module is a .c file with its .h (ctx.c + ctx.h is "ctx"); an edge is a
# quoted #include of another module's header.  tsort(1) finds any cycle.  The
# layers below say which way dependencies may run: a module may only include
# modules of a lower layer, so nothing at the bottom can call upwards.
set -uo pipefail
dir=${1:-$(dirname "$0")/../lib}
cd "$dir" || exit 2

declare -A layer=(
	[util]=0
	[jsonc]=1
	[ctx]=1
	[validate]=2 [proc]=2
	[netns]=3 [vhost]=3
	[nl]=4
	[link]=5 [tc]=5 [tun]=5 [addr]=5
	[link_set]=6 [macvtap]=6
	[tap]=7
	[state]=8
	[qmp]=9 [qemu]=9 [bridge_helper]=9 [redirect]=9 [macvtap_conn]=9
	[endpoint]=10
	[gc]=11 [hotplug]=11
)

edges=$(for f in *.c *.h; do
	m=${f%.*}
	sed -n 's/^#include "\([a-z_]*\)\.h".*/\1/p' "$f" | while read -r d; do
		[[ $d == "$m" || $d == vmtap ]] || echo "$m $d"
	done
done | sort -u)

fail=0
printf '%s\n' "$edges" | sed 's/ / -> /'
for m in $(printf '%s\n' "$edges" | tr ' ' '\n' | sort -u); do
	if [[ -z ${layer[$m]+set} ]]; then
		echo "not ok - module $m has no layer: add it to scripts/lib-deps.sh (and DESIGN.md)"
		fail=1
	fi
done
while read -r m d; do
	[[ -n ${layer[$m]+set} && -n ${layer[$d]+set} ]] || continue
	if ((layer[$d] >= layer[$m])); then
		echo "not ok - $m (layer ${layer[$m]}) includes $d (layer ${layer[$d]}): dependencies must run downwards"
		fail=1
	fi
done <<<"$edges"
if ! printf '%s\n' "$edges" | tsort >/dev/null 2>/tmp/lib-deps.$$; then
	echo "not ok - the include graph has a cycle: $(tr '\n' ' ' </tmp/lib-deps.$$)"
	fail=1
fi
rm -f /tmp/lib-deps.$$
if ((fail == 0)); then
	echo "ok - $(printf '%s\n' "$edges" | wc -l) edges between $(printf '%s\n' "$edges" | tr ' ' '\n' | sort -u | wc -l) modules, no cycle, every one pointing down a layer"
fi
exit $fail
