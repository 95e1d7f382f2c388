#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A CNI runtime in bash + jq for tests: runs a configuration list's plugins exactly as libcni (containernetworking/cni v1.2) does.
#
# Usage: cnitool.sh [--cache-dir DIR] [--bare-env] add|del|check CONFLIST CONTAINERID NETNS IFNAME
#        cnitool.sh [--cache-dir DIR] gc CONFLIST [CONTAINERID/IFNAME ...]   (the valid attachments)
#        cnitool.sh status CONFLIST
#        cnitool.sh version TYPE
#
# Environment: CNI_PATH (required, ':'-separated), CNI_ARGS (passed on as given), CAP_ARGS (a JSON object of
# capability arguments, e.g. {"mac":"02:..."}; each plugin gets the ones its "capabilities" asks for).
#
# What libcni does and this does too:
#  - a plugin is found by its "type" in the CNI_PATH directories, first match wins;
#  - the container id, network name and interface name are checked with libcni's rules before ADD;
#  - each plugin's stdin is its object from the list with "name" and "cniVersion" of the list injected,
#    "prevResult" (ADD: the previous plugin's result, none for the first; DEL and CHECK: the cached
#    final result of ADD, DEL only from 0.4.0) and "runtimeConfig" (capabilities it declares that
#    CAP_ARGS has); its "capabilities" key is left in, as libcni leaves it;
#  - the environment is the caller's plus CNI_COMMAND, CNI_CONTAINERID, CNI_NETNS, CNI_ARGS, CNI_IFNAME and
#    CNI_PATH, all set, empty when unused (--bare-env: only those and PATH, as a runtime's DEL may run);
#  - ADD runs the plugins in order and caches the final result (<cache>/results/NET-CID-IFNAME), DEL in
#    reverse order then drops the cache, CHECK in order unless "disableCheck" (0.4.0 and later only);
#  - GC DELs every cached attachment of the network that is not valid, then (1.1.0 and later) runs GC on
#    each plugin with "cni.dev/valid-attachments" and "cni.dev/attachments", collecting every error;
#  - STATUS (1.1.0 and later) asks each plugin and stops at the first error.
# And, as podman does before ADD and DEL: VERSION of each plugin with CNI_NETNS, CNI_IFNAME and CNI_PATH
# "dummy" and stdin {"cniVersion":"1.1.0"}, refusing a plugin that does not speak the list's version.
#
# A plugin's failure prints "plugin TYPE failed (VERB): <its error JSON>" on stderr; the exit status is then 1.
# shellcheck disable=SC2016 # jq programs are in single quotes on purpose
set -uo pipefail

CACHE_DIR=${CNI_CACHE_DIR:-/var/lib/cni}
BARE=0
while [[ $# -gt 0 ]]; do
	case $1 in
	--cache-dir) CACHE_DIR=$2; shift 2 ;;
	--bare-env) BARE=1; shift ;;
	*) break ;;
	esac
done
VERB=${1:?usage: cnitool.sh add|del|check|gc|status|version CONFLIST ...}
shift

die() { echo "cnitool: $*" >&2; exit 2; }

[[ -n ${CNI_PATH:-} ]] || die "CNI_PATH is not set"
CAPS=${CAP_ARGS:-}
[[ -n $CAPS ]] || CAPS='{}'
ARGS=${CNI_ARGS:-}
if [[ $VERB != version ]]; then
	CONFLIST=${1:?a configuration list}
	shift
	LIST=$(jq -ce . "$CONFLIST") || die "$CONFLIST is not JSON"
	[[ -n $LIST ]] || die "$CONFLIST is empty"
	NET=$(jq -r '.name // empty' <<<"$LIST")
	VERSION=$(jq -r '.cniVersion // empty' <<<"$LIST")
	[[ -n $NET ]] || die "$CONFLIST has no name"
	[[ -n $VERSION ]] || die "$CONFLIST has no cniVersion"
	[[ $(jq -r '.plugins | type' <<<"$LIST") == array ]] || die "$CONFLIST has no plugins list"
	NPLUGINS=$(jq '.plugins | length' <<<"$LIST")
