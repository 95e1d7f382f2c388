#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Compatibility: a table of bridge.conf files decided by Debian's qemu-bridge-helper and by vmtap-bridge-helper; every row must agree.
#
# Usage: compat.sh HELPER BH-CLIENT [QEMU-HELPER]   (root; QEMU-HELPER defaults to /usr/lib/qemu/qemu-bridge-helper)
# Both run set-uid root from copies in the test's own directory, as uid 4242,
# with QEMU's argv (--use-vnet --fd=3 --br=BR) through the same client.
# QEMU's helper opens /dev/net/tun as the caller, so this test binds a 0666
# node over it -- in its own mount namespace, as /etc is overlaid there for
# /etc/qemu.  A row is the decision (a TAP handed over, or a refusal), not the
# wording: the two helpers word their refusals differently.
set -uo pipefail

if [[ -z "${VMTAP_BH_IN_NS:-}" ]]; then
	VMTAP_BH_IN_NS=1 exec unshare --net --mount --propagation private "$BASH" "$0" "$@"
fi
OURS=$(realpath "$1")
CLIENT=$(realpath "$2")
QEMU_HELPER=${3:-/usr/lib/qemu/qemu-bridge-helper}
if [[ ! -x $QEMU_HELPER ]]; then
	echo "SKIP: $QEMU_HELPER not installed (Debian package qemu-system-common)"
	exit 77
fi
AS_USER=(setpriv --reuid=4242 --regid=4242 --clear-groups)

