#!/usr/bin/env bats
# The differential test of check against protoc (issue 9). The label file
# tests/data/mutations.tsv lists seeded mutations of good traces (made by
# tests/mutate.c from the bases in tests/fidelity.sh) and protoc's verdict
# on each. Here they are made again from their seeds and judged in one run
# of check --json; protoc is not needed. `make labels PROTO=...` rewrites
# the label file, `make fidelity PROTO=...` compares on fresh seeds.

load common

: "${MUTATE:=$_wp_build/tests/mutate}"
export MUTATE

setup_file() {
	P=$BATS_FILE_TMPDIR
	LABELS=$TESTS/data/mutations.tsv
	export P LABELS
	mkdir -p "$P/m"
	sh "$TESTS/fidelity.sh" bases "$P" >"$P/args"
	# shellcheck disable=SC2046
	"$MUTATE" -d "$P/m" $(cat "$P/args") <"$LABELS" >"$P/desc"
	# Exit 1 is expected: most of the files are damaged.
	rc=0
	"$WPROFCK" check --deep --json "$P/m" >"$P/verdicts" \
	    2>"$P/check.err" || rc=$?
	echo "$rc" >"$P/check.rc"
	grep -v '^#' "$LABELS" >"$P/labels"
	awk -F '\t' '$8 == "reject"' "$P/labels" >"$P/rejects"
	awk -F '\t' '$8 == "accept"' "$P/labels" >"$P/accepts"
}

@test "the label file spreads 600 to 1000 mutations over bases, kinds, depths and the whole file" {
	run -0 wc -l <"$P/labels"
	[ "$output" -ge 600 ] && [ "$output" -le 1000 ]
	# Every base has at least 100, every kind at least 15, and so do
	# depths 0 to 3; protoc rejects some and accepts some.
	run -0 awk -F '\t' '{ b[$1]++; k[$3]++; d[$5 > 3 ? 3 : $5]++; v[$8]++ }
	    END {
		for (x in b) if (b[x] < 100) print "base", x, b[x]
		for (x in k) if (k[x] < 15) print "kind", x, k[x]
		for (x = 0; x <= 3; x++) if (d[x] < 15) print "depth", x, d[x] + 0
		if (v["reject"] < 200 || v["accept"] < 100)
			print "verdicts", v["reject"] + 0, v["accept"] + 0
		print length(b), "bases", length(k), "kinds"
	    }' "$P/labels"
	assert_output '5 bases 12 kinds'
	# In every base, some damage lies in the last tenth of the file.
	run -0 awk '{ sub(/=.*/, ""); print }' "$P/args"
	for base in "${lines[@]}"; do
		size=$(fsize "$P/$base.pb")
		run -0 awk -F '\t' -v b="$base" -v s="$size" \
		    '$1 == b && $4 >= s * 0.9 { n++ } END { print n + 0 }' \
		    "$P/labels"
		[ "$output" -ge 3 ] || fail "$base: $output mutations in its last tenth"
	done
}

@test "mutate makes again, byte for byte, the files the label file describes" {
	# A difference means mutate, mkpb or a base changed: run make labels.
	run -0 diff -u <(cut -f 1-7 "$P/labels") "$P/desc"
}

@test "check passes every base of the corpus" {
	run -0 awk '{ sub(/^[^=]*=/, ""); print }' "$P/args"
	run -0 "$WPROFCK" check -q --deep "${lines[@]}"
	assert_output ''
}

@test "one run of check judges every labelled file, none of them unreadable" {
	[ "$(cat "$P/check.rc")" -eq 1 ]
	run -0 cat "$P/check.err"
	assert_output ''
	run -0 jq -r 'select(.reason == "unreadable" or .reason == "missing")
	    | .path' "$P/verdicts"
	assert_output ''
	# One record per file; the summary record (no path) comes last.
	[ "$(jq -c 'select(.path)' "$P/verdicts" | wc -l)" -eq \
	    "$(wc -l <"$P/labels")" ]
	run -0 jq -c 'select(.path | not) | .summary' "$P/verdicts"
	assert_output true
}

