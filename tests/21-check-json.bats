#!/usr/bin/env bats
# wprofck check --json (issue 3): one JSON object per artifact per line on
# stdout and nothing else; every line emitted here is parsed by jq. Names
# with control characters, newlines and bytes that are not UTF-8 must come
# out as valid JSON, the latter as \udcXX (one per byte, reversible).

load common

setup_file() {
	P=$BATS_FILE_TMPDIR
	export P
	{ printf '\n'; head -c 4095 /dev/zero; } >"$P/4096.pb"
	"$MKPB" -n 100 >"$P/good.pb"
}

setup() {
	D=$BATS_TEST_TMPDIR/side
	mkdir -p "$D"
	J=$BATS_TEST_TMPDIR/json
}

# json_lines FILE N: FILE holds exactly N lines, each one JSON object.
json_lines() {
	local line n=0
	while IFS= read -r line; do
		printf '%s' "$line" | jq -e 'type == "object"' >/dev/null ||
		    fail "not a JSON object: $line"
		n=$((n + 1))
	done <"$1"
	[ "$n" -eq "$2" ] || fail "$n lines, want $2"
	[ "$(wc -l <"$1")" -eq "$2" ] || fail "the last line has no newline"
}

# arts FILTER FILE: jq -r FILTER over the artifact records of FILE, which
# are those with a "path"; the summary record that ends FILE has none.
arts() {
	jq -r "select(.path) | $1" "$2"
}

# keys FILE LINE: the sorted keys of line LINE (from 1), comma separated.
keys() {
	sed -n "$2p" "$1" | jq -r 'keys | join(",")'
}

@test "--json: a passing file: path, ok, size, null reason and message" {
	run -0 wp_to "$J" check --shape --json "$P/4096.pb"
	json_lines "$J" 2
	run -0 keys "$J" 1
	assert_output 'message,ok,path,reason,size'
	run -0 arts '[.path, .ok, .size, .reason, .message] | map(tostring) | join(" ")' "$J"
	assert_output "$P/4096.pb true 4096 null null"
}

@test "--json: a failure has the reason code and the human sentence" {
	head -c 4095 "$P/4096.pb" >"$D/small.wprof.pb"
	run -1 wp_to "$J" check --shape --json "$D/small.wprof.pb"
	json_lines "$J" 2
	run -0 arts '.ok, .size, .reason, .message' "$J"
	assert_output "false
4095
too_small
too small: 4095 bytes, the minimum is 4096"
}

