#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The CLI suite with every vmtap command under valgrind memcheck: any memory error, definite leak or fd left open at exit fails it.
#
# Usage: valgrind.sh PATH/TO/vmtap [PATH/TO/fake-qmp]
# (prints cli.sh's lines, then doctor.sh's, then its own verdict; exit 0 only when all pass). doctor.sh
# runs when fake-qmp is given or found in the build directory beside vmtap (BUILD/tests/fake-qmp).
set -uo pipefail
vmtap=$(realpath "$1")
fake=${2:-$(dirname "$vmtap")/../tests/fake-qmp}
here=$(cd "$(dirname "$0")" && pwd)
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
# the wrapper cli.sh runs as "vmtap"; exec'd commands (vmtap exec) run natively, as valgrind does not follow exec
cat >"$logs/vmtap" <<SH
#!/bin/sh
exec valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
	--show-leak-kinds=definite --track-fds=yes --log-file="$logs/vg.%p.log" "$vmtap" "\$@"
SH
chmod +x "$logs/vmtap"
VMTAP_CLI_VALGRIND=1 bash "$here/cli.sh" "$logs/vmtap"
rc=$?
if [[ -x $fake ]]; then
	bash "$here/doctor.sh" "$logs/vmtap" "$(realpath "$fake")" || rc=1
else
	echo "not ok - no fake-qmp at $fake: doctor.sh not run under valgrind"
	rc=1
fi
n=$(ls "$logs"/vg.*.log 2>/dev/null | wc -l)
bad=$(grep -l -E 'ERROR SUMMARY: [1-9]|definitely lost: [1-9]' "$logs"/vg.*.log 2>/dev/null)
if [[ -n $bad ]]; then
	for f in $bad; do echo "--- $f"; head -60 "$f"; done
	echo "not ok - valgrind found errors in $(wc -w <<<"$bad") of $n vmtap runs"
	exit 1
fi
# --track-fds: every fd open at exit that vmtap did not inherit was opened and never closed (its
# stack follows); an exiting process loses them anyway, but in a program using libvmtap they would
# accumulate, so the CLI is held to the library's rule. Inherited ones are the caller's business.
leaks=$(awk '/Open file descriptor [0-9]+:/ { fd = $0; getline; if ($0 !~ /inherited from parent/) print FILENAME ": " fd }' \
	"$logs"/vg.*.log 2>/dev/null)
if [[ -n $leaks ]]; then
	for f in $(cut -d: -f1 <<<"$leaks" | sort -u); do echo "--- $f"; grep -e 'Command:' -A12 -e 'FILE DESCRIPTORS' "$f"; done
	echo "not ok - fds left open at exit in $(cut -d: -f1 <<<"$leaks" | sort -u | wc -l) of $n vmtap runs"
	exit 1
fi
if ((n < 50)); then
	echo "not ok - only $n vmtap runs went through valgrind"
	exit 1
fi
echo "ok - $n vmtap runs under valgrind memcheck: no error, no definite leak, no fd left open at exit"
exit $rc
