#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vmtap(8) against the CLI: each command's --help options and its man page section's options are the same set, and every option of the option tables is documented.
#
# Usage: man.sh PATH/TO/vmtap PATH/TO/vmtap.8 CLI_SOURCE_DIR
#
# A command's options in --help: every --long and -x token of its help text.
# In the man page: the tags (the line after .TP) of the .SS sections whose
# heading holds "vmtap COMMAND" (a section may serve several commands:
# ".SS Link settings of vmtap create and vmtap set"). The global options
# (-j, -p, -v, --state-dir, -h, -V and their long forms) are compared once,
# with the GLOBAL OPTIONS section. Needs no privileges and touches nothing.
set -uo pipefail
VMTAP=$(realpath "$1")
MAN=$2
SRC=$3

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok $pass - $*"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $*"; }

globals='^(-j|--json|-p|--pretty|-v|--verbose|--state-dir|-h|--help|-V|--version)$'

# The option tokens of text on stdin, one a line, sorted, unique.
options() {
	grep -oP '(?<![A-Za-z0-9_-])(--[a-z][a-z0-9-]*|-[A-Za-z])(?![A-Za-z0-9_-])' | sort -u
}

# The man page as text: fonts dropped, \- as -; read once (grep -q on a pipe would stop its writer).
MAN_TEXT=$(sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' -e 's/\\(aq/'"'"'/g' "$MAN")
man_text() { printf '%s\n' "$MAN_TEXT"; }

# The .TP tags of the sections for command "$1" (words: "endpoint", "qemu-args").
man_options() {
	man_text | awk -v cmd="vmtap $1" '
		function holds(h,   i) {
			# "vmtap CMD" as whole words: "vmtap create" is not "vmtap created"
			i = index(h " ", cmd " ")
			return i > 0 && (i == 1 || substr(h, i - 1, 1) ~ /[ ,(]/)
		}
		/^\.S[HS] / { h = substr($0, 5); gsub(/"/, "", h); inside = ($1 == ".SS" && holds(h)); next }
		inside && tag { print; tag = 0; next }
		inside && /^\.TP/ { tag = 1 }' | options | grep -vE "$globals"
}

help_options() {
	"$VMTAP" "$@" --help | options | grep -vE "$globals"
}

commands=$("$VMTAP" --help | sed -n '/^Commands:/,/^$/p' | awk 'NF > 1 {print $1}')
[[ -n $commands ]] || { echo "not ok - no commands in 'vmtap --help'"; exit 1; }

for cmd in $commands; do
	h=$(help_options "$cmd")
	m=$(man_options "$cmd")
	if ! grep -qE "^\.SS (.*[ ,(])?vmtap $cmd( |$)" <<<"$MAN_TEXT"; then
		not_ok "$cmd: vmtap(8) has no section '.SS vmtap $cmd'"
	elif [[ $h == "$m" ]]; then
		ok "$cmd: --help and vmtap(8) list the same options: $(tr '\n' ' ' <<<"$h")"
	else
		not_ok "$cmd: --help and vmtap(8) differ: only in --help: $(comm -23 <(echo "$h") <(echo "$m") | tr '\n' ' '); only in vmtap(8): $(comm -13 <(echo "$h") <(echo "$m") | tr '\n' ' ')"
	fi
	# every option --help shows is one the command takes (an unknown one is refused before --help is read)
	sub=()
	[[ $cmd == endpoint ]] && sub=(create)
	bad=()
	for o in $h; do
		err=$("$VMTAP" "$cmd" "${sub[@]}" "$o" x --help 2>&1 >/dev/null)
		[[ $err == *"unknown option"* ]] && bad+=("$o")
	done
	if ((${#bad[@]})); then
		not_ok "$cmd: --help shows options the command refuses as unknown: ${bad[*]}"
	else
		ok "$cmd: every option of its --help is taken"
	fi
done

# every man section 'vmtap WORD' is a command
for w in $(man_text | sed -n 's/^\.SS vmtap \([a-z-]*\).*/\1/p' | sort -u); do
	if grep -qx -- "$w" <<<"$commands"; then ok "section vmtap $w: a command"
	else not_ok "vmtap(8) has a section for 'vmtap $w', which is no command"; fi
done

# the global options: 'vmtap --help' and GLOBAL OPTIONS
h=$("$VMTAP" --help | sed -n '1,/^$/p' | options)
m=$(man_text | awk '/^\.SH /{inside = ($0 ~ /GLOBAL OPTIONS/); next} inside && tag {print; tag = 0; next} inside && /^\.TP/ {tag = 1}' | options)
if [[ $h == "$m" ]]; then ok "global options: the same in 'vmtap --help' and GLOBAL OPTIONS: $(tr '\n' ' ' <<<"$h")"
else not_ok "global options differ: --help: $(tr '\n' ' ' <<<"$h"); vmtap(8): $(tr '\n' ' ' <<<"$m")"; fi

# every option of the option tables (cli/*.c) is a tag of vmtap(8)
all=$(man_text | awk 'tag {print; tag = 0; next} /^\.TP/ {tag = 1}' | options)
tables=$(sed -nE 's/.*CLI_OPT_(VALUE|BARE|STRING|FLAG)\("([a-z0-9-]+)", (0|'"'"'(.)'"'"').*/--\2 \4/p' "$SRC"/*.c |
	tr ' ' '\n' | sed -E '/^$/d; s/^([A-Za-z])$/-\1/' | sort -u)
missing=$(comm -23 <(echo "$tables") <(echo "$all") | tr '\n' ' ')
if [[ -n $tables && -z ${missing// /} ]]; then ok "each of the $(wc -l <<<"$tables") options of cli/*.c's tables is described in vmtap(8)"
elif [[ -z $tables ]]; then not_ok "no option tables found in $SRC/*.c"
else not_ok "options of the option tables in cli/*.c that vmtap(8) does not describe: $missing"; fi

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