T=$(mktemp -d /tmp/vmtap-bh-compat.XXXXXX)
cleanup() {
	umount /dev/net/tun 2>/dev/null
	umount /etc 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
chmod 755 "$T"
mount -t tmpfs tmpfs /run
mkdir -p "$T/etc-upper/qemu" "$T/etc-work" "$T/bin"
chmod 755 "$T/bin"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$T/etc-upper,workdir=$T/etc-work" /etc || exit 1
install -m 4755 "$OURS" "$T/bin/vmtap-bridge-helper"
install -m 4755 "$QEMU_HELPER" "$T/bin/qemu-bridge-helper"
mknod "$T/tun" c 10 200 && chmod 666 "$T/tun" && mount --bind "$T/tun" /dev/net/tun || exit 1

ip link set lo up
for br in br0 br1 brabcdefghijklm; do ip link add "$br" type bridge; done

# included files, the same for every row
inc() { printf '%b' "$2" >"/etc/qemu/$1"; chmod "${3:-644}" "/etc/qemu/$1"; }
inc inc-allow.conf 'allow br0\n'
inc inc-deny.conf 'deny br0\n'
inc inc-bad.conf 'allow br0\nbogus line\ndeny br0\n'
inc inc-self.conf 'include /etc/qemu/inc-self.conf\nallow br1\n'
inc inc-secret.conf 'allow br0\n' 600
inc inc-long.conf 'allow 0123456789abcdef\nallow br0\n'
mkdir -p /etc/qemu/inc-dir
long_line="allow br0$(printf '%*s' 4086 '')" # 4095 bytes: the most QEMU reads as one line

# label | bridge | bridge.conf (printf %b; the word NONE: no file; DIR: a directory; SECRET: mode 0600)
rows=(
	"allow NAME|br0|allow br0\n"
	"allow another NAME|br0|allow br1\n"
	"allow all|br1|allow all\n"
	"empty file: no allow|br0|"
	"deny before allow|br0|deny br0\nallow br0\n"
	"deny after allow|br0|allow br0\ndeny br0\n"
	"allow all, deny NAME|br0|allow all\ndeny br0\n"
	"allow all, deny another|br1|allow all\ndeny br0\n"
	"deny all, allow NAME|br0|deny all\nallow br0\n"
	"deny another, allow all|br0|deny br1\nallow all\n"
	"comments, blank and indented lines|br0|# comment\n\n   \n\t  # indented\n\tallow br0\n"
	"last line without newline|br0|# x\nallow br0"
	"tab separator|br0|allow\tbr0\n"
	"two tabs|br0|allow\t\tbr0\n"
	"space then tab|br0|allow \tbr0\n"
	"tab then space: command 'allow\\\\t'|br0|allow\t br0\n"
	"extra spaces|br0|allow   br0    \n"
	"CRLF line end|br0|allow br0\r\n"
	"upper-case command|br0|ALLOW br0\n"
	"command without argument|br0|allow\n"
	"empty name|br0|allow \n"
	"two names on a line|br0|allow br0 br1\n"
	"ALL is a name|br0|allow ALL\n"
	"all with trailing space|br0|allow all \n"
	"15-byte name|brabcdefghijklm|allow brabcdefghijklm\n"
	"16-byte name in the ACL (CVE-2019-13164)|br0|allow br0\nallow 0123456789abcdef\n"
	"16-byte name of a deny|br0|allow all\ndeny brabcdefghijklmn\n"
	"16-byte bridge asked for|brabcdefghijklmn|allow all\n"
	"unknown command|br0|frobnicate x\nallow br0\n"
	"include allows|br0|include /etc/qemu/inc-allow.conf\n"
	"include missing, skipped|br0|include /etc/qemu/nonexistent.conf\nallow br0\n"
	"include denies|br0|allow br0\ninclude /etc/qemu/inc-deny.conf\n"
	"include with an error: earlier rules count|br0|include /etc/qemu/inc-bad.conf\n"
	"include of itself (QEMU's helper dies of it)|br1|include /etc/qemu/inc-self.conf\n"
	"include the caller cannot read|br0|include /etc/qemu/inc-secret.conf\n"
	"include whose first line is refused|br0|include /etc/qemu/inc-long.conf\n"
	"include of a directory|br0|include /etc/qemu/inc-dir\nallow br0\n"
	"include with spaces around the path|br0|include    /etc/qemu/inc-allow.conf   \n"
	"NUL byte ends a line|br0|allow br0\0 junk\n"
	"line of 4095 bytes|br0|$long_line\n"
	"no bridge.conf|br0|NONE"
	"bridge.conf the caller cannot read|br0|SECRET"
	"bridge.conf is a directory|br0|DIR"
	"allow all, bridge missing|nobr|allow all\n"
)

same=0
differ=0
allowed=0
decide() { # decide HELPER BRIDGE: "allow" when a TAP came back, else "deny"
	if "${AS_USER[@]}" "$CLIENT" --helper "$1" --br "$2" >/dev/null 2>"$T/why"; then echo allow; else echo deny; fi
}
for row in "${rows[@]}"; do
	label=${row%%|*}
	rest=${row#*|}
	bridge=${rest%%|*}
	text=${rest#*|}
	rm -rf /etc/qemu/bridge.conf
	case "$text" in
	NONE) ;;
	DIR) mkdir /etc/qemu/bridge.conf ;;
	SECRET) printf 'allow all\n' >/etc/qemu/bridge.conf && chmod 600 /etc/qemu/bridge.conf ;;
	*) printf '%b' "$text" >/etc/qemu/bridge.conf && chmod 644 /etc/qemu/bridge.conf ;;
	esac
	theirs=$(decide "$T/bin/qemu-bridge-helper" "$bridge")
	their_why=$(tr '\n' ' ' <"$T/why")
	ours=$(decide "$T/bin/vmtap-bridge-helper" "$bridge")
	our_why=$(tr '\n' ' ' <"$T/why")
	left=$(ip -o link show type tun | wc -l)
	if [[ $theirs == "$ours" && $left -eq 0 ]]; then
		same=$((same + 1))
		[[ $ours == allow ]] && allowed=$((allowed + 1))
		echo "ok $same - $label (--br=$bridge): both $ours"
	else
		differ=$((differ + 1))
		echo "not ok - $label (--br=$bridge): QEMU's helper: $theirs, ours: $ours, TAPs left: $left"
		echo "#   QEMU's: $their_why"
		echo "#   ours:   $our_why"
	fi
done
echo "$same rows decided alike ($allowed allowed, $((same - allowed)) refused by both), $differ differ"
# a table with one outcome only would prove nothing
[[ $differ -eq 0 && $same -eq ${#rows[@]} && $allowed -gt 0 && $allowed -lt $same ]]
