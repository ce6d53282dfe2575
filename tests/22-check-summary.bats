#!/usr/bin/env bats
# wprofck check, the summary (issue 11, items 4 and 6): the column header,
# lines within 80 columns, each failure's detail below its line, each hint
# once per reason under the summary line, the counts by reason, -q, and the
# JSON summary record that ends --json output. Traces come from mkpb (a
# whole trace is 11202 bytes, "11K"); cut ones from head(1), so every size
# below is known by construction.

load common

setup_file() {
	P=$BATS_FILE_TMPDIR
	export P
	"$MKPB" -n 100 >"$P/good.pb"
	"$MKPB" -n 0 >"$P/opening.pb"
	OPEN=$(fsize "$P/opening.pb")
	export OPEN
}

setup() {
	D=$BATS_TEST_TMPDIR/side
	mkdir -p "$D"
	J=$BATS_TEST_TMPDIR/json
}

H='RESULT  SIZE PACKETS     SPAN  PATH'

# What one trace of mkpb -n 100 holds: an opening of a clock snapshot, system
# information, a trace UUID, trace attributes and the START track event,
# then 100 track events; the START event's name is the one reference.
# What the traces hold (lib/sem.c): mkpb writes 101 TrackEvents of type 3
# (instant, tests/mkpb.c put_uint(&sub, 9, 3)), no thread descriptors, no
# ftrace, and num_cpus 4 in its system_info.
KINDS1='packets: 105 in 1 trace: 101 track_event, 1 clock_snapshot, 1 system_info,
    1 trace_attributes, 1 trace_uuid; 1 reference resolved
content: 0 threads in 0 processes, 0 ftrace cpus (4 in system_info); 0 slices
    begun, 0 ended, 101 instants, 0 counters, 0 ftrace events, 0 sched_switch, 0
    sched_waking; any Perfetto release reads it'
KINDS2='packets: 210 in 2 traces: 202 track_event, 2 clock_snapshot, 2 system_info,
    2 trace_attributes, 2 trace_uuid; 2 references resolved
content: 0 threads in 0 processes, 0 ftrace cpus (4 in system_info); 0 slices
    begun, 0 ended, 202 instants, 0 counters, 0 ftrace events, 0 sched_switch, 0
    sched_waking; any Perfetto release reads it'

# row RESULT SIZE PACKETS SPAN PATH: one line of the deep columns.
row() {
	printf '%-6s %5s %7s %8s  %s' "$@"
}

HINT_SMALL='too_small: wprof stopped before writing its opening, or the transfer cut the
    file short'
# hint_cut PATH: the hint of a truncated file, unwrapped: it names the
# salvage command for PATH.
hint_cut() {
	printf 'truncated: %s%s' "$CUT_WHY" "; the whole packets before the damage can be kept with: wprofck salvage -o OUT $1"
}
CUT_WHY='the file ends inside a packet: wprof was stopped while writing, or the copy was cut short'

# unwrap: standard input with each line that goes on another (indented by
# four spaces) joined to it.
unwrap() {
	sed -e ':a' -e '$!N' -e 's/\n    / /' -e 'ta' -e 'P' -e 'D'
}

# mixed: one good trace, three too small, one cut inside packet 54.
mixed() {
	local i
	cp "$P/good.pb" "$D/good-0000000000000005.wprof.pb"
	for i in 1 2 3; do
		head -c 100 "$P/good.pb" >"$D/small$i-000000000000000$i.wprof.pb"
	done
	head -c 8000 "$P/good.pb" >"$D/cut-0000000000000004.wprof.pb"
}