@test "--json: the message is the detail the human output shows" {
	head -c 4095 "$P/4096.pb" >"$D/small.wprof.pb"
	run -1 "$WPROFCK" check --shape "$D/small.wprof.pb"
	human=${lines[2]#    }
	run -1 wp_to "$J" check --shape --json "$D/small.wprof.pb"
	run -0 arts .message "$J"
	assert_output "$human"
}

@test "--json: a missing file has a null size" {
	run -1 wp_to "$J" check --shape --json "$D/gone.wprof.pb"
	json_lines "$J" 2
	run -0 jq -c 'select(.path) | [.ok, .size, .reason, .message]' "$J"
	assert_output '[false,null,"missing","missing: no such file"]'
}

@test "--json: sidecar names add test, variant and kind" {
	cp "$P/4096.pb" "$D/sched_basic-00c0ffee00c0ffee.wprof.pb"
	cp "$P/4096.pb" "$D/sched_basic-00c0ffee00c0ffee.repro.wprof.pb"
	cp "$P/4096.pb" "$D/plain.wprof.pb"
	cp "$P/4096.pb" "$D/short-00c0ffee.wprof.pb"
	cp "$P/4096.pb" "$D/upper-00C0FFEE00C0FFEE.wprof.pb"
	run -0 wp_to "$J" check --shape --json "$D"
	json_lines "$J" 6
	run -0 arts '[.path, .test, .variant, .kind] | map(tostring) | join(" ")' "$J"
	assert_line -n 0 "$D/plain.wprof.pb null null null"
	assert_line -n 1 "$D/sched_basic-00c0ffee00c0ffee.wprof.pb sched_basic 00c0ffee00c0ffee trace"
	assert_line -n 2 "$D/sched_basic-00c0ffee00c0ffee.repro.wprof.pb sched_basic 00c0ffee00c0ffee repro"
	assert_line -n 3 "$D/short-00c0ffee.wprof.pb null null null"
	assert_line -n 4 "$D/upper-00C0FFEE00C0FFEE.wprof.pb null null null"
	run -0 keys "$J" 2
	assert_output 'kind,message,ok,path,reason,size,test,variant'
	run -0 keys "$J" 1
	assert_output 'message,ok,path,reason,size'
}

@test "--json: a test name with dashes keeps them" {
	cp "$P/4096.pb" "$D/a-b-c-0123456789abcdef.wprof.pb"
	run -0 wp_to "$J" check --shape --json "$D"
	run -0 arts '.test, .variant' "$J"
	assert_output "a-b-c
0123456789abcdef"
}

@test "--json --deep: the figures of a whole trace, with their keys" {
	cp "$P/good.pb" "$D/t-0000000000000001.wprof.pb"
	run -0 wp_to "$J" check --json --deep "$D"
	json_lines "$J" 2
	run -0 keys "$J" 1
	assert_output 'cpus,events,interned_data,kind,kinds,message,note,num_cpus,ok,packets,path,perfetto_min,perfetto_min_field,processes,reason,refs_capped,refs_checked,sequences,sequences_capped,size,slices_begun,slices_ended,span_ns,test,threads,track_descriptor,track_event,ts_max,ts_min,variant'
	run -0 arts '[.packets, .sequences, .sequences_capped, .track_event, .interned_data, .track_descriptor, .ts_min, .ts_max, .span_ns, .note] | map(tostring) | join(" ")' "$J"
	# The START instant at 0 is left out of the span.
	assert_output "105 1 false 101 1 0 1000000000 1000099000 99000 null"
}

@test "--json --deep: a trace without timestamps has null ones" {
	# One empty packet, allowed by --min-size 0.
	printf '\n\0' >"$D/e.wprof.pb"
	run -0 wp_to "$J" check --json --deep --min-size 0 "$D/e.wprof.pb"
	json_lines "$J" 2
	run -0 jq -c 'select(.path) | [.packets, .ts_min, .ts_max, .span_ns, .note]' "$J"
	assert_output '[1,null,null,null,"no track events after the opening"]'
}

@test "--json --deep: a walk failure adds offset and packet, no figures" {
	head -c 8000 "$P/good.pb" >"$D/t-0000000000000001.wprof.pb"
	run -1 wp_to "$J" check --json --deep "$D"
	json_lines "$J" 2
	run -0 keys "$J" 1
	assert_output 'kind,message,offset,ok,packet,path,reason,size,test,variant'
	run -0 arts '.reason' "$J"
	assert_output truncated
}

@test "--json --deep: a shape failure has no offset" {
	head -c 4000 "$P/good.pb" >"$D/t.wprof.pb"
	run -1 wp_to "$J" check --json --deep "$D/t.wprof.pb"
	run -0 keys "$J" 1
	assert_output 'message,ok,path,reason,size'
}

@test "--json --deep: every reason code, each line valid JSON" {
	g=$P/good.pb
	cp "$g" "$D/a_ok-0000000000000001.wprof.pb"
	head -c 100 "$g" >"$D/b_too_small-0000000000000001.wprof.pb"
	{ printf x; tail -c +2 "$g"; } >"$D/c_bad_leading_byte-0000000000000001.wprof.pb"
	head -c 8000 "$g" >"$D/d_truncated-0000000000000001.wprof.pb"
	{ cat "$g"; printf '\0'; } >"$D/e_trailing_bytes-0000000000000001.wprof.pb"
	"$MKPB" -n 100 -X field2 >"$D/f_not_a_trace-0000000000000001.wprof.pb"
	"$MKPB" -n 100 -X wt6 >"$D/g_malformed_packet-0000000000000001.wprof.pb"
	"$MKPB" -n 100 -X longts >"$D/h_bad_varint-0000000000000001.wprof.pb"
	ln -s nowhere "$D/i_missing-0000000000000001.wprof.pb"
	ln -s j_unreadable-0000000000000001.wprof.pb "$D/j_unreadable-0000000000000001.wprof.pb"
	run -2 wp_to "$J" check --json --deep "$D"
	json_lines "$J" 11
	run -0 arts '.test + " " + (.reason // "ok")' "$J"
	assert_output "a_ok ok
b_too_small too_small
c_bad_leading_byte bad_leading_byte
d_truncated truncated
e_trailing_bytes trailing_bytes
f_not_a_trace not_a_trace
g_malformed_packet malformed_packet
h_bad_varint bad_varint
i_missing missing
j_unreadable unreadable"
}

@test "--json: nothing but the objects, the last one the summary record" {
	for i in 1 2 3; do
		cp "$P/4096.pb" "$D/t$i-0000000000000001.wprof.pb"
	done
	run -0 wp_to "$J" check --shape --json "$D"
	assert_output ''
	json_lines "$J" 4
	run -0 tail -n 1 "$J"
	assert_output '{"summary":true,"version":1,"mode":"shape","passed":3,"failed":0,"reasons":{},"hints":{},"notes":[]}'
	run -0 jq -r 'select(.path) | .path' "$J"
	[ "${#lines[@]}" -eq 3 ]
}

@test "--json -q: only the failures" {
	cp "$P/4096.pb" "$D/t1-0000000000000001.wprof.pb"
	head -c 10 "$P/4096.pb" >"$D/t2-0000000000000001.wprof.pb"
	run -1 wp_to "$J" check --shape --json -q "$D"
	json_lines "$J" 2
	run -0 arts .test "$J"
	assert_output t2
	run -0 jq -c 'select(.summary) | [.passed, .failed, .reasons]' "$J"
	assert_output '[1,1,{"too_small":1}]'
	rm "$D/t2-0000000000000001.wprof.pb"
	run -0 wp_to "$J" check --shape --json -q "$D"
	json_lines "$J" 0
}

@test "--json: a directory with no artifact is one no_artifacts line" {
	run -1 wp_to "$J" check --shape --json "$D"
	json_lines "$J" 2
	run -0 jq -c 'select(.path) | [.path, .ok, .size, .reason, .message]' "$J"
	assert_output "[\"$D\",false,null,\"no_artifacts\",\"no artifacts: no *.wprof.pb file under this directory\"]"
}

@test "--json: paths found in a directory are the paths opened" {
	mkdir "$D/sub"
	cp "$P/4096.pb" "$D/sub/t-0000000000000001.wprof.pb"
	run -0 wp_to "$J" check --shape --json "$D/"
	run -0 arts .path "$J"
	assert_output "$D/sub/t-0000000000000001.wprof.pb"
	run -0 arts .path "$J"
	[ -f "$output" ]
}

@test "--json: a name with a newline is escaped and comes back whole" {
	f="$D/new
line-0000000000000001.wprof.pb"
	cp "$P/4096.pb" "$f"
	run -0 wp_to "$J" check --shape --json "$D"
	json_lines "$J" 2
	run -0 grep -c -F 'new\nline-' "$J"
	run -0 arts .path "$J"
	assert_output "$f"
	run -0 arts .test "$J"
	assert_output "new
line"
}

@test "--json: control characters, quotes and backslashes are escaped" {
	f="$D/"$'q"b\\t\tc\001d\177e'"-0000000000000001.wprof.pb"
	cp "$P/4096.pb" "$f"
	run -0 wp_to "$J" check --shape --json "$f"
	json_lines "$J" 2
	run -0 grep -c -F 'q\"b\\t\tc\u0001d\u007fe-' "$J"
	run -0 arts .path "$J"
	[ "$output" = "$f" ]
}

@test "--json: bytes that are not UTF-8 are \\udcXX, valid JSON, reversible" {
	name=$'bad\xff\xc3(\xe2\x82-x\xed\xa0\x80'
	f="$D/$name-0000000000000001.wprof.pb"
	cp "$P/4096.pb" "$f"
	run -0 wp_to "$J" check --shape --json "$D"
	json_lines "$J" 2
	# The JSON text itself is valid UTF-8.
	iconv -f UTF-8 -t UTF-8 "$J" >/dev/null
	run -0 grep -c -F '"test":"bad\udcff\udcc3(\udce2\udc82-x\udced\udca0\udc80"' "$J"
	# Undo the escapes: each \udcXX is the byte XX.
	raw=$(head -n 1 "$J" | sed 's/.*"path":"\([^"]*\)".*/\1/; s/\\udc\(..\)/\\x\1/g')
	[ "$(printf '%b' "$raw")" = "$f" ]
}

@test "--json: valid UTF-8 passes through as is" {
	f="$D/caf"$'\xc3\xa9'"_"$'\xe2\x82\xac'"_"$'\xf0\x9f\x98\x80'"-0000000000000001.wprof.pb"
	cp "$P/4096.pb" "$f"
	run -0 wp_to "$J" check --shape --json "$D"
	json_lines "$J" 2
	run -0 arts .path "$J"
	assert_output "$f"
	run -1 grep -c -F '\u' "$J"
}

@test "--json: a 4-byte sequence above U+10FFFF is not UTF-8" {
	f="$D/x"$'\xf4\x90\x80\x80'"-0000000000000001.wprof.pb"
	cp "$P/4096.pb" "$f"
	run -0 wp_to "$J" check --shape --json "$D"
	json_lines "$J" 2
	run -0 grep -c -F '"test":"x\udcf4\udc90\udc80\udc80"' "$J"
}

@test "human output shows bytes that are not printable as C escapes" {
	f="$D/bad"$'\xff\t'"-0000000000000001.wprof.pb"
	cp "$P/4096.pb" "$f"
	run -0 "$WPROFCK" check --shape "$D"
	assert_output 'RESULT  SIZE  PATH
ok      4.0K  bad\377\t-0000000000000001.wprof.pb'
}

@test "--json: an unreadable file has its size from stat" {
	cp "$P/4096.pb" "$D/t-0000000000000001.wprof.pb"
	chmod 000 "$D/t-0000000000000001.wprof.pb"
	if [ "$(id -u)" -eq 0 ]; then
		command -v setpriv >/dev/null || skip "root without setpriv(1)"
		chmod o+rx "$D" "$BATS_TEST_TMPDIR"
		d=$BATS_TEST_TMPDIR
		while [ "$d" != / ] && [ "$d" != /tmp ]; do
			chmod o+x "$d"
			d=$(dirname "$d")
		done
		run -2 setpriv --reuid=65534 --regid=65534 --clear-groups \
		    "$WPROFCK" check --json "$D"
	else
		run -2 "$WPROFCK" check --json "$D"
	fi
	printf '%s\n' "$output" >"$J"
	run -0 jq -c 'select(.path) | [.ok, .size, .reason, .message]' "$J"
	assert_output '[false,4096,"unreadable","unreadable: Permission denied"]'
	run -0 jq -c 'select(.summary) | [.failed, .reasons]' "$J"
	assert_output '[1,{"unreadable":1}]'
}
