#!/usr/bin/env bats
# Inputs (issue 10 item 3, issue 11 item 4): inputs that never end, FIFOs
# with no writer, `-` as standard input, a file that changes while it is
# read, a drain on a terminal, and the operand messages.

load common
load faults_helpers

setup_file() {
	P=$BATS_FILE_TMPDIR
	export P
	need_built "$B/tests/shim.so"
	small_drain "$P" hello
	# A 3 MiB trace: more than one read, so it can change in between.
	"$MKPB" -n 1536 -s 2048 -o "$P/big.pb"
	"$WPROFCK" split -o "$P/big.drain" "$P/big.pb"
	# 20 MiB: more than two of the windows a regular file is mapped in.
	"$MKPB" -n 10240 -s 2048 -o "$P/huge.pb"
	"$WPROFCK" split -o "$P/huge.drain" "$P/huge.pb"
}

setup() {
	D=$BATS_TEST_TMPDIR/d
	mkdir "$D"
	OUT=$D/out
}

@test "check /dev/zero and a symbolic link to it end at once with exit 1" {
	ln -s /dev/zero "$BATS_TEST_TMPDIR/zero.wprof.pb"
	run -1 timeout 10 "$WPROFCK" check /dev/zero
	assert_output --partial 'bad leading byte 0x00'
	run -1 timeout 10 "$WPROFCK" check "$BATS_TEST_TMPDIR/zero.wprof.pb"
	assert_output --partial 'bad leading byte 0x00'
	run -1 timeout 10 "$WPROFCK" check --deep /dev/zero
	assert_output --partial 'bad leading byte 0x00'
}

@test "a FIFO operand with no writer finishes: check, reassemble, frames, extract, split" {
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	run -1 timeout 10 "$WPROFCK" check "$BATS_TEST_TMPDIR/fifo"
	run -1 timeout 10 "$WPROFCK" reassemble -o "$OUT" "$BATS_TEST_TMPDIR/fifo"
	assert_output --partial 'no trace'
	run -1 timeout 10 "$WPROFCK" frames --json "$BATS_TEST_TMPDIR/fifo"
	assert_output --partial 'this is empty, not a drain'
	run -1 timeout 10 "$WPROFCK" extract -o "$OUT" SOUT "$BATS_TEST_TMPDIR/fifo"
	assert_equal "$(fsize "$OUT")" 0
	run -0 timeout 10 "$WPROFCK" split -o "$OUT" "$BATS_TEST_TMPDIR/fifo"
	assert_equal "$(fsize "$OUT")" 16
}

@test "a FIFO whose writer comes a moment later is read whole" {
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	{ sleep 0.3; cat "$P/drain" >"$BATS_TEST_TMPDIR/fifo"; } &
	run -0 timeout 10 "$WPROFCK" reassemble -o "$OUT" "$BATS_TEST_TMPDIR/fifo"
	cmp "$P/trace" "$OUT"
	wait
}

@test "- is standard input for reassemble, extract, frames, split and check" {
	run -0 wp_in "$P/drain" "$OUT" reassemble -
	cmp "$P/trace" "$OUT"
	run -0 wp_in "$P/drain" "$OUT" extract SOUT -
	assert_equal "$(cat "$OUT")" hello
	run -0 wp_in "$P/drain" "$OUT" frames -
	assert_equal "$(grep -c ' ok$' "$OUT")" 3
	run -0 wp_in "$P/trace" "$OUT" split -
	"$MKFRAME" -t WPRF "$P/trace" | cmp - "$OUT"
}

@test "a regular file that shrinks while it is read is trouble (exit 2)" {
	cp "$P/big.pb" "$D/t.wprof.pb"
	run -2 env LD_PRELOAD="$SHIM" ASAN_OPTIONS=verify_asan_link_order=0 \
	    WPSHIM_SHRINK=1 "$WPROFCK" check --deep "$D/t.wprof.pb"
	assert_output --partial 'the file changed while it was read'
	cp "$P/big.drain" "$D/d"
	run -2 env LD_PRELOAD="$SHIM" ASAN_OPTIONS=verify_asan_link_order=0 \
	    WPSHIM_SHRINK=1 "$WPROFCK" reassemble -o "$OUT" "$D/d"
	assert_output --regexp "^wprofck: (reassemble: )?$D/d: the file changed while it was read: 3[0-9]+ bytes when opened, it ended at offset [0-9]+\$"
	assert_equal "$(ls_dir "$D")" 'd t.wprof.pb'
}

