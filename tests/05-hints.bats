#!/usr/bin/env bats
# Messages that say what to do next: extract of an absent type, binary
# payloads and a terminal, a trace given to reassemble, a frame over the
# cap, split --cap over reassemble's default, where reassemble's failures
# point, and the salvage command for each damage salvage repairs, run as
# printed.

load common

setup() {
	new_drain
	GOT=$BATS_TEST_TMPDIR/stdout
	P=$BATS_TEST_TMPDIR
	printf 'hello\n' >"$P/hello"
	randfile "$P/bin" 300
}

# on_tty CMD...: wprofck with standard output on a pty (script(1)); its
# status is script's, the pty's bytes are in $P/tty.
on_tty() {
	local cmd=$WPROFCK a
	for a in "$@"; do
		cmd="$cmd '$a'"
	done
	script -qec "$cmd" /dev/null >"$P/tty"
}

@test "extract of a type the dump does not hold: said on stderr, exit 1, nothing written" {
	frame SOUT "$P/hello"
	frame WPRF "$P/bin"
	run -1 wp_to "$GOT" extract SERR "$DRAIN"
	assert_output "wprofck: extract: $DRAIN: no SERR (Stderr) frame in its 2 frames; 'wprofck frames $DRAIN' lists the types there are"
	assert_equal "$(fsize "$GOT")" 0
	# -q hides only what goes well
	run -1 wp_to "$GOT" extract -q stderr "$DRAIN"
	assert_output --partial 'no SERR (Stderr) frame in its 2 frames'
	# an unknown type is named by its characters; standard input has no name
	run -1 wp_in "$DRAIN" "$GOT" extract ABCD
	assert_output "wprofck: extract: (standard input): no ABCD frame in its 2 frames; 'wprofck frames DUMP' lists the types there are"
	# a type that is there: exit 0, silence
	run -0 wp_to "$GOT" extract sout "$DRAIN"
	assert_output ''
	cmp "$P/hello" "$GOT"
}

@test "extract of a binary type refuses a terminal unless -f; text types may go there" {
	local t
	frame WPRC "$P/bin"
	for t in SOUT SERR SCLG DMSG CRSH PROB LIFE; do
		frame "$t" "$P/hello"
	done
	run -2 on_tty extract WPRC "$DRAIN"
	assert_equal "$(tr -d '\r' <"$P/tty")" "wprofck: extract: refusing to write WPRC (WprofTraceChunk) payloads, which are binary, to a terminal; use -o or -f"
	run -2 on_tty extract 0x41424344 "$DRAIN"
	assert_equal "$(tr -d '\r' <"$P/tty")" "wprofck: extract: refusing to write ABCD payloads, which are binary, to a terminal; use -o or -f"
	for t in SOUT SERR SCLG DMSG CRSH PROB LIFE stdout; do
		run -0 on_tty extract "$t" "$DRAIN"
		assert_equal "$(tr -d '\r' <"$P/tty")" 'hello'
	done
	run -0 on_tty extract -f WPRC "$DRAIN"
	[ "$(fsize "$P/tty")" -ge 300 ]
	run -0 on_tty extract -o "$P/out" WPRC "$DRAIN"
	cmp "$P/bin" "$P/out"
}

@test "reassemble of a trace says it is a trace and suggests check, exit 1" {
	mktrace "$P/t.pb" 20
	run -1 wp_to "$GOT" reassemble "$P/t.pb"
	assert_output "wprofck: reassemble: $P/t.pb: this is a Perfetto trace, not a drain: wprofck check $P/t.pb"
	assert_equal "$(fsize "$GOT")" 0
	# wprof's own trace
	run -1 wp_to "$GOT" reassemble "$TESTS/data/wprof-1s-pid1.wprof.pb"
	assert_output "wprofck: reassemble: $TESTS/data/wprof-1s-pid1.wprof.pb: this is a Perfetto trace, not a drain: wprofck check $TESTS/data/wprof-1s-pid1.wprof.pb"
	run -1 wp_in "$P/t.pb" "$GOT" reassemble
	assert_output "wprofck: reassemble: (standard input): this is a Perfetto trace, not a drain: wprofck check DUMP"
	# and what it suggests does check it
	run -0 "$WPROFCK" check -q "$TESTS/data/wprof-1s-pid1.wprof.pb"
}