@test "every file protoc rejects, check rejects" {
	run sh "$TESTS/fidelity.sh" compare "$P/rejects" "$P/verdicts"
	assert_success
}

@test "no file protoc accepts fails check with a wire-level reason" {
	run sh "$TESTS/fidelity.sh" compare "$P/accepts" "$P/verdicts"
	assert_success
}

@test "mutate: one file from (base, seed) is the same as in a batch" {
	run -0 awk -F '\t' '$1 == "real1s" { print $2; exit }' "$P/labels"
	seed=$output
	run -0 "$MUTATE" -o "$BATS_TEST_TMPDIR/one.pb" "$P/real1s.pb" "$seed"
	assert_output --regexp "^$P/real1s.pb	$seed	[a-z_0-9]+	[0-9]+	"
	cmp "$BATS_TEST_TMPDIR/one.pb" "$P/m/real1s-$seed.wprof.pb"
	run -2 "$MUTATE" "$P/real1s.pb" x1
	assert_output 'mutate: seed x1: not a number from 0 to 9223372036854775807'
}

# verdict NAME OK REASON: a JSON line of check --json for mutation NAME.
verdict() {
	printf '{"path":"/x/%s.wprof.pb","ok":%s,"reason":%s,"message":%s}\n' \
	    "$1" "$2" "$3" "$([ "$3" = null ] && echo null || echo '"what"')"
}

@test "compare: lists each disagreement in a table and fails" {
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
	    a 1 flip 10 2 bit3 0 reject 'Failed to parse input.' \
	    a 2 cut_packet 20 0 'before3/4' 0 accept - \
	    b 3 pad 30 1 'len1>2' 0 accept - \
	    b 4 cut 40 3 keep40/50 0 reject 'Failed to parse input.' \
	    >"$BATS_TEST_TMPDIR/labels"
	{
		verdict a-1 true null
		verdict a-2 false '"missing_interned"'
		verdict b-3 false '"truncated"'
		verdict b-4 false '"truncated"'
	} >"$BATS_TEST_TMPDIR/verdicts"
	run -1 sh "$TESTS/fidelity.sh" compare "$BATS_TEST_TMPDIR/labels" \
	    "$BATS_TEST_TMPDIR/verdicts"
	assert_line --index 0 "base	seed	mutation@offset depth detail	protoc	check"
	assert_line --index 1 "a	1	flip@10 d2 bit3	reject: Failed to parse input.	ok"
	assert_line --index 2 "b	3	pad@30 d1 len1>2	accept: -	truncated: what"
	assert_line 'protoc rejects 2: check rejects 1, passes 1'
	assert_line 'protoc accepts 2: check passes or fails without a wire-level reason 1, fails with one 1'
	[ "${#lines[@]}" -eq 8 ]
}

@test "compare: a file check did not judge is a disagreement" {
	printf 'a\t1\tflip\t10\t2\tbit3\t0\treject\tx\n' >"$BATS_TEST_TMPDIR/labels"
	: >"$BATS_TEST_TMPDIR/verdicts"
	run -1 sh "$TESTS/fidelity.sh" compare "$BATS_TEST_TMPDIR/labels" \
	    "$BATS_TEST_TMPDIR/verdicts"
	assert_line --index 1 "a	1	flip@10 d2 bit3	reject: x	no verdict from check"
}

@test "make fidelity without protoc or the schema says it skipped, exit 0" {
	# protoc is asked for first; a fresh machine has none.
	run -0 sh "$TESTS/fidelity.sh" live "$BATS_TEST_TMPDIR/none.proto" 1
	if command -v protoc >/dev/null 2>&1; then
		assert_output --partial "no schema at '$BATS_TEST_TMPDIR/none.proto'"
	else
		assert_output --partial 'protoc not found'
	fi
	assert_output --partial 'fidelity: skipped'
	# Without protoc on PATH, whatever the schema.
	run -0 env PATH=/nonexistent /bin/sh "$TESTS/fidelity.sh" live \
	    "$BATS_TEST_TMPDIR/none.proto" 1
	assert_output --partial 'protoc not found'
	assert_output --partial 'fidelity: skipped'
}