@test "a regular file that grows while it is read is trouble (exit 2)" {
	cp "$P/big.pb" "$D/t.wprof.pb"
	run -2 env LD_PRELOAD="$SHIM" ASAN_OPTIONS=verify_asan_link_order=0 \
	    WPSHIM_GROW=1 "$WPROFCK" check --deep "$D/t.wprof.pb"
	assert_output --partial 'the file changed while it was read'
	assert_output --partial 'more followed'
}

# Over 4 MiB, check reads the next block on a helper thread while it walks
# this one (lib/pump.c, run_ahead): the same rules hold for what it read.
@test "a file over 4 MiB that shrinks or grows while check reads ahead is trouble" {
	cp "$P/huge.pb" "$D/t.wprof.pb"
	[ "$(stat -c %s "$D/t.wprof.pb")" -gt 4194304 ]
	run -2 env LD_PRELOAD="$SHIM" ASAN_OPTIONS=verify_asan_link_order=0 \
	    WPSHIM_SHRINK=1 "$WPROFCK" check --deep "$D/t.wprof.pb"
	assert_output --partial 'the file changed while it was read'
	cp "$P/huge.pb" "$D/t.wprof.pb"
	run -2 env LD_PRELOAD="$SHIM" ASAN_OPTIONS=verify_asan_link_order=0 \
	    WPSHIM_GROW=1 "$WPROFCK" check --deep "$D/t.wprof.pb"
	assert_output --partial 'the file changed while it was read'
	# The report wraps its lines; the words are these.
	assert_output --regexp 'more[[:space:]]+followed'
}

@test "check without a thread to read ahead or walk with says the same" {
	cp "$P/huge.pb" "$D/t.wprof.pb"
	run -0 "$WPROFCK" check --json "$D/t.wprof.pb"
	want=$output
	run -0 env LD_PRELOAD="$SHIM" ASAN_OPTIONS=verify_asan_link_order=0 \
	    WPSHIM_FAIL=thread "$WPROFCK" check --json "$D/t.wprof.pb"
	assert_equal "$output" "$want"
	run -0 env WPROFCK_THREADS=1 "$WPROFCK" check --json "$D/t.wprof.pb"
	assert_equal "$output" "$want"
}

# reassemble -o maps a regular input a window at a time and has the kernel
# copy the payload. The shim changes the file at the second mapping only,
# so without the mapped path nothing changes and these fail.
@test "a drain truncated while reassemble -o walks its mapping is trouble" {
	cp "$P/huge.drain" "$D/d"
	run -2 env LD_PRELOAD="$SHIM" ASAN_OPTIONS=verify_asan_link_order=0 \
	    WPSHIM_SHRINK=1 WPSHIM_MAP_AT=2 "$WPROFCK" reassemble -o "$OUT" "$D/d"
	local size
	size=$(stat -c %s "$P/huge.drain")
	assert_output "wprofck: reassemble: $D/d: the file changed while it was read: $size bytes when opened, it ended at offset $((size / 2))"
	assert_equal "$(ls_dir "$D")" 'd'
	[ ! -e "$OUT" ]
}

@test "a drain that grows while reassemble -o maps it is trouble" {
	cp "$P/huge.drain" "$D/d"
	run -2 env LD_PRELOAD="$SHIM" ASAN_OPTIONS=verify_asan_link_order=0 \
	    WPSHIM_GROW=1 WPSHIM_MAP_AT=2 "$WPROFCK" reassemble -o "$OUT" "$D/d"
	assert_output --partial 'the file changed while it was read'
	assert_output --partial 'more followed'
	assert_equal "$(ls_dir "$D")" 'd'
	[ ! -e "$OUT" ]
}

