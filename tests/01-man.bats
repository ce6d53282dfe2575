#!/usr/bin/env bats
# The manual: lint-clean, and its synopses are the binary's, word for word.

load common

setup_file() {
	MAN=$BATS_TEST_DIRNAME/../man/wprofck.1
	export MAN
}

# The SYNOPSIS section as plain text, one command per line.
man_synopsis() {
	mandoc -Tascii -O width=1000 "$MAN" | col -bx |
		awk '/^SYNOPSIS/ { on = 1; next } /^[A-Z]/ { on = 0 }
		    on && NF { sub(/^ +/, ""); print }'
}

@test "man: mandoc -Tlint reports nothing" {
	run -0 mandoc -Tlint -W warning "$MAN"
	assert_output ''
}

@test "man: every synopsis matches wprofck --help word for word" {
	run -0 man_synopsis
	local man=$output
	run -0 "$WPROFCK" --help
	assert_output "$(printf '%s\n' "$man" | sed '1s/^/usage: /; 2,$s/^/       /')"
}

@test "man: every subcommand's --help is its synopsis line" {
	local cmd
	for cmd in check extract frames reassemble split; do
		run -0 "$WPROFCK" "$cmd" --help
		assert_output "usage: $(man_synopsis | grep "^wprofck $cmd ")"
	done
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
