#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The kernel-doc check can fail: on copies of vmtap.h with a gap in the documentation, it must say which.
#
# Usage: api-doc-catches.sh API_DOC_SH VMTAP_H
set -u
script=$1 header=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# expect_caught NAME WANT COMMAND: the check fails on the header filtered through COMMAND, saying WANT
expect_caught() {
	local name=$1 want=$2 cmd=$3 out
	eval "$cmd" <"$header" >"$tmp/vmtap.h"
	if cmp -s "$header" "$tmp/vmtap.h"; then
		echo "not ok - $name: the edit changed nothing (the header moved on: update this test)"; fail=1
	elif out=$(bash "$script" --check "$tmp/vmtap.h"); then
		echo "not ok - $name was not caught: $out"; fail=1
	elif [[ $out != *"$want"* ]]; then
		echo "not ok - $name was caught without saying \"$want\": $out"; fail=1
	else
		echo "ok - $name is caught: ${out%%$'\n'*}"
	fi
}

if ! out=$(bash "$script" --check "$header"); then
	echo "not ok - the header itself does not pass: $out"; fail=1
fi
expect_caught "a missing @param" "vmtap_tap_create(): parameter ret_tap has no @ret_tap: line" \
	"sed '/^ \* vmtap_tap_create() - /,/\*\//{/^ \* @ret_tap:/d}'"
expect_caught "a missing Return: section" "vmtap_link_delete(): no Return: section" \
	"sed '/^ \* vmtap_link_delete() - /,/\*\//{/^ \* Return:/,/^ \*\//{/^ \*\//!d}}'"
# the whole /** ... */ block above vmtap_probe() goes
expect_caught "a function without a comment" "vmtap_probe(): no kernel-doc comment" \
	"awk '\$0 == \"/**\" { held = 1; next }
	     held { held = 0; if (\$0 ~ /^ \\* vmtap_probe\\(\\) - /) skip = 1; else print \"/**\" }
	     skip { if (\$0 ~ /\\*\\//) skip = 0; next }
	     { print }'"
expect_caught "a comment naming another function" "the kernel-doc comment above it" \
	"sed 's/^ \* vmtap_tap_name() - / * vmtap_tap_names() - /'"
expect_caught "a parameter renamed in the declaration only" "@queue: describes nothing of that name" \
	"sed 's/^int vmtap_tap_fd(const struct vmtap_tap \*tap, unsigned int queue);/int vmtap_tap_fd(const struct vmtap_tap *tap, unsigned int q);/'"
expect_caught "a struct member without a description" "struct vmtap_unplug_opts: member keep has no @keep: line" \
	"sed '/^ \* struct vmtap_unplug_opts - /,/\*\//{/^ \* @keep:/,/^ \*\t/d}'"
expect_caught "an enum constant without a description" "enum vmtap_persist: constant VMTAP_PERSIST_ON has no" \
	"sed '/^ \* @VMTAP_PERSIST_ON:/d'"
expect_caught "a callback type without a parameter" "typedef vmtap_gc_fn: parameter event has no" \
	"sed '/^ \* typedef vmtap_gc_fn - /,/\*\//{/^ \* @event:/d}'"
# a declaration where the parser does not look is still found, as tests/abi/abi.sh finds it
expect_caught "a function the parser does not see" "this check did not parse: vmtap_hidden" \
	"sed 's/^extern \"C\" {\$/&\nint vmtap_hidden(void);/'"
exit $fail
