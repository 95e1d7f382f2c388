#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The kernel-doc comments of vmtap.h: turned into a Markdown reference (docs/api.md), or checked for completeness.
#
# Usage: scripts/api-doc.sh [HEADER]               the Markdown reference on stdout
#        scripts/api-doc.sh -o FILE [HEADER]       ... written to FILE (docs/api.md is made so)
#        scripts/api-doc.sh --check [HEADER]       every public declaration documented (exit 1 if not)
#        scripts/api-doc.sh --diff FILE [HEADER]   FILE is what HEADER generates now (exit 1 if not)
# HEADER defaults to include/vmtap.h next to this script.
#
# The comments follow the Linux kernel's kernel-doc format
# (Documentation/doc-guide/kernel-doc.rst), the subset vmtap.h uses:
#
#   /**
#    * name() - one line            (or: struct name -, enum name -, typedef name -, DOC: title)
#    * @param: description, continued on lines that do not start a new @ or section
#    *
#    * Free text; an indented line is code; "* item" or "- item" is a list item.
#    *
#    * Return: what it returns; a list of "* %-EXXX - when" items may follow.
#    */
#
# --check requires, as kernel-doc -Wall would warn otherwise: a comment right
# above every function, callback typedef, struct and enum, naming it; an @
# line with a description for every parameter, member and enum constant, and
# none for anything else; a Return: section for every function and callback
# type not returning void.  It also compares the functions it checked with
# those tests/abi/abi.sh finds in the header, so that no declaration escapes
# the parser.  @name, name(), %CONST and &struct name in the text become
# code in Markdown, as kernel-doc highlights them.
set -uo pipefail

mode=md out= diff_file=
case ${1-} in
-o) out=${2:?-o needs a file}; shift 2 ;;
--check) mode=check; shift ;;
--diff) diff_file=${2:?--diff needs a file}; shift 2 ;;
-h | --help) sed -n '3,9s/^# \{0,1\}//p' "$0"; exit 0 ;;
esac
header=${1:-$(dirname "$0")/../include/vmtap.h}
[[ -r $header ]] || { echo "api-doc: cannot read $header" >&2; exit 2; }

parse_and_emit() {
	awk -v mode="$1" -v hname="$(basename "$header")" '
function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }

# ---- reading the header ----

function new_item(kind, name) {
	n_items++
	ikind[n_items] = kind
	iname[n_items] = name
	idoc[n_items] = 0
	iline[n_items] = NR
	return n_items
}

function attach_doc(it) {
	if (pending_doc) {
		idoc[it] = pending_doc
		dused[pending_doc] = 1
		pending_doc = 0
	}
}

# Split @s at commas (or @sep) outside parentheses and brackets into parts[1..n]; returns n.
function split_top(s, parts, sep,    i, c, depth, cur, n) {
	n = 0; depth = 0; cur = ""
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		if (c == "(" || c == "[" || c == "{") depth++
		else if (c == ")" || c == "]" || c == "}") depth--
		if (c == sep && depth == 0) { parts[++n] = cur; cur = ""; continue }
		cur = cur c
	}
	if (trim(cur) != "") parts[++n] = cur
	return n
}

# The name a parameter or member declaration declares: "const char *bus" -> bus, "uint8_t mac[6]" -> mac.
function decl_name(p,    m) {
	p = trim(p)
	if (p == "void" || p == "") return ""
	if (p == "...") return "..."
	if (match(p, /\(\*[ \t]*[A-Za-z_][A-Za-z0-9_]*/)) {
		m = substr(p, RSTART + 2, RLENGTH - 2)
		return trim(m)
	}
	while (sub(/\[[^]]*\][ \t]*$/, "", p)) { }
	p = trim(p)
	if (match(p, /[A-Za-z_][A-Za-z0-9_]*$/)) return substr(p, RSTART, RLENGTH)
	return ""
}

