#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The CLI suite with every vmtap command under valgrind memcheck: any memory error or definite leak fails it.
#
# Usage: valgrind.sh PATH/TO/vmtap   (prints cli.sh's lines, then its own verdict; exit 0 only when both pass)
set -uo pipefail
vmtap=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
# the wrapper cli.sh runs as "vmtap"; exec'd commands (vmtap exec) run natively, as valgrind does not follow exec
cat >"$logs/vmtap" <<SH
#!/bin/sh
exec valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
	--show-leak-kinds=definite --log-file="$logs/vg.%p.log" "$vmtap" "\$@"
SH
chmod +x "$logs/vmtap"
bash "$here/cli.sh" "$logs/vmtap"
rc=$?
n=$(ls "$logs"/vg.*.log 2>/dev/null | wc -l)
bad=$(grep -l -E 'ERROR SUMMARY: [1-9]|definitely lost: [1-9]' "$logs"/vg.*.log 2>/dev/null)
if [[ -n $bad ]]; then
	for f in $bad; do echo "--- $f"; head -60 "$f"; done
	echo "not ok - valgrind found errors in $(wc -w <<<"$bad") of $n vmtap runs"
	exit 1
fi
if ((n < 50)); then
	echo "not ok - only $n vmtap runs went through valgrind"
	exit 1
fi
echo "ok - $n vmtap runs under valgrind memcheck: no error, no definite leak"
exit $rc