@test "reassemble: a drain that starts with 0x0a but no packet after it is not called a trace" {
	# 0a then a length and a key of wire type 7: not a packet
	printf '\012\003\377\001\002' >"$P/odd"
	run -1 wp_to "$GOT" reassemble "$P/odd"
	assert_line -n 0 "wprofck: reassemble: $P/odd: no trace: no WprofTrace frame (partial header: 5 bytes at offset 0; 0 complete frames in 0 bytes, 0 chunks, 0 trace bytes); no .pb written"
}

@test "a frame over the cap: the --max-frame value that admits it, and that value works" {
	randfile "$P/p" 5000
	frame WPRF "$P/p"
	run -1 wp_to "$GOT" reassemble --max-frame 4K "$DRAIN"
	assert_line -n 1 "wprofck: reassemble: $DRAIN: if the guest wrote frames that large, --max-frame 5K admits this one; 'wprofck frames --max-frame 5K $DRAIN' lists the frames"
	run -0 wp_to "$GOT" reassemble --max-frame 5K "$DRAIN"
	cmp "$P/p" "$GOT"
	run -0 wp_to "$GOT" frames --max-frame 5K "$DRAIN"
	# 32 MiB frames under the default cap: 32M; a bit more: 33M
	new_drain
	frame_text WPRF x -l $((32 << 20))
	run -1 wp_to "$GOT" reassemble "$DRAIN"
	assert_line -n 1 --partial ': if the guest wrote frames that large, --max-frame 32M admits this one;'
	new_drain
	frame_text WPRF x -l $(((32 << 20) + 1))
	run -1 wp_to "$GOT" extract SOUT "$DRAIN"
	assert_line -n 1 "wprofck: extract: $DRAIN: if the guest wrote frames that large, --max-frame 33M admits this one"
}

@test "split --cap above reassemble's default warns with the --max-frame to use; -q and 16M do not" {
	mktrace "$P/t.pb" 20
	run -0 wp_to "$GOT" split --cap 17M "$P/t.pb"
	assert_output "wprofck: split: warning: --cap 17M makes frames larger than the 16M reassemble accepts by default; reassemble them with --max-frame 17M"
	run -0 wp_to "$GOT" split --cap $(((16 << 20) + 1)) "$P/t.pb"
	assert_output --partial 'reassemble them with --max-frame 17M'
	run -0 wp_to "$GOT" split -q --cap 17M "$P/t.pb"
	assert_output ''
	run -0 wp_to "$GOT" split --cap 16M "$P/t.pb"
	assert_output ''
}

@test "reassemble's failures point to frames and extract SOUT" {
	frame SOUT "$P/hello"
	frame WPRC "$P/bin" -C
	frame WPRF "$P/bin"
	run -1 wp_to "$GOT" reassemble "$DRAIN"
	assert_line -n 1 "wprofck: reassemble: see 'wprofck frames $DRAIN' for each frame and its CRC, and 'wprofck extract SOUT $DRAIN' for what the guest printed"
	[ "${#lines[@]}" -eq 2 ]
	new_drain
	frame SOUT "$P/hello"
	run -1 wp_to "$GOT" reassemble "$DRAIN"
	assert_line -n 1 "wprofck: reassemble: see 'wprofck frames $DRAIN' for the frames and where they end, and 'wprofck extract SOUT $DRAIN' for what the guest printed"
	run -1 wp_in "$DRAIN" "$GOT" reassemble -q
	assert_line -n 1 "wprofck: reassemble: see 'wprofck frames DUMP' for the frames and where they end, and 'wprofck extract SOUT DUMP' for what the guest printed"
	new_drain
	frame_text WPRF ''
	run -1 wp_to "$GOT" reassemble "$DRAIN"
	assert_line -n 1 "wprofck: reassemble: see 'wprofck extract SOUT $DRAIN' for what the guest printed"
	# and what they point to does explain it
	new_drain
	frame SOUT "$P/hello"
	run -0 "$WPROFCK" extract SOUT "$DRAIN"
	assert_output 'hello'
}

