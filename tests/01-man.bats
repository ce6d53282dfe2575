#!/usr/bin/env bats
# The manual: lint-clean, its synopses are the binary's word for word, and
# it describes each option that --help describes, command by command.

load common

setup_file() {
	MAN=$BATS_TEST_DIRNAME/../man/wprofck.1
	CMDS_C=$BATS_TEST_DIRNAME/../cmd/cmds.c
	export MAN CMDS_C
}

# mandoc's ascii output with its overstrikes taken out, no col(1) needed.
man_text() {
	mandoc -Tascii -O width=1000 "$MAN" | sed 's/.\x08//g'
}

# The SYNOPSIS section as plain text, one command per line.
man_synopsis() {
	man_text | awk '/^SYNOPSIS/ { on = 1; next } /^[A-Z]/ { on = 0 }
	    on && NF { sub(/^ +/, ""); print }'
}

# The commands wprofck help lists, one a line.
commands() {
	"$WPROFCK" help | awk '/^Commands:/ { on = 1; next } /^$/ { on = 0 }
	    on { print $1 }'
}

# The options a synopsis line names: -fq gives -f and -q.
synopsis_opts() {
	{
		grep -oE '(^|[[ ])-[A-Za-z0-9]+' | tr -d '[ ' | cut -c2- |
		    fold -w1 | sed 's/^/-/'
	} <<<"$1"
	grep -oE -- '--[a-z][a-z-]*' <<<"$1"
}

# help_table CMD: "OPTION DESCRIPTION" for each option named on a line of
# the Options of its --help.
help_table() {
	"$WPROFCK" "$1" --help | awk '/^Options:$/ { on = 1; next }
	    /^$/ { on = 0 }
	    on {
		line = substr($0, 3)
		split(line, part, /   */)
		n = split(part[1], names, /[ ,=[]+/)
		for (i = 1; i <= n; i++)
			if (names[i] ~ /^--?[A-Za-z0-9]/)
				print names[i], part[2]
	    }'
}

# help_opts CMD: the options its --help describes, one a line, sorted.
help_opts() {
	help_table "$1" | cut -d' ' -f1 | sort -u
}

# man_opts CMD: the options in the list under CMD in DESCRIPTION, sorted.
man_opts() {
	awk -v cmd="$1" '
	    prev == ".It Xo" { on = ($0 == ".Cm " cmd) }
	    /^\.Sh / { on = 0 }
	    on && /^\.It Fl / {
		for (i = 2; i <= NF; i++)
			if ($(i - 1) == "Fl")
				print "-" $i
	    }
	    { prev = $0 }' "$MAN" | sort -u
}

@test "man: mandoc -Tlint reports nothing" {
	run -0 mandoc -Tlint -W warning "$MAN"
	assert_output ''
}

@test "man: the first synopsis is wprofck's usage line" {
	run -0 man_synopsis
	assert_line -n 0 'wprofck [-hV] command [argument ...]'
	run -0 "$WPROFCK" help
	assert_line -n 0 'usage: wprofck [-hV] command [argument ...]'
}

@test "man: the synopsis of each command is its --help usage line, word for word" {
	local cmd n=0
	for cmd in $(commands); do
		run -0 "$WPROFCK" "$cmd" --help
		assert_line -n 0 "usage: $(man_synopsis | grep "^wprofck $cmd ")"
		n=$((n + 1))
	done
	[ "$n" -ge 5 ]
}

@test "man: the SYNOPSIS has a line for each command of cmd/cmds.c, and no other" {
	local man help
	man=$(man_synopsis | awk 'NR > 1 { print $2 }' | sort)
	help=$(grep -oE '^	\{ "[a-z]+", cmd_' "$CMDS_C" | cut -d'"' -f2 | sort)
	assert_equal "$man" "$help"
	# and wprofck help lists only commands of that table
	run -0 comm -23 <(commands | sort) <(printf '%s\n' "$help")
	assert_output ''
}

@test "help: each option of a synopsis has a line of its own with a description" {
	local cmd opt syn table n=0
	for cmd in $(commands); do
		run -0 "$WPROFCK" "$cmd" --help
		syn=${lines[0]#usage: wprofck }
		table=$(help_table "$cmd")
		for opt in $(synopsis_opts "$syn") -h --help; do
			# the option, then at least two words of description
			run -0 grep -E -- "^$opt [^ ]+ [^ ]" <<<"$table"
			n=$((n + 1))
		done
		run -0 "$WPROFCK" "$cmd" --help
		assert_line --regexp 'wprofck\(1\)'
	done
	[ "$n" -ge 40 ]
}

@test "man: the options each --help describes are the options its part of the manual lists" {
	local cmd n=0
	for cmd in $(commands); do
		run -0 man_opts "$cmd"
		assert_output "$(help_opts "$cmd" | grep -vxE -- '-h|--help')"
		[ "${#lines[@]}" -ge 3 ]
		n=$((n + 1))
	done
	[ "$n" -ge 5 ]
}

@test "man: every long option of the code is documented" {
	local opt missing=
	for opt in $(grep -ho '{ *"[a-z][a-z-]*", *[a-z_]*argument' \
	    "$BATS_TEST_DIRNAME"/../cmd/*.c | sed 's/[{ ]*"\([a-z-]*\)".*/\1/' |
	    sort -u); do
		grep -q -- "Fl -$opt" "$MAN" || missing="$missing --$opt"
	done
	assert_equal "$missing" ''
}

@test "man: SEE ALSO names the tools a user reaches for next" {
	run -0 man_text
	assert_output --regexp $'\nSEE ALSO\n +cmp\\(1\\), gzip\\(1\\), jq\\(1\\), protoc\\(1\\), sha256sum\\(1\\)\n'
}

@test "man: every example's code has a blank line before it" {
	run -0 man_text
	# An indented "$ command" right below a line of prose is glued to it.
	run -0 awk '/^EXAMPLES/ { on = 1; next } /^[A-Z]/ { on = 0 }
	    on && /^ +\$ / && prev ~ /^     [^ ]/ { print }
	    { prev = $0 }' <<<"$output"
	assert_output ''
}

@test "man: the jq examples keep the variant, so runs of one test stay apart" {
	# Each jq command of EXAMPLES with its continuation lines, one a line.
	run -0 awk '/^EXAMPLES/ { on = 1; next } /^[A-Z]/ { on = 0 }
	    !on { next }
	    /^ +\$ jq / { if (cmd) print cmd; cmd = $0; next }
	    cmd && /^ +[^ $]/ && !/^     [^ ]/ { cmd = cmd " " $0; next }
	    cmd { print cmd; cmd = "" }' <<<"$(man_text)"
	[ "${#lines[@]}" -ge 1 ]
	for jq in "${lines[@]}"; do
		assert_regex "$jq" '\.variant'
	done
}

@test "man: the frames text quotes each end condition on its own" {
	run -0 man_text
	assert_output --partial "(\`clean end', \`partial header: K bytes at offset X', \`torn frame at offset X: needs L bytes, has R', \`oversized frame at offset X: length L over the cap C' or \`not a drain: more than 1000000 empty frames in a row from offset X')"
}
