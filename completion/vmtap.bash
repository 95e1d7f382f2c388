# SPDX-License-Identifier: GPL-2.0-or-later
# bash completion for vmtap: commands, their options (read from 'vmtap COMMAND --help'), endpoint ids, devices, namespaces.
#
# Installed as bash-completion/completions/vmtap; it needs nothing of the
# bash-completion package, so it also works when sourced by hand. Options
# come from the binary's own --help (cached per command), so they are never
# out of step with it; endpoint ids from 'vmtap endpoint list' in the state
# directory the command line names (--state-dir), devices from 'vmtap list'
# in the namespace it names (--netns).

declare -gA _vmtap_help_cache 2>/dev/null || declare -A _vmtap_help_cache

# _vmtap_help VMTAP ARGS...: 'VMTAP ARGS --help' into $_vmtap_help_text, cached per binary and command.
_vmtap_help() {
	local key="$*"
	if [[ -z ${_vmtap_help_cache[$key]+set} ]]; then
		_vmtap_help_cache[$key]=$("$1" "${@:2}" --help 2>/dev/null)
	fi
	_vmtap_help_text=${_vmtap_help_cache[$key]}
}

# _vmtap_help_options VMTAP ARGS...: the options of 'VMTAP ARGS --help' into $_vmtap_options.
_vmtap_help_options() {
	_vmtap_help "$@"
	_vmtap_options=$(grep -oE '(^|[][ ,|(])(--[a-z][a-z0-9-]*|-[A-Za-z])' <<<"$_vmtap_help_text" |
		sed -E 's/^[^-]*//' | sort -u)
}

# _vmtap_takes_value VMTAP OPTION ARGS...: whether OPTION, in 'VMTAP ARGS --help', is followed by a value.
_vmtap_takes_value() {
	local vmtap=$1 opt=$2
	shift 2
	case $opt in
	--state-dir) return 0 ;;
	-j | --json | -p | --pretty | -v | --verbose | -h | --help | -V | --version) return 1 ;;
	esac
	_vmtap_help "$vmtap" "$@"
	# a short option is shown with its long form: "-q, --queues N"
	if [[ $opt == -? ]]; then
		local long
		long=$(grep -oE -- "(^|[ ,])$opt, --[a-z][a-z0-9-]*" <<<"$_vmtap_help_text" | head -1)
		[[ -n $long ]] && opt=${long##* }
	fi
	grep -qE -- "(^|[][ ,|(])$opt[ =]([A-Z][A-Z_-]*|noqueue)" <<<"$_vmtap_help_text"
}

_vmtap_endpoint_ids() {
	"$1" "${@:2}" endpoint list 2>/dev/null | sed -n 's/^\([A-Za-z0-9_.-]*\):.*/\1/p'
}

_vmtap_devices() { # VMTAP [--state-dir DIR] [NS]: the TUN/TAP devices of namespace NS
	local vmtap=$1 ns=${2:-}
	"$vmtap" list ${ns:+--netns "$ns"} 2>/dev/null | sed -n 's/^[0-9]*: \([^:]*\):.*/\1/p'
}

_vmtap_namespaces() {
	local f
	for f in /run/netns/*; do [[ -e $f ]] && printf '%s\n' "${f##*/}"; done
}

