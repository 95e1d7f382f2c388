#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The shared library's interface: what it exports is exactly the version script, and every function of vmtap.h.
#
# Usage: abi.sh LIBVMTAP_SO VMTAP_H LIBVMTAP_SYM
set -u
so=$1 header=$2 script=$3
fail=0

exported=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDBR]$/ {print $3}' | sed 's/@.*//' | sort -u)
listed=$(sed -n 's/^[[:space:]]*\(vmtap_[a-z0-9_]*\);.*/\1/p' "$script" | sort -u)
# function declarations: "type vmtap_name(" at the start of a line, after the return type
declared=$(grep -ohE '^[a-z][a-z0-9_ *]*[ *]vmtap_[a-z0-9_]+\(' "$header" | sed 's/.*[ *]\(vmtap_[a-z0-9_]*\)($/\1/' | sort -u)

n_exp=$(wc -l <<<"$exported") n_lst=$(wc -l <<<"$listed") n_dec=$(wc -l <<<"$declared")
if [[ -z "$exported" || -z "$listed" || -z "$declared" ]]; then
	echo "not ok - could not read symbols (exported $n_exp, listed $n_lst, declared $n_dec)"
	exit 1
fi
if stray=$(comm -23 <(echo "$exported") <(echo "$listed")) && [[ -n "$stray" ]]; then
	echo "not ok - exported but not in the version script: $stray"; fail=1
else
	echo "ok - nothing exported beyond the version script ($n_exp symbols)"
fi
if missing=$(comm -13 <(echo "$exported") <(echo "$listed")) && [[ -n "$missing" ]]; then
	echo "not ok - in the version script but not exported: $missing"; fail=1
else
	echo "ok - every symbol of the version script is exported"
fi
if missing=$(comm -13 <(echo "$exported") <(echo "$declared")) && [[ -n "$missing" ]]; then
	echo "not ok - declared in vmtap.h but not exported: $missing"; fail=1
else
	echo "ok - every function of vmtap.h is exported ($n_dec)"
fi
# one node until 1.0 (see the policy in the version script): the last one it defines
node=$(sed -n 's/^\(LIBVMTAP_[0-9.]*\) {.*/\1/p' "$script" | tail -1)
if ver=$(objdump -T "$so" | awk -v node="$node" '$NF ~ /^vmtap_/ && $(NF-1) != node {print $NF, $(NF-1)}') && [[ -n "$ver" ]]; then
	echo "not ok - symbols without the $node version: $ver"; fail=1
else
	echo "ok - every symbol carries version $node"
fi
echo "$((4 - fail)) passed, $fail failed"
exit $fail