# salvage_hint REASON FILE: the hint check gives for REASON about FILE.
salvage_hint() {
	"$WPROFCK" check --json --deep "$2" >"$P/json"
	jq -r "select(.summary) | .hints.$1" "$P/json"
}

@test "every reason salvage repairs names salvage with the path, and that command repairs it" {
	local reason f cmd
	"$MKPB" -n 100 >"$P/good.pb"
	head -c 8000 "$P/good.pb" >"$P/truncated.pb"
	{ cat "$P/good.pb"; printf '\0'; } >"$P/trailing_bytes.pb"
	"$MKPB" -n 100 -X field2 >"$P/not_a_trace.pb"
	"$MKPB" -n 100 -X wt6 >"$P/malformed_packet.pb"
	"$MKPB" -n 100 -X longts >"$P/bad_varint.pb"
	cd "$P"
	for reason in truncated trailing_bytes not_a_trace malformed_packet \
	    bad_varint; do
		f=$P/$reason.pb
		run -1 "$WPROFCK" check --deep "$f"
		run -0 salvage_hint "$reason" "$f"
		assert_output --regexp "; the whole packets before the damage can be kept with: wprofck salvage -o OUT $f\$"
		cmd=${output##*kept with: }
		rm -f OUT
		run -0 eval "${cmd/wprofck/\"\$WPROFCK\"}"
		run -0 "$WPROFCK" check --deep OUT
	done
	# In the human report too, wrapped but whole.
	run -1 "$WPROFCK" check "$P/truncated.pb"
	[[ "$(printf '%s\n' "$output" | tail -3 | tr '\n' ' ' | tr -s ' ')" == *"kept with: wprofck salvage -o OUT $P/truncated.pb "* ]]
}

@test "the salvage hint of several files names none of them; one relative path, quoted" {
	"$MKPB" -n 100 >"$P/good.pb"
	head -c 8000 "$P/good.pb" >"$P/a.wprof.pb"
	head -c 9000 "$P/good.pb" >"$P/b.wprof.pb"
	run -0 salvage_hint truncated "$P"
	assert_output --regexp "kept with: wprofck salvage -o OUT FILE\$"
	cd "$P"
	mv a.wprof.pb "a b.pb"
	run -0 salvage_hint truncated "a b.pb"
	assert_output --regexp "kept with: wprofck salvage -o OUT 'a b.pb'\$"
	cmd=${output##*kept with: }
	run -0 eval "${cmd/wprofck/\"\$WPROFCK\"}"
	run -0 "$WPROFCK" check --deep OUT
}

@test "a hint that salvage cannot act on does not name it" {
	"$MKPB" -n 100 >"$P/good.pb"
	head -c 100 "$P/good.pb" >"$P/small.pb"
	run -0 salvage_hint too_small "$P/small.pb"
	refute_output --partial salvage
}

@test "a bad CRC is 'stored 0x... computed 0x...' in frames, extract and reassemble" {
	local want
	frame WPRC "$P/bin" -C
	frame WPRF "$P/hello"
	# mkframe -C stores the CRC with its low bit flipped; gzip computes it.
	want="stored 0x$(printf '%08x' $((0x$(crc_of "$P/bin") ^ 1))), computed 0x$(crc_of "$P/bin")"
	run -1 "$WPROFCK" frames "$DRAIN"
	assert_line --partial "BAD ($want)"
	run -1 wp_to "$GOT" extract WPRC "$DRAIN"
	assert_output "wprofck: extract: $DRAIN: skipped WprofTraceChunk frame 0 at offset 0: bad CRC ($want)"
	run -1 wp_to "$GOT" reassemble "$DRAIN"
	assert_line -n 0 "wprofck: reassemble: $DRAIN: torn trace: WprofTraceChunk frame 0 at offset 0 failed its CRC ($want); no .pb written"
	run -1 "$WPROFCK" frames --json "$DRAIN"
	refute_output --partial 'want'
	refute_output --partial 'got'
}
