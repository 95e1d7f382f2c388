#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Writes debian/libvmtap0.symbols from the version script lib/libvmtap.sym; --check only says whether it is up to date.
#
# Usage: scripts/gen-symbols.sh [--check]
# A symbol already in the symbols file keeps its version (the release that
# brought it); a new one gets the upstream version of debian/changelog. The
# package build (DPKG_GENSYMBOLS_CHECK_LEVEL=4 in debian/rules) fails when the
# library's exports and this file differ.
set -euo pipefail
cd "$(dirname "$0")/.."
sym=lib/libvmtap.sym
out=debian/libvmtap0.symbols

check=false
case "${1:-}" in
"") ;;
--check) check=true ;;
*) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

# upstream version of the newest changelog entry: 0.1.0-1 -> 0.1.0
version=$(sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' debian/changelog)
version=${version%-*}
version=${version#*:}
[[ -n $version ]] || { echo "$0: no version in debian/changelog" >&2; exit 1; }

# "NODE SYMBOL" for every global symbol of every version node, and "NODE NODE" for the node itself
entries=$(awk '
	/^[ \t]*\/\*/ { next }
	/^[A-Za-z_][A-Za-z0-9_.]*[ \t]*\{/ { node = $1; sub(/\{.*/, "", node); global = 0; print node, node; next }
	/^[ \t]*global:/ { global = 1; next }
	/^[ \t]*local:/ { global = 0; next }
	/^[ \t]*\}/ { node = ""; next }
	node != "" && global && /^[ \t]*[A-Za-z_][A-Za-z0-9_]*;/ { s = $1; sub(/;.*/, "", s); print node, s }
' "$sym")
[[ -n $entries ]] || { echo "$0: no symbols found in $sym" >&2; exit 1; }

new=$(mktemp)
trap 'rm -f "$new"' EXIT
{
	echo "libvmtap.so.0 libvmtap0 #MINVER#"
	echo "* Build-Depends-Package: libvmtap-dev"
	while read -r node s; do
		v=
		[[ -f $out ]] && v=$(sed -n "s/^ $s@$node \(.*\)$/\1/p" "$out" | head -1)
		echo " $s@$node ${v:-$version}"
	done <<<"$entries" | LC_ALL=C sort
} >"$new"

if $check; then
	if ! diff -u "$out" "$new"; then
		echo "$out does not match $sym: run scripts/gen-symbols.sh" >&2
		exit 1
	fi
	exit 0
fi
# a symbol that leaves the library breaks every program that uses it: that takes a new soname
if [[ -f $out ]]; then
	gone=$(grep '^ ' "$out" | awk '{ print $1 }' | sort | comm -23 - <(grep '^ ' "$new" | awk '{ print $1 }' | sort))
	[[ -z $gone ]] || echo "$0: warning: no longer exported (an ABI break: bump the soname): $gone" >&2
fi
cp "$new" "$out"
echo "wrote $out ($(($(wc -l <"$out") - 2)) symbols)"