@test "reassemble -o gives the same bytes when mmap or copy_file_range is refused" {
	local knob
	run -0 "$WPROFCK" reassemble -o "$OUT" "$P/huge.drain"
	cmp "$P/huge.pb" "$OUT"
	for knob in WPSHIM_NO_MMAP WPSHIM_NO_CFR; do
		rm -f "$OUT"
		run -0 env LD_PRELOAD="$SHIM" \
		    ASAN_OPTIONS=verify_asan_link_order=0 "$knob=1" \
		    "$WPROFCK" reassemble -o "$OUT" "$P/huge.drain"
		cmp "$P/huge.pb" "$OUT"
	done
	# Read, not mapped: a shrink is still caught at the first read.
	cp "$P/huge.drain" "$D/d"
	run -2 env LD_PRELOAD="$SHIM" ASAN_OPTIONS=verify_asan_link_order=0 \
	    WPSHIM_NO_MMAP=1 WPSHIM_SHRINK=1 "$WPROFCK" reassemble -o "$OUT" \
	    "$D/d"
	assert_output --partial 'it ended at offset'
}

@test "an unchanged file passes under the same shim" {
	cp "$P/big.pb" "$D/t.wprof.pb"
	run -0 env LD_PRELOAD="$SHIM" ASAN_OPTIONS=verify_asan_link_order=0 \
	    "$WPROFCK" check --deep "$D/t.wprof.pb"
}

@test "a drain is not read from a terminal" {
	command -v script >/dev/null || fail "script(1) from bsdutils is needed"
	run -2 script -qec "$WPROFCK reassemble -o $OUT" /dev/null
	assert_output --partial 'a drain is not read from a terminal'
	run -2 script -qec "$WPROFCK frames" /dev/null
	assert_output --partial 'a drain is not read from a terminal'
	[ ! -e "$OUT" ]
}

@test "operands: extra operand 'X' and missing operand, then the usage line" {
	run -2 "$WPROFCK" reassemble "$P/drain" "$P/trace"
	assert_line --index 0 --regexp "^wprofck: (reassemble: )?extra operand '$P/trace'\$"
	assert_line --index 1 --regexp '^usage: wprofck reassemble '
	run -2 "$WPROFCK" extract
	assert_line --index 0 --regexp '^wprofck: (extract: )?missing operand$'
}

@test "--check deep with a space says to write --check=deep" {
	run -2 "$WPROFCK" reassemble -o "$OUT" --check deep "$P/drain"
	assert_line --index 0 --regexp "^wprofck: (reassemble: )?--check takes its value after '=': write --check=deep\$"
	[ ! -e "$OUT" ]
	run -1 "$WPROFCK" reassemble -q -o "$OUT" --check=shape "$P/drain"
	assert_output --partial 'bad leading byte'
	cmp "$P/trace" "$OUT"
}

@test "a full spool directory names TMPDIR and suggests -o" {
	local tmp=$BATS_TEST_TMPDIR/tmp
	mkdir "$tmp"
	mount -t tmpfs -o size=64k tmpfs "$tmp" 2>/dev/null ||
	    fail "cannot mount a small tmpfs (needs root)"
	run -2 env TMPDIR="$tmp" bash -c '"$WPROFCK" reassemble "$1" >/dev/null' _ "$P/big.drain"
	umount "$tmp"
	assert_output --regexp "^wprofck: (reassemble: )?standard output: cannot hold the output until the verdict in TMPDIR=$tmp: .*No space left on device; write it to a file with -o instead\$"
}

@test "-q: nothing on success, failures still reported" {
	new_drain
	frame WPRC "$P/c1" -p 7
	frame WPRF "$P/t"
	run -0 "$WPROFCK" reassemble -q -o "$OUT" "$DRAIN"
	assert_output ''
	run -0 "$WPROFCK" reassemble -o "$OUT" "$DRAIN"
	assert_output --partial 'has pad 0x00000007'
	run -1 "$WPROFCK" reassemble -q -o "$OUT" "$P/c1"
	assert_output --partial 'no trace'
}

@test "frames -q: nothing for a good dump, the summary for a bad one" {
	run -0 "$WPROFCK" frames -q "$P/drain"
	assert_output ''
	head -c 5000 "$P/drain" >"$D/torn"
	run -1 "$WPROFCK" frames -q "$D/torn"
	assert_line --regexp '^end: torn frame at offset '
	refute_line --regexp '^ +0 +0 '
}

