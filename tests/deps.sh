#!/bin/sh
# The Debian packages wprofck needs, in one place (README.md repeats the
# lists; tests/02-deps.bats holds the two in step).
#
# Usage: sh tests/deps.sh [--list | --check] SET...
#   SET is build, test, bench or lint; several add up.
#   (no option)  make sure the packages of SET are installed: as root the
#                missing ones are installed with apt-get (after apt-get
#                update); as another user this prints the apt-get install
#                line to run and exits 1. Exits 0 when nothing is missing.
#   --list       print the packages of SET on one line.
#   --check      build only: whether the compiler and pkg-config are there
#                and pkg-config finds every library; on failure names the
#                missing packages and the command to run, exits 1. Never
#                installs. The Makefile runs it before compiling.
# Exit status: 0 all there, 1 missing packages, 2 trouble (usage, apt-get).
# Environment: PKG_CONFIG and CC as make passes them.

# What each set needs on Debian 12 minbase. build: the compiler, make, and
# the libraries the Makefile asks pkg-config for. test: what the suites run
# (bats and its helpers, col, jq, mandoc, strace, /usr/bin/time,
# valgrind, and xmllint and python3 to read the JUnit report back); the
# rest (awk, cmp, gzip, iconv, script, setpriv, timeout,
# mount, chattr, ...) is in minbase. bench: what tests/bench.sh times with.
# lint: the static checkers `make lint` runs.
pkgs_build="gcc make pkg-config zlib1g-dev libbsd-dev"
pkgs_test="bats bats-assert bats-support bsdextrautils jq libxml2-utils mandoc python3 strace time valgrind xz-utils zstd"
pkgs_bench="hyperfine time"
pkgs_lint="clang-tidy cppcheck"

# The pkg-config modules of the build and the package that brings each.
pc_modules="zlib:zlib1g-dev libbsd-overlay:libbsd-dev"

me=deps.sh

usage() {
	echo "usage: sh tests/deps.sh [--list | --check] build|test|bench|lint ..." >&2
	exit 2
}

mode=install
case ${1-} in
--list) mode=list; shift ;;
--check) mode=check; shift ;;
-*) usage ;;
esac
[ $# -gt 0 ] || usage

pkgs=
for_what=
for set in "$@"; do
	case $set in
	build) add=$pkgs_build what="the build" ;;
	test) add=$pkgs_test what="the tests" ;;
	bench) add=$pkgs_bench what="the benchmarks" ;;
	lint) add=$pkgs_lint what="the linters" ;;
	*) usage ;;
	esac
	for_what="${for_what:+$for_what and }$what"
	for p in $add; do
		case " $pkgs " in
		*" $p "*) ;;
		*) pkgs=${pkgs:+$pkgs }$p ;;
		esac
	done
done

if [ "$mode" = list ]; then
	echo "$pkgs"
	exit 0
fi

# installed PKG: whether dpkg has PKG installed.
installed() {
	case $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) in
	*" ok installed") return 0 ;;
	*) return 1 ;;
	esac
}

have_dpkg() {
	command -v dpkg-query >/dev/null 2>&1
}

# apt_line PKG...: the one command a person runs to install PKG...
apt_line() {
	if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then
		echo "sudo apt-get install $*"
	else
		echo "apt-get install $*"
	fi
}

# tell_missing WHY PKG...: says which packages are missing and the line
# that installs them.
tell_missing() {
	why=$1
	shift
	{
		echo "$me: $why: $*"
		if [ "$(id -u)" -eq 0 ]; then
			echo "$me: install them with (or run \`make deps\`):"
		else
			echo "$me: install them as root with:"
		fi
		echo "    $(apt_line "$@")"
	} >&2
}

if [ "$mode" = check ]; then
	missing=
	cc=${CC:-cc}
	cc=${cc%% *}
	if ! command -v "$cc" >/dev/null 2>&1; then
		case ${cc##*/} in
		cc | gcc | gcc-*) missing=gcc ;;
		*)
			echo "$me: the C compiler $cc is not installed" >&2
			exit 1
			;;
		esac
	fi
	pc=${PKG_CONFIG:-pkg-config}
	if ! $pc --version >/dev/null 2>&1; then
		# Without pkg-config, dpkg says which libraries are there.
		missing="${missing:+$missing }pkg-config"
		for m in $pc_modules; do
			if ! have_dpkg || ! installed "${m#*:}"; then
				missing="$missing ${m#*:}"
			fi
		done
	else
		for m in $pc_modules; do
			$pc --exists "${m%%:*}" 2>/dev/null ||
			    missing="${missing:+$missing }${m#*:}"
		done
	fi
	[ -z "$missing" ] && exit 0
	# shellcheck disable=SC2086
	tell_missing "cannot build wprofck; missing Debian packages" $missing
	exit 1
fi

if ! have_dpkg; then
	echo "$me: no dpkg-query, so not Debian; make sure these (Debian" \
	    "names) are installed: $pkgs" >&2
	exit 0
fi

missing=
for p in $pkgs; do
	installed "$p" || missing="${missing:+$missing }$p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	# shellcheck disable=SC2086
	tell_missing "Debian packages for $for_what are missing" $missing
	exit 1
fi

echo "$me: installing $missing"
DEBIAN_FRONTEND=noninteractive
export DEBIAN_FRONTEND
if ! apt-get update </dev/null; then
	echo "$me: apt-get update failed; the packages are not installed" >&2
	exit 2
fi
# shellcheck disable=SC2086
if ! apt-get install -y --no-install-recommends $missing </dev/null; then
	echo "$me: apt-get install $missing failed" >&2
	exit 2
fi
