# Helpers for 50-faults and 51-valgrind, loaded after common.bash. The
# variables the functions set are for the tests to read.
# shellcheck disable=SC2034

: "${SLOWCAT:=$_wp_build/tests/slowcat}"
: "${SHIM:=$_wp_build/tests/shim.so}"
export SLOWCAT SHIM

# RSS_MAX_KB: the peak resident set wprofck may reach on any input, and
# the address space it runs in (ulimit -v). It reads in 1 MiB blocks and
# holds 1 MiB in memory, so a few MiB is normal; a buffer sized by a
# length field (16 MiB or 4 GiB) would exceed it even if never touched.
RSS_MAX_KB=16384

# NOCAPS: a command prefix that runs a command as root without the
# capabilities that let root ignore file modes.
NOCAPS=(setpriv '--bounding-set=-dac_override,-dac_read_search')

# sanitized: whether $WPROFCK was built with ASan, UBSan or TSan, which reserve
# address space and intercept malloc, so that neither RSS, ulimit -v nor
# valgrind means much. Asked once per test.
if grep -qa -e __asan_init -e __ubsan_handle -e __tsan_init "$WPROFCK" 2>/dev/null; then
	_wp_sanitized=1
else
	_wp_sanitized=0
fi
sanitized() {
	[ "$_wp_sanitized" -eq 1 ]
}

# need_built FILE...: builds the test programs among FILE... that make
# test-run has not built, with the sanitizers $WPROFCK was built with.
need_built() {
	local f san=
	local missing=()
	for f; do
		[ -e "$f" ] || missing+=("$f")
	done
	[ "${#missing[@]}" -gt 0 ] || return 0
	sanitized && san=1
	make -s -C "$TESTS/.." B="$B" SANITIZE="$san" "${missing[@]}" >&2
}

# shim [VAR=VALUE...] CMD...: runs CMD with the fault shim (tests/shim.c)
# loaded and the variables set.
shim() {
	local envs=()
	while [[ $1 == *=* ]]; do
		envs+=("$1")
		shift
	done
	env LD_PRELOAD="$SHIM" ASAN_OPTIONS=verify_asan_link_order=0 \
	    "${envs[@]}" "$@"
}

# rss_measurable: whether peak RSS can be measured and means something.
rss_measurable() {
	[ -x /usr/bin/time ] && ! sanitized
}

# need_rss: skips the test when peak RSS cannot be measured or trusted.
need_rss() {
	[ -x /usr/bin/time ] ||
	    skip "/usr/bin/time (Debian package time) is not installed"
	if sanitized; then
		skip "$WPROFCK is built with sanitizers; its RSS is not its own"
	fi
}

# wp_rss OUT ARGS...: as wp_to, in RSS_MAX_KB of address space and under
# /usr/bin/time, each when it means something; the peak RSS in KB goes to
# $BATS_TEST_TMPDIR/rss for assert_rss_small.
wp_rss() {
	local out=$1
	shift
	local cmd=("$WPROFCK" "$@")
	if [ -x /usr/bin/time ]; then
		cmd=(/usr/bin/time -q -f %M -o "$BATS_TEST_TMPDIR/rss" "${cmd[@]}")
	fi
	if sanitized; then
		"${cmd[@]}" >"$out"
	else
		(ulimit -v "$RSS_MAX_KB" && exec "${cmd[@]}") >"$out"
	fi
}

# wp_rss_pipe IN OUT ARGS...: as wp_rss, with IN through a pipe.
wp_rss_pipe() {
	local in=$1
	shift
	cat -- "$in" | wp_rss "$@"
}

# assert_rss_small: the last wp_rss run stayed under RSS_MAX_KB; nothing
# to check when RSS is not measurable (need_rss skips tests about it).
assert_rss_small() {
	local kb
	rss_measurable || return 0
	kb=$(<"$BATS_TEST_TMPDIR/rss")
	[[ $kb =~ ^[0-9]+$ ]] || fail "no peak RSS recorded: '$kb'"
	((kb > 0 && kb < RSS_MAX_KB)) ||
	    fail "peak RSS $kb KB, the bound is $RSS_MAX_KB KB"
}

