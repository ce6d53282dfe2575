#!/usr/bin/env bats
# reassemble --salvage (issue 17, item 4): a dump torn by a bad chunk CRC,
# or that ends before its terminal frame, still gives the trace the chunks
# before the damage hold, cut to its last whole packet as salvage cuts a
# trace. Without --salvage the failure names that command, and it works
# as printed. The chunks are cut by coreutils' split and framed by
# mkframe; where packets start comes from mkpb's map.

load common
load frames_helpers

setup_file() {
	P=$BATS_FILE_TMPDIR
	export P
	"$MKPB" -n 200 -m "$P/map" >"$P/good.pb"
	(cd "$P" && split -b 4096 -d -a 2 good.pb piece.)
	new_drain "$P/good.drain"
	for c in "$P"/piece.0[0-3]; do
		frame WPRC "$c"
	done
	frame WPRF "$P/piece.04"
	# The same with chunk 3's CRC bad.
	new_drain "$P/torn.drain"
	for c in "$P"/piece.0[0-2]; do
		frame WPRC "$c"
	done
	frame WPRC "$P/piece.03" -C
	frame WPRF "$P/piece.04"
}

setup() {
	cd "$BATS_TEST_TMPDIR"
}

# last_whole END: the offset just past the last packet that ends by END.
last_whole() {
	awk -v end="$1" '$2 + $3 <= end { e = $2 + $3 } END { print e }' \
	    "$P/map"
}

# packets_by END: how many packets end by END.
packets_by() {
	awk -v end="$1" '$2 + $3 <= end { n++ } END { print n }' "$P/map"
}

@test "a torn chunk: no .pb, and the --salvage command that keeps what came before" {
	local end
	run -1 "$WPROFCK" reassemble -o t.pb "$P/torn.drain"
	assert_line -n 0 --partial "$P/torn.drain: torn trace: WprofTraceChunk frame 3 at offset 12336 failed its CRC"
	assert_line -n 2 "wprofck: reassemble: the whole packets of the 3 good chunks before it can be kept with: wprofck reassemble --salvage -o OUT.wprof.pb $P/torn.drain"
	[ ! -e t.pb ]
	cmd=${lines[2]##*kept with: }
	run -0 eval "${cmd/wprofck/\"\$WPROFCK\"}"
	end=$(last_whole 12288)
	assert_line -n 0 --partial "salvaging the 3 good chunks before it (12288 trace bytes)"
	assert_line -n 1 --regexp "kept $(packets_by 12288) packets \\($end bytes\\); dropped $((12288 - end)) bytes of those chunks from offset $end: truncated: "
	head -c "$end" "$P/good.pb" >want
	cmp want OUT.wprof.pb
	run -0 "$WPROFCK" check --deep OUT.wprof.pb
}

@test "a dump that ends inside its terminal: the chunks before it, --check too" {
	local end
	head -c $(($(fsize "$P/good.drain") - 10)) "$P/good.drain" >cut.drain
	run -1 "$WPROFCK" reassemble -o t.pb cut.drain
	assert_output --partial "kept with: wprofck reassemble --salvage -o OUT.wprof.pb cut.drain"
	run -0 "$WPROFCK" reassemble --salvage --check -o t.pb cut.drain
	end=$(last_whole 16384)
	assert_line -n 0 --partial "no trace: no WprofTrace frame (torn frame at offset 16448"
	assert_line -n 0 --partial "salvaging the 4 good chunks before it (16384 trace bytes)"
	assert_line --regexp "^wprofck: reassemble: ok .* t\\.pb\$"
	head -c "$end" "$P/good.pb" >want
	cmp want t.pb
}

@test "--salvage from a pipe to standard output gives the same bytes" {
	run -0 wp_pipe "$P/torn.drain" out.pb reassemble --salvage -q
	head -c "$(last_whole 12288)" "$P/good.pb" >want
	cmp want out.pb
	# -q hides nothing of a salvage: it is not what goes well.
	assert_line -n 0 --partial "(standard input): torn trace:"
}

@test "too little before the tear: nothing saved, exit 1, nothing written" {
	new_drain small.drain
	frame WPRC "$P/piece.00" -C
	frame WPRF "$P/piece.01"
	run -1 "$WPROFCK" reassemble --salvage -o t.pb small.drain
	assert_line -n 1 "wprofck: reassemble: small.drain: nothing saved: 0 whole packets (0 bytes), short of wprof's opening (5 packets, 4096 bytes); no .pb written"
	[ ! -e t.pb ]
	# No good chunk: no --salvage to suggest.
	run -1 "$WPROFCK" reassemble -o t.pb small.drain
	refute_output --partial 'salvage'
}

@test "--salvage of a good dump is reassemble, silent; of a trace, the trace message" {
	run -0 "$WPROFCK" reassemble --salvage -o t.pb "$P/good.drain"
	assert_output ''
	cmp "$P/good.pb" t.pb
	run -1 "$WPROFCK" reassemble --salvage -o t2.pb "$P/good.pb"
	assert_output "wprofck: reassemble: $P/good.pb: this is a Perfetto trace, not a drain: wprofck check $P/good.pb"
	[ ! -e t2.pb ]
}

@test "--salvage of a real stack trace torn mid-way: what it writes passes check, as salvage's does" {
	local T=$TESTS/data/wprof-2s-stacks-sched.wprof.pb
	# 4 MiB chunks; the fourth has a bad CRC: 12 MiB of good chunks
	# before it, which lose the final packet that defines every stack.
	split -b 4194304 -d -a 2 "$T" big.
	new_drain big.drain
	for c in big.0[0-2]; do
		frame WPRC "$c"
	done
	frame WPRC big.03 -C
	frame WPRF big.04
	# The packets whole before the tear (packet 201038 starts at
	# 12582893) fail check on their references alone.
	head -c 12582893 "$T" >before.pb
	run -1 wp_to hint.json check --json before.pb
	run -0 jq -r 'select(.summary) | .hints.missing_interned' hint.json
	assert_output --regexp '; a copy with the dangling uses removed is written by: wprofck salvage -o OUT before\.pb$'
	cmd=${output##*written by: }
	run -0 "$WPROFCK" reassemble --salvage -o t.pb big.drain
	assert_line -n 2 --regexp '^wprofck: reassemble: t\.pb: rewrote [0-9]+ packets so that no reference dangles .*; removed: [0-9]+ callstack iids; [0-9]+ bytes written$'
	run -0 "$WPROFCK" check -q t.pb
	assert_output ''
	# The same bytes as the hint's salvage of the packets before the tear,
	# run as printed.
	run -0 eval "${cmd/wprofck/\"\$WPROFCK\"}"
	cmp OUT t.pb
}