_vmtap_links() { # [NS] [bridge]: the links of namespace NS (a name; the caller's when empty), or its bridges
	local ns=$1
	[[ $ns == /* ]] && return # ip -n takes names only
	ip ${ns:+-n "$ns"} -o link show ${2:+type "$2"} 2>/dev/null | sed -n 's/^[0-9]*: \([^:@]*\)[:@].*/\1/p'
}

_vmtap() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local vmtap=${COMP_WORDS[0]} i w cmd='' sub='' netns='' dashdash=0
	local -a state=() pos=() helpargs=()

	# what the line holds so far: the command, its subcommand, positionals, --state-dir, --netns
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if ((dashdash)); then
			pos+=("$w")
			continue
		fi
		case $w in
		--)
			dashdash=1
			continue
			;;
		--state-dir)
			state=(--state-dir "${COMP_WORDS[i + 1]}")
			((i++))
			continue
			;;
		--state-dir=*)
			state=("$w")
			continue
			;;
		--netns | -n)
			netns=${COMP_WORDS[i + 1]}
			((i++))
			continue
			;;
		-*)
			# an option with a value takes the next word
			if [[ -n $cmd ]] && _vmtap_takes_value "$vmtap" "$w" $cmd $sub; then ((i++)); fi
			continue
			;;
		esac
		if [[ -z $cmd ]]; then
			cmd=$w
		elif [[ $cmd == endpoint && -z $sub ]]; then
			sub=$w
		else
			pos+=("$w")
		fi
	done
	COMPREPLY=()

	# after "vmtap exec ... --": QEMU's command line
	if ((dashdash)) && [[ $cmd == exec ]]; then
		if ((${#pos[@]} == 0)); then
			mapfile -t COMPREPLY < <(compgen -c -- "$cur" | sort -u)
		else
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		fi
		return 0
	fi

	# the value of the option before the cursor
	case $prev in
	--state-dir)
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		return 0
		;;
	--netns | -n | --move-to)
		if [[ $cur == /* ]]; then
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "$(_vmtap_namespaces)" -- "$cur")
		fi
		return 0
		;;
	--qmp)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return 0
		;;
	--bridge)
		mapfile -t COMPREPLY < <(compgen -W "$(_vmtap_links "$netns" bridge)" -- "$cur")
		return 0
		;;
	--redirect | --macvtap)
		mapfile -t COMPREPLY < <(compgen -W "$(_vmtap_links "$netns")" -- "$cur")
		return 0
		;;
	--qdisc)
		mapfile -t COMPREPLY < <(compgen -W "noqueue kernel" -- "$cur")
		return 0
		;;
	--macvtap-mode)
		mapfile -t COMPREPLY < <(compgen -W "bridge vepa private passthru" -- "$cur")
		return 0
		;;
	--owner)
		mapfile -t COMPREPLY < <(compgen -u -- "$cur")
		return 0
		;;
	--group)
		mapfile -t COMPREPLY < <(compgen -g -- "$cur")
		return 0
		;;
	-*)
		# another option with a value: nothing to offer (a number, a MAC ...)
		if [[ -n $cmd ]] && _vmtap_takes_value "$vmtap" "$prev" $cmd $sub; then return 0; fi
		;;
	esac

	if [[ -z $cmd ]]; then
		_vmtap_help_options "$vmtap"
		if [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W "$_vmtap_options" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "$(sed -n '/^Commands:/,/^$/s/^  \([a-z-]*\) .*/\1/p' \
				<<<"$_vmtap_help_text") help" -- "$cur")
		fi
		return 0
	fi

	helpargs=("$cmd")
	# only 'endpoint create' takes the SPEC options the shared endpoint help lists
	[[ $cmd == endpoint && $sub != create ]] && helpargs=()
	if [[ $cur == -* ]]; then
		# the command's own options, and the global ones it takes after its name
		_vmtap_help_options "$vmtap" "${helpargs[@]}"
		mapfile -t COMPREPLY < <(compgen -W "$(grep -vE '^(-V|--version)$' <<<"$_vmtap_options")
			-j --json -p --pretty -v --verbose --state-dir -h --help" -- "$cur" | sort -u)
		return 0
	fi

	case $cmd in
	endpoint)
		if [[ -z $sub ]]; then
			mapfile -t COMPREPLY < <(compgen -W "create destroy list show" -- "$cur")
		elif [[ ($sub == destroy || $sub == show) && ${#pos[@]} -eq 0 ]]; then
			mapfile -t COMPREPLY < <(compgen -W "$(_vmtap_endpoint_ids "$vmtap" "${state[@]}")" -- "$cur")
		fi
		;;
	hotplug | unplug)
		((${#pos[@]} == 0)) &&
			mapfile -t COMPREPLY < <(compgen -W "$(_vmtap_endpoint_ids "$vmtap" "${state[@]}")" -- "$cur")
		;;
	doctor)
		if ((${#pos[@]} == 0)); then
			mapfile -t COMPREPLY < <(compgen -W "dev endpoint $(_vmtap_endpoint_ids "$vmtap" "${state[@]}")" -- "$cur")
		elif ((${#pos[@]} == 1)) && [[ ${pos[0]} == endpoint ]]; then
			mapfile -t COMPREPLY < <(compgen -W "$(_vmtap_endpoint_ids "$vmtap" "${state[@]}")" -- "$cur")
		elif ((${#pos[@]} == 1)) && [[ ${pos[0]} == dev ]]; then
			mapfile -t COMPREPLY < <(compgen -W "$(_vmtap_devices "$vmtap" "$netns")" -- "$cur")
		fi
		;;
	show | set)
		((${#pos[@]} == 0)) && mapfile -t COMPREPLY < <(compgen -W "$(_vmtap_devices "$vmtap" "$netns")" -- "$cur")
		;;
	delete)
		mapfile -t COMPREPLY < <(compgen -W "$(_vmtap_devices "$vmtap" "$netns")" -- "$cur")
		;;
	help)
		;;
	esac
	return 0
}

complete -F _vmtap vmtap
