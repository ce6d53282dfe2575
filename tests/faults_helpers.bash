# Helpers for 50-faults and 51-valgrind, loaded after common.bash.

: "${SLOWCAT:=$_wp_build/tests/slowcat}"
export SLOWCAT

# RSS_MAX_KB: the peak resident set wprofck may reach on any input. It
# reads in 1 MiB blocks and holds 1 MiB in memory, so a few MiB is normal;
# a buffer sized by a length field (16 MiB or 4 GiB) would exceed it.
RSS_MAX_KB=16384

# sanitized: whether $WPROFCK was built with ASan or UBSan, which reserve
# memory and intercept malloc, so that neither RSS nor valgrind means much.
sanitized() {
	grep -qa -e __asan_init -e __ubsan_handle "$WPROFCK"
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

# wp_rss OUT ARGS...: as wp_to, under /usr/bin/time when it is there; the
# peak RSS in KB goes to $BATS_TEST_TMPDIR/rss for assert_rss_small.
wp_rss() {
	local out=$1
	shift
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -q -f %M -o "$BATS_TEST_TMPDIR/rss" \
		    "$WPROFCK" "$@" >"$out"
	else
		"$WPROFCK" "$@" >"$out"
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

# tmp_files DIR: wprofck's temporary files in DIR, one line.
tmp_files() {
	find "$1" -maxdepth 1 -name '.wprofck.*' -printf '%f ' 2>/dev/null |
	    sed 's/ $//'
}

# refute_tmp DIR: no temporary file of wprofck is left in DIR.
refute_tmp() {
	local left
	left=$(tmp_files "$1")
	[ -z "$left" ] || fail "temporary files left in $1: $left"
}

# wait_tmp DIR: waits (5 s at most) until a temporary file of wprofck in
# DIR holds data, so that a fault injected next lands mid-write.
wait_tmp() {
	local i f
	for ((i = 0; i < 250; i++)); do
		for f in "$1"/.wprofck.*; do
			[ -s "$f" ] && return 0
		done
		sleep 0.02
	done
	fail "no temporary file with data appeared in $1"
}

# RO_DIRS: directories made read-only by ro_dir, undone by ro_undo.
RO_DIRS=()

# ro_dir DIR: makes DIR read-only for wprofck, whatever root may do. Sets
# RO_ERR to the errno text a write there gives and RO_RUN to the command
# prefix to run wprofck with. Tries a read-only bind mount, then chattr +i,
# then mode 555 with the capabilities that let root ignore modes dropped.
# Returns 1, with RO_WHY, when none works.
ro_dir() {
	local d=$1
	RO_RUN=()
	if mount --bind "$d" "$d" 2>/dev/null; then
		RO_DIRS+=("mount:$d")
		if mount -o remount,bind,ro "$d" 2>/dev/null &&
		    ! touch "$d/.probe" 2>/dev/null; then
			RO_ERR='Read-only file system'
			return 0
		fi
	fi
	if chattr +i "$d" 2>/dev/null; then
		RO_DIRS+=("chattr:$d")
		if ! touch "$d/.probe" 2>/dev/null; then
			RO_ERR='Operation not permitted'
			return 0
		fi
	fi
	chmod 555 "$d"
	RO_DIRS+=("chmod:$d")
	if [ "$(id -u)" -ne 0 ]; then
		RO_ERR='Permission denied'
		return 0
	fi
	RO_RUN=(setpriv --bounding-set=-dac_override,-dac_read_search)
	if "${RO_RUN[@]}" true 2>/dev/null &&
	    ! "${RO_RUN[@]}" touch "$d/.probe" 2>/dev/null; then
		RO_ERR='Permission denied'
		return 0
	fi
	RO_WHY="neither a read-only bind mount, chattr +i nor setpriv can make a directory read-only for root here"
	return 1
}

# ro_undo: undoes every ro_dir of the test, last first.
ro_undo() {
	local i how d
	for ((i = ${#RO_DIRS[@]} - 1; i >= 0; i--)); do
		how=${RO_DIRS[i]%%:*}
		d=${RO_DIRS[i]#*:}
		case $how in
		mount) umount "$d" || umount -l "$d" ;;
		chattr) chattr -i "$d" ;;
		chmod) chmod 755 "$d" ;;
		esac
	done
	RO_DIRS=()
}

# no_dac: sets NODAC to a command prefix under which mode bits apply to
# wprofck (nothing for a non-root user; for root, setpriv dropping the
# capabilities that override them), and checks that FILE is then
# unreadable. Returns 1 with NODAC_WHY when that cannot be arranged.
no_dac() {
	NODAC=()
	if [ "$(id -u)" -eq 0 ]; then
		NODAC=(setpriv --bounding-set=-dac_override,-dac_read_search)
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
