#!/usr/bin/env bats
# The Debian packages (issue 11 item 1): tests/deps.sh and the README list
# the same ones; as root the missing ones are installed after apt-get
# update, as another user the apt-get install line is printed; make stops
# before compiling when a build package is missing; make demo needs only
# the build packages. dpkg-query, apt-get, id and pkg-config are stand-ins
# here, so nothing is installed and any user may run the suite.

load common

ROOT=$BATS_TEST_DIRNAME/..

setup() {
	S=$BATS_TEST_TMPDIR/bin
	mkdir -p "$S"
	# id -u prints $STUB_UID.
	cat >"$S/id" <<-'EOF'
		#!/bin/sh
		echo "${STUB_UID:-0}"
	EOF
	# dpkg-query -W -f=... PKG: installed unless PKG is in $STUB_MISSING.
	cat >"$S/dpkg-query" <<-'EOF'
		#!/bin/sh
		for p; do :; done
		case " $STUB_MISSING " in
		*" $p "*) echo "dpkg-query: no packages found matching $p" >&2; exit 1 ;;
		esac
		printf 'install ok installed'
	EOF
	# apt-get ARGS: logs ARGS to $STUB_LOG; fails for the subcommand
	# named in $STUB_APT_FAIL.
	cat >"$S/apt-get" <<-'EOF'
		#!/bin/sh
		echo "$*" >>"$STUB_LOG"
		[ "$1" != "${STUB_APT_FAIL:-}" ]
	EOF
	chmod +x "$S"/*
	# pkg-config: --version works; --exists fails for $STUB_NO_PC. Not on
	# PATH, which make would then ask for the compiler flags.
	PC=$BATS_TEST_TMPDIR/pc
	cat >"$PC" <<-'EOF'
		#!/bin/sh
		case $1 in
		--version) echo 1.8.1 ;;
		--exists) [ "$2" != "${STUB_NO_PC:-}" ] ;;
		*) exit 1 ;;
		esac
	EOF
	chmod +x "$PC"
	STUB_LOG=$BATS_TEST_TMPDIR/apt.log
	export STUB_LOG
}

# deps ARGS...: tests/deps.sh with nothing but the stand-ins on PATH.
deps() {
	PATH=$S /bin/sh "$ROOT/tests/deps.sh" "$@"
}

# readme_list SET: the packages the README lists for SET, sorted.
readme_list() {
	awk -v set="$1:" '
		/^## / { in_sec = ($0 ~ /^## From a fresh Debian 12 machine/) }
		in_sec && $1 == set { for (i = 2; i <= NF; i++) print $i }
	' "$ROOT/README.md" | sort
}

@test "deps: the README lists exactly the packages tests/deps.sh installs, set by set" {
	local set
	for set in build test bench lint; do
		run -0 readme_list "$set"
		[ -n "$output" ]
		local readme=$output
		run -0 sh "$ROOT/tests/deps.sh" --list "$set"
		run -0 sort <<<"$(tr ' ' '\n' <<<"$output")"
		assert_equal "$readme" "$output"
	done
}

@test "deps: the test set holds what the suites run beyond minbase" {
	run -0 sh "$ROOT/tests/deps.sh" --list build test
	local p
	for p in gcc make pkg-config zlib1g-dev libbsd-dev bats bats-assert \
	    bats-support bsdextrautils jq libxml2-utils mandoc python3 strace \
	    time valgrind xz-utils zstd; do
		assert_output --regexp "(^| )$p( |$)"
	done
	# demo needs the build alone.
	run -0 sh "$ROOT/tests/deps.sh" --list build
	assert_output "gcc make pkg-config zlib1g-dev libbsd-dev"
}

@test "deps: nothing missing: exit 0, silent, apt-get not run" {
	STUB_UID=1000 run -0 deps build test
	assert_output ""
	[ ! -e "$STUB_LOG" ]
	STUB_UID=0 run -0 deps build test
	assert_output ""
	[ ! -e "$STUB_LOG" ]
}

@test "deps: another user gets the one apt-get install line of what is missing, exit 1" {
	STUB_UID=1000 STUB_MISSING="jq libbsd-dev hyperfine" run -1 deps build test
	assert_line --index 0 "deps.sh: Debian packages for the build and the tests are missing: libbsd-dev jq"
	assert_line --index 1 "deps.sh: install them as root with:"
	assert_line --index 2 "    apt-get install libbsd-dev jq"
	[ "${#lines[@]}" -eq 3 ]
	[ ! -e "$STUB_LOG" ]
}

@test "deps: another user with sudo gets a sudo line" {
	printf '#!/bin/sh\nexit 1\n' >"$S/sudo"
	chmod +x "$S/sudo"
	STUB_UID=1000 STUB_MISSING="valgrind" run -1 deps test
	assert_line --index 2 "    sudo apt-get install valgrind"
}

@test "deps: root installs only what is missing, after apt-get update" {
	STUB_UID=0 STUB_MISSING="bsdextrautils strace pkg-config" run -0 deps build test
	assert_output "deps.sh: installing pkg-config bsdextrautils strace"
	run -0 cat "$STUB_LOG"
	assert_line --index 0 "update"
	assert_line --index 1 "install -y --no-install-recommends pkg-config bsdextrautils strace"
	[ "${#lines[@]}" -eq 2 ]
}

@test "deps: a failed apt-get update or install is trouble, exit 2" {
	STUB_UID=0 STUB_MISSING="jq" STUB_APT_FAIL=update run -2 deps test
	assert_line "deps.sh: apt-get update failed; the packages are not installed"
	run -0 cat "$STUB_LOG"
	assert_output "update"
	rm -f "$STUB_LOG"
	STUB_UID=0 STUB_MISSING="jq" STUB_APT_FAIL=install run -2 deps test
	assert_line "deps.sh: apt-get install jq failed"
}

@test "deps: bench packages only for the benchmarks; usage errors exit 2" {
	STUB_UID=1000 STUB_MISSING="hyperfine valgrind" run -1 deps build bench
	assert_line --index 0 "deps.sh: Debian packages for the build and the benchmarks are missing: hyperfine"
	run -2 deps
	assert_output --partial "usage: sh tests/deps.sh"
	run -2 deps tset
	assert_output --partial "usage: sh tests/deps.sh"
}

@test "deps --check: a library pkg-config cannot find stops the build before compiling" {
	local b=$BATS_TEST_TMPDIR/b
	STUB_NO_PC=libbsd-overlay run -2 make -s -C "$ROOT" B="$b" \
	    PKG_CONFIG="$PC" "$b/wprofck"
	assert_line "deps.sh: cannot build wprofck; missing Debian packages: libbsd-dev"
	assert_output --regexp "    (sudo )?apt-get install libbsd-dev"
	refute_output --partial "fatal error"
	[ ! -e "$b/lib" ] && [ ! -e "$b/cmd" ]
}

@test "deps --check: no pkg-config at all names pkg-config and the libraries dpkg lacks" {
	PATH=$S STUB_UID=1000 STUB_MISSING="zlib1g-dev" CC=/bin/true \
	    PKG_CONFIG=/nonexistent/pkg-config run -1 /bin/sh \
	    "$ROOT/tests/deps.sh" --check build
	assert_line --index 0 "deps.sh: cannot build wprofck; missing Debian packages: pkg-config zlib1g-dev"
	assert_line --index 2 "    apt-get install pkg-config zlib1g-dev"
}

@test "deps --check: a missing compiler is named as gcc" {
	PATH=$S CC=/nonexistent/cc PKG_CONFIG=$PC run -1 /bin/sh "$ROOT/tests/deps.sh" --check build
	assert_line --index 0 "deps.sh: cannot build wprofck; missing Debian packages: gcc"
	PATH=$S CC=/nonexistent/clang PKG_CONFIG=$PC run -1 /bin/sh "$ROOT/tests/deps.sh" --check build
	assert_output "deps.sh: the C compiler /nonexistent/clang is not installed"
}

@test "deps: make demo as another user needs only the build packages" {
	local san=
	if grep -qa -e __asan_init -e __ubsan_handle "$WPROFCK" 2>/dev/null; then
		san=1
	fi
	# The test packages missing: the demo still runs.
	PATH=$S:$PATH STUB_UID=1000 STUB_MISSING="bats jq valgrind bsdextrautils" \
	    run -0 make -s -C "$ROOT" B="$B" SANITIZE="$san" demo
	assert_output --partial "check "
	assert_output --partial "(exit 0)"
	# A build package missing: it stops with the line to run.
	PATH=$S:$PATH STUB_UID=1000 STUB_MISSING="zlib1g-dev" \
	    run -2 make -s -C "$ROOT" B="$B" SANITIZE="$san" demo
	assert_line --regexp "^    (sudo )?apt-get install zlib1g-dev$"
	refute_output --partial "(exit"
}