@test "summary: header, lines, counts by reason, then each hint once" {
	mixed
	run -1 "$WPROFCK" check "$D"
	# mkpb: an opening of OPEN bytes (packets 0 to 4), then body packets
	# of 64 bytes, each 0a 3e and 62 bytes; 8000 bytes cut body packet
	# k = (8000 - OPEN) / 64, packet 5 + k, at OPEN + 64 k.
	k=$(((8000 - OPEN) / 64))
	off=$((OPEN + 64 * k))
	there=$((8000 - off - 2))
	# Compared with the wrapped lines joined: the detail's length depends
	# on the numbers in it.
	got=$(unwrap <<<"$output")
	want=$(unwrap <<EOF
$H
$(row FAIL 7.8K - - cut-0000000000000004.wprof.pb)
    truncated: packet $((5 + k)) at offset $off claims 62 bytes, $there are there, $((62 - there)) missing
$(row ok 11K 105 '99.0 us' good-0000000000000005.wprof.pb)
$(row FAIL 100B - - small1-0000000000000001.wprof.pb)
    too small: 100 bytes, the minimum is 4096
$(row FAIL 100B - - small2-0000000000000002.wprof.pb)
    too small: 100 bytes, the minimum is 4096
$(row FAIL 100B - - small3-0000000000000003.wprof.pb)
    too small: 100 bytes, the minimum is 4096
1 passed, 4 failed: 3 too_small, 1 truncated
$KINDS1
$HINT_SMALL
$(hint_cut "$D/cut-0000000000000004.wprof.pb")
EOF
)
	assert_equal "$got" "$want"
}

@test "summary: a hint is never on an artifact's line, and said once" {
	mixed
	run -1 "$WPROFCK" check "$D"
	run -0 grep -c 'wprof stopped before writing its opening' <<<"$output"
	assert_output 1
}

@test "summary: every line fits 80 columns for sidecar names" {
	mixed
	cp "$P/good.pb" "$D/sched_basic_idle-00c0ffee00c0ffee.repro.wprof.pb"
	head -c 6000 "$P/good.pb" >"$D/idle_balance-00c0ffee00c0ffee.wprof.pb"
	printf 'x' >>"$D/cut-0000000000000004.wprof.pb"
	run -1 "$WPROFCK" check "$D"
	[ "${#lines[@]}" -gt 12 ]
	run -0 awk 'length($0) > 80' <<<"$output"
	assert_output ''
}

@test "summary: the reasons come in the order of the checks" {
	cp "$P/good.pb" "$D/a-0000000000000001.wprof.pb"
	head -c 8000 "$P/good.pb" >"$D/b-0000000000000001.wprof.pb"
	{ printf x; tail -c +2 "$P/good.pb"; } >"$D/c-0000000000000001.wprof.pb"
	head -c 10 "$P/good.pb" >"$D/d-0000000000000001.wprof.pb"
	ln -s nowhere "$D/e-0000000000000001.wprof.pb"
	ln -s f-0000000000000001.wprof.pb "$D/f-0000000000000001.wprof.pb"
	run -2 "$WPROFCK" check "$D"
	assert_output --partial "
1 passed, 5 failed: 1 unreadable, 1 missing, 1 too_small, 1 bad_leading_byte, 1 truncated
$KINDS1
unreadable: "
}

@test "summary: one artifact has no summary line, but its hint" {
	head -c 100 "$P/good.pb" >"$D/s.wprof.pb"
	run -1 "$WPROFCK" check "$D/s.wprof.pb"
	assert_output "$H
$(row FAIL 100B - - "$D/s.wprof.pb")
    too small: 100 bytes, the minimum is 4096
$HINT_SMALL"
}

@test "summary: all passed, no reasons and no hints" {
	cp "$P/good.pb" "$D/a-0000000000000001.wprof.pb"
	cp "$P/good.pb" "$D/b-0000000000000001.wprof.pb"
	run -0 "$WPROFCK" check "$D"
	assert_line -n 3 '2 passed, 0 failed'
	[ "${#lines[@]}" -eq 9 ]
	assert_output --partial "
2 passed, 0 failed
$KINDS2"
}

@test "-q: nothing at all when everything passes" {
	cp "$P/good.pb" "$D/a-0000000000000001.wprof.pb"
	: >"$D/.wprofck.AbCd12"
	run -0 "$WPROFCK" check -q "$D"
	assert_output ''
	run -0 "$WPROFCK" check --quiet --json "$D"
	assert_output ''
}

@test "-q: failing lines, the summary and the hints; no ok lines" {
	mixed
	run -1 "$WPROFCK" check "$D"
	full=$output
	run -1 "$WPROFCK" check -q "$D"
	# The full output without the ok line and what the traces hold.
	assert_output "$(grep -v -e '^ok ' -e '^packets: ' -e '^    1 trace_attributes' \
	    -e '^content: ' -e '^    begun, ' -e '^    sched_waking; ' <<<"$full")"
}