# Issue 14 item 1: a byte rewritten in place, the size unchanged. The shim
# zeroes it after the first read (or mapping) and a new clock tick, so the
# bytes already read are the old ones and only the times tell.
@test "frames -q of a drain whose byte 100 is zeroed while it is read is trouble, not ok" {
	cp "$P/drain" "$D/d"
	run -2 env LD_PRELOAD="$SHIM" ASAN_OPTIONS=verify_asan_link_order=0 \
	    WPSHIM_POKE=100 "$WPROFCK" frames -q "$D/d"
	assert_output --regexp "^wprofck: (frames: )?$D/d: the file changed while it was read: it was written to while it was read: the same size, a new modification or change time\$"
	# The poke happened: the file now has a zero at 100 and fails plainly.
	assert_equal "$(hexdump_of "$D/d" 100 1)" 00
	assert_equal "$(stat -c %s "$D/d")" "$(stat -c %s "$P/drain")"
	# Without the shim the same command on an untouched copy passes.
	run -0 "$WPROFCK" frames -q "$P/drain"
}

@test "every reader reports an in-place rewrite as changed, read or mapped" {
	local cmd knob
	for knob in WPSHIM_NO_MMAP=1 WPSHIM_NO_MMAP=0; do
		for cmd in "reassemble -o $OUT" "extract -o $OUT SOUT" \
		    "split -o $OUT" "frames" "check --deep"; do
			rm -f "$OUT"
			cp "$P/drain" "$D/d"
			case $cmd in
			split* | check*) cp "$P/big.pb" "$D/d" ;;
			esac
			run -2 env LD_PRELOAD="$SHIM" \
			    ASAN_OPTIONS=verify_asan_link_order=0 "$knob" \
			    WPSHIM_POKE=100 $WPROFCK $cmd "$D/d"
			echo "$knob $cmd" && assert_output --partial "$D/d"
			assert_output --partial "the file changed while it was read: it was written to while it was read"
			[ ! -e "$OUT" ]
		done
	done
}

@test "salvage of a trace rewritten in place while it is read is trouble" {
	local knob
	for knob in WPSHIM_NO_MMAP=1 WPSHIM_NO_MMAP=0; do
		rm -f "$OUT"
		cp "$P/big.pb" "$D/t"
		run -2 env LD_PRELOAD="$SHIM" \
		    ASAN_OPTIONS=verify_asan_link_order=0 "$knob" \
		    WPSHIM_POKE=100 "$WPROFCK" salvage -o "$OUT" "$D/t"
		assert_output --partial "$D/t: the file changed while it was read: it was written to while it was read"
		[ ! -e "$OUT" ]
	done
}

# Issue 14 item 2: closed standard streams. A closed descriptor is opened
# on /dev/null at startup, so no file wprofck opens later takes its
# number: a spool on fd 1 was copied onto itself, a spool on fd 2
# received the warnings and the progress lines.
@test "reassemble to a closed standard output says so, exit 2, named input or not" {
	run -2 bash -c '"$WPROFCK" reassemble <"$1" >&-' _ "$P/drain"
	assert_output --regexp "^wprofck: (reassemble: )?standard output is closed; give -o OUT or redirect it\$"
	run -2 bash -c '"$WPROFCK" reassemble "$1" >&-' _ "$P/drain"
	assert_output --regexp "^wprofck: (reassemble: )?standard output is closed; give -o OUT or redirect it\$"
	refute_output --partial 'is the input'
	run -2 bash -c '"$WPROFCK" extract SOUT "$1" >&-' _ "$P/drain"
	assert_output --partial 'standard output is closed'
	run -2 bash -c '"$WPROFCK" frames "$1" >&-' _ "$P/drain"
	assert_output --partial 'standard output is closed'
	# -q prints nothing, so a closed standard output is no loss.
	run -0 bash -c '"$WPROFCK" frames -q "$1" >&-' _ "$P/drain"
	assert_output ''
	# -o: standard output is not the output.
	run -0 bash -c '"$WPROFCK" reassemble -q -o "$2" "$1" >&-' _ "$P/drain" "$OUT"
	cmp "$P/trace" "$OUT"
}

