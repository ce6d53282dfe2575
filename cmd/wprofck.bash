# bash completion for wprofck(1): commands, each command's options, the
# message types for extract and for --trace-tag and --chunk-tag, files
# for operands. Needs no bash-completion helpers. tests/07-cli-conveniences.bats
# holds the lists below to the binary's --help and to the type table.

_wprofck_types=(WPRF WPRC STIM STEN SCST SCPP SCRR SCEN EXIT TEST SCDX CRSH
    PMET RAWO PRAW SNRQ SNRP SRDY SOUT SERR SCLG LIFE KADR EXCX DMSG PROB SCSW
    KORQ KORP)

# _wprofck_opts CMD: sets opts to the long options of CMD, a trailing = on
# those that take a value.
_wprofck_opts() {
	local out=(--force --quiet --output= --sync --progress --no-progress)
	local tags=(--trace-tag= --chunk-tag=)
	case $1 in
	check) opts=(--quiet --json --junit= --shape --deep --min-size=
	    --files-from= --null --no-recurse --progress --no-progress) ;;
	extract) opts=("${out[@]}" --max-frame=) ;;
	frames) opts=(--quiet --json --max-frame= "${tags[@]}" --progress
	    --no-progress) ;;
	reassemble) opts=("${out[@]}" --max-frame= "${tags[@]}" --check
	    --check= --junit= --salvage) ;;
	salvage) opts=("${out[@]}") ;;
	split) opts=("${out[@]}" --cap= "${tags[@]}") ;;
	*) opts=() ;;
	esac
	opts+=(--help)
}

# _wprofck_add WORD...: adds to COMPREPLY the words that start with $cur,
# in any case.
_wprofck_add() {
	local w lcur=${cur,,}
	for w; do
		[[ ${w,,} == "$lcur"* ]] && COMPREPLY+=("$w")
	done
}

# _wprofck_files: file and directory names that start with $cur.
_wprofck_files() {
	local names
	compopt -o filenames 2>/dev/null
	mapfile -t names < <(compgen -f -- "$cur")
	COMPREPLY+=("${names[@]}")
}

_wprofck() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev='' cmd='' i w nopts=0
	local operands=0 value='' opts
	COMPREPLY=()
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	# The command: the first word after the global options.
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done
	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			_wprofck_add -h --help -V --version
		else
			_wprofck_add check extract frames help reassemble \
			    salvage split
		fi
		return 0
	fi
	if [[ $cmd == help ]]; then
		((COMP_CWORD == i + 1)) && _wprofck_add check extract frames \
		    reassemble salvage split
		return 0
	fi
	# --opt=value, whether or not = broke the word in two.
	if [[ $cur == --*=* ]]; then
		value=${cur%%=*}
		cur=${cur#*=}
	elif [[ $cur == = && $prev == --* ]]; then
		value=$prev
		cur=
	elif [[ $prev == = ]] && ((COMP_CWORD >= 2)); then
		value=${COMP_WORDS[COMP_CWORD - 2]}
	fi
	# An option's value given as the next word.
	if [[ -z $value ]]; then
		case $prev in
		-o | --output | --trace-tag | --chunk-tag | --max-frame | \
		    --min-size | --cap | --junit | --files-from) value=$prev ;;
		esac
	fi
	if [[ -n $value ]]; then
		case $value in
		-o | --output | --junit | --files-from) _wprofck_files ;;
		--trace-tag | --chunk-tag) _wprofck_add "${_wprofck_types[@]}" ;;
		--check) _wprofck_add shape deep ;;
		esac
		return 0
	fi
	# Operands before the word under the cursor, and whether -- came.
	for ((i++; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if ((nopts)); then
			((operands++))
			continue
		fi
		case $w in
		--) nopts=1 ;;
		-o | --output | --trace-tag | --chunk-tag | --max-frame | \
		    --min-size | --cap) ((i++)) ;;
		-?*) ;;
		*) ((operands++)) ;;
		esac
	done
	if ((!nopts)) && [[ $cur == -* ]]; then
		_wprofck_opts "$cmd"
		_wprofck_add "${opts[@]}"
		# --min-size= waits for its value, without a space.
		((${#COMPREPLY[@]} == 1)) && [[ ${COMPREPLY[0]} == *= ]] &&
		    compopt -o nospace 2>/dev/null
		return 0
	fi
	if [[ $cmd == extract ]] && ((operands == 0)); then
		_wprofck_add "${_wprofck_types[@]}"
		return 0
	fi
	_wprofck_files
	return 0
}

complete -F _wprofck wprofck