# wait_tmp DIR: waits (5 s at most) until wprofck ($PID) holds a temporary
# file in DIR with data, so that a fault injected next lands mid-write. The
# file is unnamed (O_TMPFILE, "DIR/#inode (deleted)" in /proc/PID/fd) or,
# where that is refused, a named .wprofck.* file.
wait_tmp() {
	local i f
	for ((i = 0; i < 250; i++)); do
		for f in /proc/"$PID"/fd/*; do
			case $(readlink "$f" 2>/dev/null) in
			"$1"/'#'* | "$1"/.wprofck.*)
				[ "$(stat -L -c %s "$f" 2>/dev/null || echo 0)" -gt 0 ] &&
				    return 0
				;;
			esac
		done
		sleep 0.02
	done
	fail "no temporary file with data appeared in $1"
}

# writable DIR [PREFIX...]: whether a file can be made in DIR (by a command
# run under PREFIX); the probe does not stay.
writable() {
	local d=$1
	shift
	"$@" touch "$d/.probe" 2>/dev/null || return 1
	rm -f "$d/.probe"
}

# UNDO: what undo_all reverts after a test, as HOW:DIR: the mounts and
# attributes of ro_dir, and the tmpfs mounts tests make themselves.
UNDO=()

# ro_dir DIR: makes DIR read-only for wprofck, whatever root may do. Sets
# RO_ERR to the errno text a write there gives and RO_RUN to the command
# prefix to run wprofck with. Tries a read-only bind mount, then chattr +i,
# then mode 555 with the capabilities that let root ignore modes dropped.
# Returns 1, with RO_WHY, when none works.
ro_dir() {
	local d=$1
	RO_RUN=()
	if mount --bind "$d" "$d" 2>/dev/null; then
		UNDO+=("mount:$d")
		if mount -o remount,bind,ro "$d" 2>/dev/null &&
		    ! writable "$d"; then
			RO_ERR='Read-only file system'
			return 0
		fi
	fi
	if chattr +i "$d" 2>/dev/null; then
		UNDO+=("chattr:$d")
		if ! writable "$d"; then
			RO_ERR='Operation not permitted'
			return 0
		fi
	fi
	chmod 555 "$d"
	UNDO+=("chmod:$d")
	if [ "$(id -u)" -ne 0 ]; then
		RO_ERR='Permission denied'
		return 0
	fi
	RO_RUN=("${NOCAPS[@]}")
	if "${RO_RUN[@]}" true 2>/dev/null &&
	    ! writable "$d" "${RO_RUN[@]}"; then
		RO_ERR='Permission denied'
		return 0
	fi
	RO_WHY="neither a read-only bind mount, chattr +i nor setpriv can make a directory read-only for root here"
	return 1
}

# undo_all: reverts everything in UNDO, last first.
undo_all() {
	local i how d
	for ((i = ${#UNDO[@]} - 1; i >= 0; i--)); do
		how=${UNDO[i]%%:*}
		d=${UNDO[i]#*:}
		case $how in
		mount) umount "$d" || umount -l "$d" ;;
		chattr) chattr -i "$d" ;;
		chmod) chmod 755 "$d" ;;
		esac
	done
	UNDO=()
}

# no_dac FILE: sets NODAC to a command prefix under which mode bits apply to
# wprofck (nothing for a non-root user; for root, setpriv dropping the
# capabilities that override them), and checks that FILE is then
# unreadable. Returns 1 with NODAC_WHY when that cannot be arranged.
no_dac() {
	NODAC=()
	if [ "$(id -u)" -eq 0 ]; then
		NODAC=("${NOCAPS[@]}")
	fi
	if ! "${NODAC[@]}" true 2>/dev/null; then
		NODAC_WHY="setpriv cannot drop CAP_DAC_OVERRIDE here"
		return 1
	fi
	if "${NODAC[@]}" cat -- "$1" >/dev/null 2>&1; then
		NODAC_WHY="$1 stays readable with mode 000 (capabilities kept?)"
		return 1
	fi
}