@test "a closed standard input reads as empty" {
	run -1 bash -c '"$WPROFCK" reassemble -o "$1" <&-' _ "$OUT"
	assert_output --partial 'no WprofTrace frame'
	[ ! -e "$OUT" ]
}

# slow_into OUT FILE ARGS...: FILE through slowcat over about 1.7 s (so a
# --progress line is written mid-run) into wprofck ARGS, standard error
# closed, standard output into OUT.
slow_into() {
	local out=$1 file=$2
	shift 2
	"$_wp_build/tests/slowcat" -b 4096 -d 2000 "$file" |
	    "$WPROFCK" "$@" >"$out" 2>&-
}

@test "with standard error closed, warnings and progress never land in the output" {
	[ -x "$_wp_build/tests/slowcat" ] ||
	    make -s -C "$TESTS/.." B="$B" "$B/tests/slowcat" >&2
	randfile "$D/c2" 3000 5
	new_drain "$D/pad.drain"
	frame WPRC "$P/big.pb"
	frame WPRC "$D/c2" -p 7
	frame WPRF "$P/t"
	cat "$P/big.pb" "$D/c2" "$P/t" >"$D/want"
	# The warning goes to standard error when it is open.
	run -0 wp_to "$OUT" reassemble "$D/pad.drain"
	assert_output --partial 'has pad 0x00000007'
	cmp "$D/want" "$OUT"
	rm -f "$OUT"
	# From standard input the spool took fd 2; named, the input did.
	run -0 bash -c '"$WPROFCK" reassemble <"$1" >"$2" 2>&-' _ \
	    "$D/pad.drain" "$OUT"
	cmp "$D/want" "$OUT"
	run -0 bash -c '"$WPROFCK" reassemble --progress "$1" >"$2" 2>&-' _ \
	    "$D/pad.drain" "$OUT"
	cmp "$D/want" "$OUT"
	run -0 slow_into "$OUT" "$D/pad.drain" reassemble --progress
	cmp "$D/want" "$OUT"
	run -0 slow_into "$OUT" "$P/big.pb" split --progress
	run -0 "$WPROFCK" reassemble -o "$D/back.pb" "$OUT"
	cmp "$P/big.pb" "$D/back.pb"
	# salvage of a cut trace warns what it dropped.
	head -c 3000000 "$P/big.pb" >"$D/cut.pb"
	run -0 wp_to "$D/want.pb" salvage "$D/cut.pb"
	assert_output --partial 'dropped'
	run -0 slow_into "$OUT" "$D/cut.pb" salvage --progress -
	cmp "$D/want.pb" "$OUT"
}

# Issue 14 item 8: standard output a pipe that another process set to
# O_NONBLOCK (the flag belongs to the pipe, shared): the write gets EAGAIN
# once the pipe is full and used to fail after 64 KiB; it waits instead.
# nonblocking_into OUT ARGS...: wprofck ARGS into a non-blocking pipe whose
# reader starts a second late, into OUT. perl-base is in every Debian.
nonblocking_into() {
	local out=$1
	shift
	{
		perl -MFcntl -e 'fcntl(STDOUT, F_SETFL,
		    fcntl(STDOUT, F_GETFL, 0) | O_NONBLOCK) or die "$!"' &&
		    "$WPROFCK" "$@"
	} | { sleep 1; cat; } >"$out"
}

@test "a non-blocking standard output pipe is waited on, not given up on" {
	run -0 nonblocking_into "$OUT" reassemble "$P/big.drain"
	assert_output ''
	cmp "$P/big.pb" "$OUT"
	run -0 nonblocking_into "$OUT" split "$P/big.pb"
	cmp "$P/big.drain" "$OUT"
	run -0 nonblocking_into "$OUT" salvage -q "$P/big.pb"
	cmp "$P/big.pb" "$OUT"
	run -0 nonblocking_into "$OUT" extract WPRF "$P/big.drain"
	cmp "$P/big.pb" "$OUT"
}