# The text between the parenthesis at @open and its match.
function paren_body(s, open,    i, c, depth) {
	depth = 0
	for (i = open; i <= length(s); i++) {
		c = substr(s, i, 1)
		if (c == "(") depth++
		else if (c == ")" && --depth == 0) return substr(s, open + 1, i - open - 1)
	}
	return ""
}

function add_params(it, text,    parts, n, k, nm) {
	n = split_top(text, parts, ",")
	for (k = 1; k <= n; k++) {
		nm = decl_name(parts[k])
		if (nm != "") inames[it, ++icount[it]] = nm
	}
}

function classify(stmt, raw,    s, it, name, body, decls, nd, k, parts, np, j, nm, rest, open) {
	s = stmt
	gsub(/[ \t\n]+/, " ", s)
	s = trim(s)
	if (s ~ /^typedef /) {
		if (!match(s, /\(\*[ ]*[A-Za-z_][A-Za-z0-9_]*[ ]*\)/)) { it = new_item("other", s); attach_doc(it); return }
		name = trim(substr(s, RSTART + 2, RLENGTH - 3))
		it = new_item("typedef", name)
		rest = substr(s, RSTART + RLENGTH)
		iret[it] = trim(substr(s, 9, RSTART - 9))
		open = index(rest, "(")
		add_params(it, paren_body(rest, open))
	} else if (s ~ /^(struct|enum|union) [A-Za-z_][A-Za-z0-9_]* ?\{/) {
		split(s, w, " ")
		name = w[2]; sub(/\{.*/, "", name)
		it = new_item(w[1], name)
		body = s
		sub(/^[^{]*\{/, "", body)
		sub(/\}[^}]*$/, "", body)
		if (w[1] == "enum") {
			nd = split_top(body, decls, ",")
			for (k = 1; k <= nd; k++) {
				nm = trim(decls[k]); sub(/[ =].*/, "", nm)
				if (nm != "") inames[it, ++icount[it]] = nm
			}
		} else {
			nd = split_top(body, decls, ";")
			for (k = 1; k <= nd; k++) {
				np = split_top(decls[k], parts, ",")
				for (j = 1; j <= np; j++) {
					nm = decl_name(parts[j])
					if (nm != "") inames[it, ++icount[it]] = nm
				}
			}
		}
	} else if (s ~ /^(struct|enum|union) [A-Za-z_][A-Za-z0-9_]* ?;$/) {
		split(s, w, " ")
		name = w[2]; sub(/;$/, "", name)
		it = new_item("forward", name)
	} else if (match(s, /[A-Za-z_][A-Za-z0-9_]* ?\(/)) {
		name = trim(substr(s, RSTART, RLENGTH - 1))
		it = new_item("function", name)
		iret[it] = trim(substr(s, 1, RSTART - 1))
		add_params(it, paren_body(s, RSTART + RLENGTH - 1))
	} else {
		it = new_item("other", s)
	}
	icode[it] = raw
	attach_doc(it)
}

# A /** */ block: its kind and name, one-line purpose, @ descriptions and body lines.
function parse_doc(d,    k, line, m, cur, name) {
	line = dline[d, 1]
	if (match(line, /^DOC:[ \t]*/)) {
		dkind[d] = "DOC"; dname[d] = trim(substr(line, RLENGTH + 1))
	} else if (match(line, /^(struct|enum|union|typedef|define)[ \t]+[A-Za-z_][A-Za-z0-9_]*[ \t]+-/)) {
		m = substr(line, 1, RLENGTH - 1)
		split(trim(m), w, /[ \t]+/)
		dkind[d] = w[1]; dname[d] = w[2]
		dbrief[d] = trim(substr(line, RLENGTH + 1))
	} else if (match(line, /^[A-Za-z_][A-Za-z0-9_]*\(\)[ \t]+-/)) {
		m = substr(line, 1, RLENGTH - 1)
		dkind[d] = "function"; dname[d] = trim(m); sub(/\(\)$/, "", dname[d])
		dbrief[d] = trim(substr(line, RLENGTH + 1))
	} else {
		dkind[d] = "bad"; dname[d] = line
	}
	cur = ""
	for (k = 2; k <= dlines[d]; k++) {
		line = dline[d, k]
		if (match(line, /^@([A-Za-z_][A-Za-z0-9_]*|\.\.\.):/)) {
			name = substr(line, 2, RLENGTH - 2)
			dpn[d, ++dpcount[d]] = name
			dpd[d, name] = trim(substr(line, RLENGTH + 1))
			dhas[d, name] = 1
			cur = name
			continue
		}
		if (cur != "" && trim(line) != "" && line !~ /^(Return|Returns|Context|Note|Notes|Example|Examples|Description):/) {
			dpd[d, cur] = dpd[d, cur] " " trim(line)
			continue
		}
		cur = ""
		if (trim(line) == "" && dbcount[d] == 0) continue
		dbody[d, ++dbcount[d]] = line
	}
	# a Return: section runs to the next section or the end: its text, for --check
	m = 0
	for (k = 1; k <= dbcount[d]; k++) {
		line = dbody[d, k]
		if (line ~ /^Returns?:/) { m = 1; drettext[d] = trim(substr(line, index(line, ":") + 1)); continue }
		if (m && line ~ /^(Context|Note|Notes|Example|Examples|Description):/) m = 0
		if (m) drettext[d] = drettext[d] trim(line)
	}
}

{
	line = $0
	if (in_doc) {
		if (line ~ /\*\//) {
			in_doc = 0
			parse_doc(n_docs)
			# a DOC: block stands alone; any other describes the declaration that follows
			if (dkind[n_docs] == "DOC") { it = new_item("doc", dname[n_docs]); idoc[it] = n_docs; dused[n_docs] = 1 }
			else pending_doc = n_docs
			next
		}
		sub(/^[ \t]*\*/, "", line)
		sub(/^ /, "", line)
		dline[n_docs, ++dlines[n_docs]] = line
		next
	}
	if (in_comment) {
		if (index(line, "*/")) in_comment = 0
		next
	}
	if (skip_cpp) { if (line ~ /^#endif/) skip_cpp = 0; next }
	if (in_macro) { if (line !~ /\\[ \t]*$/) in_macro = 0; next }
	if (line ~ /^\/\*\*[ \t]*$/) {
		if (pending_doc) stray[pending_doc] = 1
		n_docs++; in_doc = 1; dline_no[n_docs] = NR
		next
	}
	if (match(line, /^\/\* ---- .* ---- \*\/$/)) {
		it = new_item("section", substr(line, 9, length(line) - 16))
		next
	}
	comment = ""
	if (match(line, /\/\*.*\*\//)) comment = trim(substr(line, RSTART + 2, RLENGTH - 4))
	while ((p = index(line, "/*")) > 0) {
		q = index(substr(line, p + 2), "*/")
		if (q == 0) { line = substr(line, 1, p - 1); in_comment = 1; break }
		line = substr(line, 1, p - 1) " " substr(line, p + q + 3)
	}
	if (line ~ /^#/) {
		if (line ~ /^#ifdef __cplusplus/) { skip_cpp = 1; next }
		if (match(line, /^#define [A-Za-z_][A-Za-z0-9_]*\(/)) {
			name = substr(line, 9, RLENGTH - 9)
			it = new_item("macro", name)
			icode[it] = line; sub(/[ \t]*\\[ \t]*$/, "", icode[it])
			attach_doc(it)
		} else if (match(line, /^#define VMTAP_[A-Z0-9_]+[ \t]+[^ \t]/)) {
			split(trim(line), w, /[ \t]+/)
			if (w[2] != hguard) {
				it = new_item("constant", w[2])
				value = trim(line); sub(/^#define[ \t]+[A-Za-z0-9_]+[ \t]+/, "", value)
				ivalue[it] = trim(value); icomment[it] = comment
				attach_doc(it)
			}
		} else if (match(line, /^#ifndef [A-Z_]+_H$/)) {
			hguard = substr(line, 9)
		}
		if (line ~ /\\[ \t]*$/) in_macro = 1
		next
	}
	if (trim(line) == "" && stmt == "") next
	stmt = stmt line "\n"
	if (trim(line) != "") rawc = rawc line "\n"
	t = line
	depth += gsub(/\{/, "{", t) - gsub(/\}/, "}", t)
	if (depth == 0 && trim(line) ~ /;$/) {
		sub(/\n+$/, "", rawc)
		classify(stmt, rawc)
		stmt = ""; rawc = ""
	}
}

END {
	if (pending_doc) stray[pending_doc] = 1
	if (mode == "check") check(); else markdown()
}

# ---- --check ----

function documented(it) {
	return ikind[it] == "function" || ikind[it] == "typedef" || ikind[it] == "struct" ||
	       ikind[it] == "enum" || ikind[it] == "union"
}

function complain(msg) { print "not ok - " msg; bad++ }

function check(    it, d, k, nm, label, want, counts) {
	for (it = 1; it <= n_items; it++) {
		if (ikind[it] == "function") print "function " iname[it]
		d = idoc[it]
		if (ikind[it] == "forward" && d)
			complain(hname ":" dline_no[d] ": a kernel-doc comment on the forward declaration of " iname[it] \
				 " (kernel-doc cannot parse it): use a plain comment")
		if (!documented(it)) continue
		counts[ikind[it]]++
		label = (ikind[it] == "function" ? iname[it] "()" : ikind[it] " " iname[it])
		if (!d) { complain(label ": no kernel-doc comment right above it"); continue }
		want = (ikind[it] == "function" ? "function" : ikind[it])
		if (dkind[d] != want || dname[d] != iname[it]) {
			complain(label ": the kernel-doc comment above it (line " dline_no[d] ") is for " \
				 (dkind[d] == "function" ? dname[d] "()" : dkind[d] " " dname[d]))
			continue
		}
		if (dbrief[d] == "") complain(label ": no one-line description after \" - \"")
		for (k = 1; k <= icount[it]; k++) {
			nm = inames[it, k]
			if (!dhas[d, nm])
				complain(label ": " (ikind[it] == "enum" ? "constant" : ikind[it] == "struct" ? "member" : "parameter") \
					 " " nm " has no @" nm ": line")
			else if (trim(dpd[d, nm]) == "")
				complain(label ": @" nm ": has no description")
			isreal[it, nm] = 1
		}
		for (k = 1; k <= dpcount[d]; k++)
			if (!isreal[it, dpn[d, k]])
				complain(label ": @" dpn[d, k] ": describes nothing of that name")
		if ((ikind[it] == "function" || ikind[it] == "typedef") && iret[it] !~ /^void$/ &&
		    trim(drettext[d]) == "")
			complain(label ": no Return: section (it returns " iret[it] ")")
	}
	for (d = 1; d <= n_docs; d++) {
		if (dkind[d] == "bad")
			complain(hname ":" dline_no[d] ": a /** comment whose first line is not \"name() - ...\", " \
				 "\"struct|enum|typedef|define name - ...\" or \"DOC: title\"")
		else if (stray[d] && dkind[d] != "DOC")
			complain(hname ":" dline_no[d] ": the kernel-doc comment for " dname[d] " is not followed by its declaration")
	}
	printf "summary %d %d %d %d %d\n", counts["function"], counts["typedef"], counts["struct"], counts["enum"], bad
}

# ---- Markdown ----

# Markdown-escape plain text.
function esc(s) {
	gsub(/&/, "\\&amp;", s)
	gsub(/</, "\\&lt;", s)
	gsub(/>/, "\\&gt;", s)
	gsub(/\*/, "\\*", s)
	gsub(/\|/, "\\|", s)
	return s
}

# Plain text with kernel-doc highlights (@param, name(), %CONST, &struct name) and `code` as code spans.
function md(s,    out, re, tok) {
	out = ""
	re = "``[^`]*``|`[^`]*`|\\$[A-Za-z_][A-Za-z0-9_]*|\\*?@[A-Za-z_][A-Za-z0-9_]*(->[A-Za-z_][A-Za-z0-9_]*)?|[A-Za-z_][A-Za-z0-9_]*\\(\\)|%-?[A-Za-z0-9_]+|&(struct |enum )?[A-Za-z_][A-Za-z0-9_]*"
	# identifiers with an underscore (vmtap_tap_opts.flags, IFF_TUN_EXCL, TUN_F_*, ret_*) are code too
	re = re "|[a-z][a-z0-9]*_[a-z0-9_]*(\\.[a-z_][a-z0-9_]*)*\\*?|[A-Z][A-Z0-9]*_[A-Z0-9_]*[A-Z0-9*]"
	while (match(s, re)) {
		tok = substr(s, RSTART, RLENGTH)
		out = out esc(substr(s, 1, RSTART - 1))
		if (tok ~ /^``/) out = out substr(tok, 2, length(tok) - 2)
		else if (tok ~ /^`/) out = out tok
		else {
			sub(/^@/, "", tok); sub(/^\*@/, "*", tok); sub(/^%/, "", tok); sub(/^&/, "", tok)
			out = out "`" tok "`"
		}
		s = substr(s, RSTART + RLENGTH)
	}
	return out esc(s)
}

function anchor(title,    a) {
	a = tolower(title)
	gsub(/[^a-z0-9 _-]/, "", a)
	gsub(/ /, "-", a)
	return a
}

function heading(it) {
	if (ikind[it] == "function" || ikind[it] == "macro") return iname[it] "()"
	if (ikind[it] == "section") return toupper(substr(iname[it], 1, 1)) substr(iname[it], 2)
	if (ikind[it] == "doc") return iname[it]
	return ikind[it] " " iname[it]
}

function close_blocks() {
	if (in_code) { print "```"; in_code = 0 }
	if (in_list) { print ""; in_list = 0 }
}

# The free text and sections of doc @d.
function body(d,    k, line, sect, rest, lastlist) {
	in_code = 0; in_list = 0; lastlist = 0
	for (k = 1; k <= dbcount[d]; k++) {
		line = dbody[d, k]
		if (trim(line) == "") {
			if (in_code) { print "```"; in_code = 0 }
			in_list = 0; lastlist = 0
			print ""
			continue
		}
		if (match(line, /^(Return|Returns|Context|Note|Notes|Example|Examples|Description):/)) {
			close_blocks()
			sect = substr(line, 1, RLENGTH - 1)
			rest = trim(substr(line, RLENGTH + 1))
			print "**" sect ":**" (rest != "" ? " " md(rest) : "")
			lastlist = 0
			continue
		}
		if (line ~ /^[*-] /) {
			if (in_code) { print "```"; in_code = 0 }
			if (!in_list) { print ""; in_list = 1 }
			print "- " md(trim(substr(line, 3)))
			lastlist = 1
			continue
		}
		if (line ~ /^[ \t]/ && lastlist) {
			print "  " md(trim(line))
			continue
		}
		if (line ~ /^[ \t]/) {
			if (!in_code) { print ""; print "```c"; in_code = 1 }
			sub(/^\t/, "", line)
			print line
			continue
		}
		if (in_code) { print "```"; in_code = 0 }
		if (in_list) { print ""; in_list = 0; lastlist = 0 }
		print md(line)
	}
	close_blocks()
}

function params(it, d,    k, nm, what) {
	if (icount[it] == 0 && ikind[it] != "macro") return
	what = (ikind[it] == "struct" ? "Members" : ikind[it] == "enum" ? "Constants" : "Parameters")
	print ""
	print "**" what ":**"
	print ""
	for (k = 1; k <= dpcount[d]; k++) {
		nm = dpn[d, k]
		print "- `" nm "`: " md(dpd[d, nm])
	}
}

function flush_table() {
	if (in_table) { print ""; in_table = 0 }
}

function markdown(    it, d, toc, first, k) {
	print "# libvmtap API reference"
	print ""
	print "<!-- Generated from " hname " by scripts/api-doc.sh; do not edit: run scripts/api-doc.sh -o docs/api.md -->"
	print ""
	print "Every public declaration of `" hname "`, in the header'"'"'s order, with its kernel-doc comment."
	print "Constants are listed with the comment that follows them in the header."
	print ""
	# contents: the sections and what they hold
	for (it = 1; it <= n_items; it++) {
		d = idoc[it]
		if (ikind[it] == "section") {
			if (toc != "") print toc
			toc = "- [" heading(it) "](#" anchor(heading(it)) "):"
			first = 1
		} else if (ikind[it] == "doc" && toc == "") {
			print "- [" iname[it] "](#" anchor(iname[it]) ")"
		} else if (d && toc != "") {
			k = heading(it)
			toc = toc (first ? " " : ", ") "[" (ikind[it] == "doc" ? k : "`" k "`") "](#" anchor(k) ")"
			first = 0
		}
	}
	if (toc != "") print toc
	for (it = 1; it <= n_items; it++)
		emit_item(it)
	flush_table()
}

function emit_item(it,    d) {
	d = idoc[it]
	if (ikind[it] == "section") {
		flush_table()
		print ""
		print "## " heading(it)
		in_section = 1
		return
	}
	if (ikind[it] == "doc") {
		flush_table()
		print ""
		print (in_section ? "### " : "## ") iname[it]
		print ""
		body(d)
		return
	}
	if (ikind[it] == "constant" && !d) {
		if (!in_table) {
			print ""
			print "| constant | value | meaning |"
			print "|---|---|---|"
			in_table = 1
		}
		print "| `" iname[it] "` | `" ivalue[it] "` | " md(icomment[it]) " |"
		return
	}
	if (!d) return
	flush_table()
	print ""
	print "### " heading(it)
	print ""
	print md(dbrief[d])
	print ""
	print "```c"
	print icode[it]
	print "```"
	params(it, d)
	print ""
	body(d)
}
' "$header"
}

# one blank line between blocks, none at the start
emit() { parse_and_emit "$1" | cat -s | awk 'NF { started = 1 } started'; }

if [[ $mode == check ]]; then
	result=$(parse_and_emit check)
	checked=$(sed -n 's/^function //p' <<<"$result" | sort -u)
	# the functions tests/abi/abi.sh finds, with its own expression
	declared=$(grep -ohE '^[a-z][a-z0-9_ *]*[ *]vmtap_[a-z0-9_]+\(' "$header" | sed 's/.*[ *]\(vmtap_[a-z0-9_]*\)($/\1/' | sort -u)
	fail=0
	grep '^not ok' <<<"$result" && fail=1
	if missed=$(comm -13 <(echo "$checked") <(echo "$declared")) && [[ -n $missed ]]; then
		echo "not ok - functions the ABI test sees but this check did not parse: $missed"
		fail=1
	fi
	read -r _ nf nt ns ne _ < <(grep '^summary' <<<"$result")
	if ((fail == 0)); then
		echo "ok - $nf functions, $nt callback types, $ns structs and $ne enums of $(basename "$header") have complete kernel-doc comments"
	fi
	exit $fail
fi

md=$(emit md)
if [[ -n $diff_file ]]; then
	if ! diff -u "$diff_file" - <<<"$md"; then
		echo "not ok - $diff_file is not what $(basename "$header") generates: run scripts/api-doc.sh -o $diff_file"
		exit 1
	fi
	echo "ok - $diff_file is up to date with $(basename "$header")"
elif [[ -n $out ]]; then
	printf '%s\n' "$md" >"$out"
else
	printf '%s\n' "$md"
fi
