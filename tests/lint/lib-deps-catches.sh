#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The layering check can fail: on a copy of lib/ with an upward include and with a cycle, it must say so.
set -u
script=$1 lib=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
cp "$lib"/*.c "$lib"/*.h "$tmp"/
sed -i '0,/^#include "/s//#include "endpoint.h"\n&/' "$tmp/ctx.c"
if out=$(bash "$script" "$tmp"); then
	echo "not ok - ctx.c including endpoint.h was not caught"; fail=1
elif [[ $out != *"ctx (layer 1) includes endpoint (layer "* ]]; then
	echo "not ok - the upward include was caught without saying which: $out"; fail=1
else
	echo "ok - an upward include is caught and named"
fi
cp "$lib"/ctx.c "$tmp"/ctx.c
printf '#include "gc.h"\n' >>"$tmp/endpoint.h"
printf '#include "endpoint.h"\n' >"$tmp/gc.h"
if out=$(bash "$script" "$tmp") || [[ $out != *"cycle"* ]]; then
	echo "not ok - a cycle endpoint <-> gc was not reported as one: $out"; fail=1
else
	echo "ok - a cycle is caught"
fi
exit $fail