fi

# version_ge A B: A >= B, as semantic versions x.y.z
version_ge() {
	local -a a b
	IFS=. read -ra a <<<"$1"
	IFS=. read -ra b <<<"$2"
	for i in 0 1 2; do
		((${a[i]:-0} > ${b[i]:-0})) && return 0
		((${a[i]:-0} < ${b[i]:-0})) && return 1
	done
	return 0
}

# libcni's utils.ValidateContainerID / ValidateNetworkName / ValidateInterfaceName
valid_id() { [[ $1 =~ ^[a-zA-Z0-9][a-zA-Z0-9_.\-]*$ ]]; }
valid_ifname() {
	[[ -n $1 && ${#1} -le 15 && $1 != . && $1 != .. && $1 != */* && $1 != *:* && ! $1 =~ [[:space:]] ]]
}

# find_plugin TYPE: its path, first match in CNI_PATH (libcni's FindInPath)
find_plugin() {
	local type=$1 dir
	[[ -n $type && $type != */* ]] || { echo "cnitool: invalid plugin type \"$type\"" >&2; return 1; }
	local IFS=:
	for dir in $CNI_PATH; do
		[[ -n $dir && -f $dir/$type && -x $dir/$type ]] && { printf '%s\n' "$dir/$type"; return 0; }
	done
	echo "cnitool: failed to find plugin \"$type\" in path [$CNI_PATH]" >&2
	return 1
}

# run_plugin PATH VERB CID NETNS IFNAME ARGS CNIPATH STDIN: the plugin's stdout in $OUT, its exit status returned
OUT=
run_plugin() {
	local path=$1 verb=$2 cid=$3 netns=$4 ifname=$5 args=$6 cnipath=$7 stdin=$8 rc
	local -a env=(CNI_COMMAND="$verb" CNI_CONTAINERID="$cid" CNI_NETNS="$netns" CNI_ARGS="$args"
		CNI_IFNAME="$ifname" CNI_PATH="$cnipath")
	# the exact bytes (no newline a here-string would add) from a process substitution, not a pipe: a
	# plugin may exit without reading stdin (Go plugins do for VERSION); its writer then dies of SIGPIPE,
	# which libcni ignores too (os/exec drops EPIPE on stdin), where a pipe would fail the pipeline
	if ((BARE)); then
		OUT=$(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "${env[@]}" "$path" < <(printf '%s' "$stdin"))
	else
		OUT=$(env "${env[@]}" "$path" < <(printf '%s' "$stdin"))
	fi
	rc=$?
	return $rc
}

# plugin_conf INDEX PREVRESULT(JSON or "") WITH_RUNTIME(0/1): the derived stdin of plugin INDEX
plugin_conf() {
	local idx=$1 prev=$2 rt=$3
	jq -c --arg name "$NET" --arg ver "$VERSION" --argjson prev "${prev:-null}" \
		--argjson caps "$CAPS" --argjson rt "$rt" '
		.plugins['"$idx"'] + {name: $name, cniVersion: $ver}
		| if $prev != null then . + {prevResult: $prev} else . end
		| if $rt == 1 then
			((.capabilities // {}) | with_entries(select(.value == true)) | keys) as $want
			| ($caps | with_entries(select(.key as $k | $want | index($k)))) as $rc
			| if ($rc | length) > 0 then . + {runtimeConfig: $rc} else . end
		  else . end' <<<"$LIST"
}

plugin_type() { jq -r ".plugins[$1].type // empty" <<<"$LIST"; }

fail_plugin() { # fail_plugin TYPE VERB RC
	echo "cnitool: plugin $1 failed ($2, exit $3): ${OUT:-no error message}" >&2
}

# version_check PATH TYPE: podman's VERSION call before ADD and DEL, with libcni's dummy values
version_check() {
	local path=$1 type=$2 rc
	run_plugin "$path" VERSION "" dummy dummy "" dummy '{"cniVersion":"1.1.0"}' || {
		rc=$?
		fail_plugin "$type" VERSION $rc
		return 1
	}
	if ! jq -e --arg v "$VERSION" '.supportedVersions | index($v)' <<<"$OUT" >/dev/null 2>&1; then
		echo "cnitool: plugin $type does not support config version \"$VERSION\" (it says: $OUT)" >&2
		return 1
	fi
}

cache_file() { printf '%s/results/%s-%s-%s\n' "$CACHE_DIR" "$NET" "$1" "$2"; }

cmd_add() {
	local cid=$1 netns=$2 ifname=$3 prev="" i type path rc
	valid_id "$cid" || die "invalid container id \"$cid\""
	valid_id "$NET" || die "invalid network name \"$NET\""
	valid_ifname "$ifname" || die "invalid interface name \"$ifname\""
	for ((i = 0; i < NPLUGINS; i++)); do
		type=$(plugin_type $i)
		path=$(find_plugin "$type") || return 1
		version_check "$path" "$type" || return 1
		run_plugin "$path" ADD "$cid" "$netns" "$ifname" "$ARGS" "$CNI_PATH" "$(plugin_conf $i "$prev" 1)" || {
			rc=$?
			fail_plugin "$type" add $rc
			return 1
		}
		# libcni's fixupResultVersion: a result without cniVersion takes the configuration's
		prev=$(jq -c --arg v "$VERSION" 'if has("cniVersion") then . else . + {cniVersion: $v} end' <<<"$OUT") ||
			{ echo "cnitool: plugin $type printed no JSON result: $OUT" >&2; return 1; }
	done
	mkdir -p "$CACHE_DIR/results"
	jq -n -c --arg cid "$cid" --arg ifname "$ifname" --arg net "$NET" --arg netns "$netns" \
		--arg args "$ARGS" --argjson caps "$CAPS" --argjson config "$LIST" --argjson result "$prev" \
		'{kind: "cniCacheV1", containerId: $cid, ifName: $ifname, networkName: $net, netns: $netns,
		  cniArgs: $args, capabilityArgs: $caps, config: ($config | tostring | @base64), result: $result}' \
		>"$(cache_file "$cid" "$ifname")"
	printf '%s\n' "$prev"
}

cached_result() { # cached_result CID IFNAME: the cached final result, "" when none
	local f
	f=$(cache_file "$1" "$2")
	[[ -f $f ]] && jq -c '.result // empty' "$f" 2>/dev/null
}

cmd_del() {
	local cid=$1 netns=$2 ifname=$3 prev="" i type path rc
	# the cached result only from 0.4.0 on, and no failure when it is gone
	version_ge "$VERSION" 0.4.0 && prev=$(cached_result "$cid" "$ifname")
	for ((i = NPLUGINS - 1; i >= 0; i--)); do
		type=$(plugin_type $i)
		path=$(find_plugin "$type") || return 1
		version_check "$path" "$type" || return 1
		run_plugin "$path" DEL "$cid" "$netns" "$ifname" "$ARGS" "$CNI_PATH" "$(plugin_conf $i "$prev" 1)" || {
			rc=$?
			fail_plugin "$type" delete $rc
			return 1
		}
	done
	rm -f "$(cache_file "$cid" "$ifname")"
}

cmd_check() {
	local cid=$1 netns=$2 ifname=$3 prev i type path rc
	version_ge "$VERSION" 0.4.0 || { echo "cnitool: configuration version \"$VERSION\" does not support the CHECK command" >&2; return 1; }
	[[ $(jq -r '.disableCheck // false' <<<"$LIST") == true ]] && return 0
	prev=$(cached_result "$cid" "$ifname")
	[[ -n $prev ]] || { echo "cnitool: failed to get network \"$NET\" cached result" >&2; return 1; }
	for ((i = 0; i < NPLUGINS; i++)); do
		type=$(plugin_type $i)
		path=$(find_plugin "$type") || return 1
		run_plugin "$path" CHECK "$cid" "$netns" "$ifname" "$ARGS" "$CNI_PATH" "$(plugin_conf $i "$prev" 1)" || {
			rc=$?
			fail_plugin "$type" check $rc
			return 1
		}
	done
}

cmd_gc() {
	local valid='[]' a cid ifname f i type path rc errs=0 conf
	for a in "$@"; do
		cid=${a%%/*} ifname=${a#*/}
		valid=$(jq -c --arg c "$cid" --arg i "$ifname" '. + [{containerID: $c, ifname: $i}]' <<<"$valid")
	done
	[[ $(jq -r '.disableGC // false' <<<"$LIST") == true ]] && return 0
	# 1. DEL of every cached attachment of this network that is not valid
	for f in "$CACHE_DIR"/results/*; do
		[[ -f $f ]] || continue
		[[ $(jq -r '.networkName' "$f" 2>/dev/null) == "$NET" ]] || continue
		cid=$(jq -r .containerId "$f") ifname=$(jq -r .ifName "$f")
		jq -e --arg c "$cid" --arg i "$ifname" 'any(.[]; .containerID == $c and .ifname == $i)' <<<"$valid" \
			>/dev/null && continue
		ARGS=$(jq -r '.cniArgs // ""' "$f") cmd_del "$cid" "$(jq -r '.netns // ""' "$f")" "$ifname" ||
			{ echo "cnitool: failed to delete stale attachment $cid $ifname" >&2; errs=$((errs + 1)); }
	done
	# 2. GC of every plugin, every error collected
	if version_ge "$VERSION" 1.1.0; then
		for ((i = 0; i < NPLUGINS; i++)); do
			type=$(plugin_type $i)
			path=$(find_plugin "$type") || { errs=$((errs + 1)); continue; }
			conf=$(jq -c --arg name "$NET" --arg ver "$VERSION" --argjson valid "$valid" \
				'.plugins['"$i"'] + {name: $name, cniVersion: $ver, "cni.dev/valid-attachments": $valid,
				 "cni.dev/attachments": $valid}' <<<"$LIST")
			run_plugin "$path" GC "" "" "" "" "$CNI_PATH" "$conf" || {
				rc=$?
				fail_plugin "$type" GC $rc
				errs=$((errs + 1))
			}
		done
	fi
	((errs == 0))
}

cmd_status() {
	local i type path rc conf
	version_ge "$VERSION" 1.1.0 || return 0
	for ((i = 0; i < NPLUGINS; i++)); do
		type=$(plugin_type $i)
		path=$(find_plugin "$type") || return 1
		conf=$(jq -c --arg name "$NET" --arg ver "$VERSION" '.plugins['"$i"'] + {name: $name, cniVersion: $ver}' <<<"$LIST")
		run_plugin "$path" STATUS "" "" "" "" "$CNI_PATH" "$conf" || {
			rc=$?
			fail_plugin "$type" STATUS $rc
			printf '%s\n' "$OUT"
			return 1
		}
	done
}

case $VERB in
add) [[ $# -eq 3 ]] || die "add CONFLIST CONTAINERID NETNS IFNAME"; cmd_add "$@" ;;
del) [[ $# -eq 3 ]] || die "del CONFLIST CONTAINERID NETNS IFNAME"; cmd_del "$@" ;;
check) [[ $# -eq 3 ]] || die "check CONFLIST CONTAINERID NETNS IFNAME"; cmd_check "$@" ;;
gc) cmd_gc "$@" ;;
status) cmd_status ;;
version)
	[[ $# -eq 1 ]] || die "version TYPE"
	path=$(find_plugin "$1") || exit 1
	run_plugin "$path" VERSION "" dummy dummy "" dummy '{"cniVersion":"1.1.0"}' || { fail_plugin "$1" VERSION $?; exit 1; }
	printf '%s\n' "$OUT"
	;;
*) die "unknown verb $VERB" ;;
esac