@test "-q --json: the failing records and the summary record" {
	mixed
	run -1 wp_to "$J" check -q --json "$D"
	run -0 jq -c '[.path != null, .ok, .failed]' "$J"
	assert_output '[true,false,null]
[true,false,null]
[true,false,null]
[true,false,null]
[false,null,4]'
}

@test "--json: the summary record: counts, reasons, hints, notes, mode" {
	mixed
	: >"$D/.wprofck.AbCd12"
	run -1 wp_to "$J" check --json "$D"
	run -0 tail -n 1 "$J"
	assert_output '{"summary":true,"version":1,"mode":"deep","passed":1,"failed":4,"reasons":{"too_small":3,"truncated":1},"hints":{"too_small":"wprof stopped before writing its opening, or the transfer cut the file short","truncated":"'"$CUT_WHY; the whole packets before the damage can be kept with: wprofck salvage -o OUT $D/cut-0000000000000004.wprof.pb"'"},"walked":1,"packets":105,"kinds":{"track_event":101,"clock_snapshot":1,"system_info":1,"trace_attributes":1,"trace_uuid":1},"refs_checked":1,"refs_capped":false,"notes":[{"path":"'"$D"'/.wprofck.AbCd12","size":0,"note":"a temporary file left by a wprofck run that was killed; remove it"}]}'
	run -0 jq -r 'select(.path) | .path' "$J"
	[ "${#lines[@]}" -eq 5 ]
	run -0 jq -s 'map(select(.summary)) | length' "$J"
	assert_output 1
	run -0 jq -s 'last | .summary' "$J"
	assert_output true
}

@test "--json --shape: the summary names the mode" {
	cp "$P/good.pb" "$D/a-0000000000000001.wprof.pb"
	run -0 wp_to "$J" check --json --shape "$D"
	run -0 jq -r 'select(.summary) | .mode' "$J"
	assert_output shape
}

@test "--json: the summary's reasons add up to the failed records" {
	mixed
	run -1 wp_to "$J" check --json "$D"
	run -0 jq -s -r '(map(select(.path and (.ok | not))) | length) as $n |
	    last | [$n, .failed, (.reasons | add)] | map(tostring) | join(" ")' "$J"
	assert_output '4 4 4'
}

@test "counts of one are singular: 1 byte, 1 packet" {
	# One 64-byte packet and one zero byte after it.
	"$MKPB" -O -n 1 >"$D/one.wprof.pb"
	printf '\0' >>"$D/one.wprof.pb"
	run -1 "$WPROFCK" check --min-size 0 "$D/one.wprof.pb"
	assert_line -n 2 '    trailing bytes: 1 byte at offset 64, after 1 packet, is not a packet: field'
	assert_line -n 3 '    number 0 does not exist'
}

@test "--json: each trace that passed has its packets by kind and references" {
	cp "$P/good.pb" "$D/a-0000000000000001.wprof.pb"
	run -0 wp_to "$J" check --json "$D"
	run -0 jq -c 'select(.path) | [.kinds, .refs_checked, .refs_capped]' "$J"
	assert_output '[{"track_event":101,"clock_snapshot":1,"system_info":1,"trace_attributes":1,"trace_uuid":1},1,false]'
	run -0 jq -c 'select(.summary) | [.walked, .packets, .refs_checked]' "$J"
	assert_output '[1,105,1]'
}

@test "--shape: no packets, so no counts by kind" {
	cp "$P/good.pb" "$D/a-0000000000000001.wprof.pb"
	run -0 "$WPROFCK" check --shape "$D"
	refute_output --partial 'packets:'
	run -0 wp_to "$J" check --shape --json "$D"
	run -0 jq -c 'select(.summary) | [.kinds, .walked]' "$J"
	assert_output '[null,null]'
}

@test "--progress: a plain line on standard error counts the artifacts" {
	mixed
	run -1 wp_to "$J" check --progress "$D"
	assert_output --regexp "^wprofck: check: .*, 5 artifacts: $D\$"
	run -1 wp_to "$BATS_TEST_TMPDIR/plain" check "$D"
	cmp "$J" "$BATS_TEST_TMPDIR/plain"
	run -1 wp_to "$J" check --no-progress "$D"
	assert_output ''
	cmp "$J" "$BATS_TEST_TMPDIR/plain"
}
