#!/usr/bin/env bats
# check --junit=FILE and reassemble --check --junit=FILE (issue 17 item 1):
# one JUnit XML report, validated by xmllint against tests/data/junit.xsd
# (written from the format's documentation, not taken from a tool) and
# read back with python3's xml.etree, never with wprofck.

load common

XSD=$BATS_TEST_DIRNAME/data/junit.xsd

setup_file() {
	P=$BATS_FILE_TMPDIR
	export P
	"$MKPB" -n 100 >"$P/good.pb"
	# A mixed sidecar directory: two passes (one with a note), failures
	# of three reasons, an unreadable link loop and a skipped FIFO.
	M=$P/mixed
	export M
	mkdir -p "$M/run1"
	cp "$P/good.pb" "$M/sched_basic-0123456789abcdef.wprof.pb"
	head -c 3000 "$P/good.pb" >"$M/sched_basic-0123456789abcdef.repro.wprof.pb"
	head -c 5000 /dev/zero >"$M/run1/zeros-fedcba9876543210.wprof.pb"
	"$MKPB" -n 200 | head -c 7000 >"$M/run1/cut-1111111111111111.wprof.pb"
	# The opening and nothing after it: passes with a note.
	"$MKPB" -n 0 >"$M/quiet-2222222222222222.wprof.pb"
	ln -s loop-3333333333333333.wprof.pb "$M/loop-3333333333333333.wprof.pb"
	mkfifo "$M/fifo-4444444444444444.wprof.pb"
}

# junit_py FILE EXPR: EXPR of python3 with r the root element, printed.
junit_py() {
	python3 -c '
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
print(eval(sys.argv[2]))' "$1" "$2"
}

@test "junit: a mixed sidecar directory validates against the schema" {
	J=$BATS_TEST_TMPDIR/report.xml
	run -2 "$WPROFCK" check --junit="$J" "$M"
	run -0 xmllint --noout --schema "$XSD" "$J"
	assert_output "$J validates"
}

@test "junit: one testsuite, one testcase per artifact, the counts in its attributes" {
	J=$BATS_TEST_TMPDIR/report.xml
	run -2 "$WPROFCK" check --junit="$J" "$M"
	run -0 junit_py "$J" 'r.tag, len(r.findall("testsuite")), len(r.findall("testsuite/testcase"))'
	# Six artifacts; the FIFO is a note, not an artifact.
	assert_output "('testsuites', 1, 6)"
	run -0 junit_py "$J" '" ".join(r.find("testsuite").get(k) for k in ("name", "tests", "failures", "errors", "skipped"))'
	assert_output "wprofck check 6 3 1 0"
	run -0 junit_py "$J" '" ".join(r.get(k) for k in ("tests", "failures", "errors", "skipped"))'
	assert_output "6 3 1 0"
}

@test "junit: name is the path, classname the test name, failure type the reason" {
	J=$BATS_TEST_TMPDIR/report.xml
	run -2 "$WPROFCK" check --junit="$J" "$M"
	run -0 junit_py "$J" '"\n".join("%s %s %s" % (c.get("name"), c.get("classname"), ",".join("%s=%s" % (e.tag, e.get("type")) for e in c if e.tag in ("failure", "error")) or "pass") for c in r.iter("testcase"))'
	assert_output "$M/loop-3333333333333333.wprof.pb loop error=unreadable
$M/quiet-2222222222222222.wprof.pb quiet pass
$M/run1/cut-1111111111111111.wprof.pb cut failure=truncated
$M/run1/zeros-fedcba9876543210.wprof.pb zeros failure=bad_leading_byte
$M/sched_basic-0123456789abcdef.wprof.pb sched_basic pass
$M/sched_basic-0123456789abcdef.repro.wprof.pb sched_basic failure=too_small"
}

@test "junit: a failure holds its message, the hint in its text; sizes and notes in system-out" {
	J=$BATS_TEST_TMPDIR/report.xml
	run -2 "$WPROFCK" check --junit="$J" "$M"
	run -0 junit_py "$J" '[c for c in r.iter("testcase") if c.get("classname") == "sched_basic"][1].find("failure").get("message")'
	assert_output "too small: 3000 bytes, the minimum is 4096"
	run -0 junit_py "$J" '[c for c in r.iter("testcase") if c.get("classname") == "sched_basic"][1].find("failure").text'
	assert_output "too small: 3000 bytes, the minimum is 4096
hint: wprof stopped before writing its opening, or the transfer cut the file short"
	run -0 junit_py "$J" '[c for c in r.iter("testcase") if c.get("classname") == "sched_basic"][0].find("system-out").text'
	assert_output "size: $(fsize "$P/good.pb") bytes
packets: 105
span: 99.0 us"
	run -0 junit_py "$J" '[c for c in r.iter("testcase") if c.get("classname") == "quiet"][0].find("system-out").text.splitlines()[1:]'
	assert_output "['packets: 5', 'note: no track events after the opening']"
	# The walk's notes go to the suite's system-out.
	run -0 junit_py "$J" 'r.find("testsuite/system-out").text'
	assert_output "$M/fifo-4444444444444444.wprof.pb: skipped: a FIFO, not a regular file"
}

@test "junit: times, timestamp and hostname are there and well formed" {
	J=$BATS_TEST_TMPDIR/report.xml
	run -0 "$WPROFCK" check --junit="$J" "$P/good.pb"
	run -0 junit_py "$J" 'all(float(c.get("time")) >= 0 for c in r.iter("testcase")) and float(r.find("testsuite").get("time")) >= 0'
	assert_output True
	run -0 junit_py "$J" 'r.find("testsuite").get("timestamp")'
	assert_output --regexp '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$'
	run -0 junit_py "$J" 'r.find("testsuite").get("hostname") != ""'
	assert_output True
}

@test "junit: any byte in a path gives valid XML, escaped as the human report escapes it" {
	D=$BATS_TEST_TMPDIR/odd
	mkdir -p "$D"
	# A control byte, bytes that are not UTF-8, and what XML reserves.
	name=$(printf 'a<&"'"'"'>\001\377\303-0123456789abcdef.wprof.pb')
	cp "$P/good.pb" "$D/$name"
	printf 'x' >"$D/$(printf 'tab\there]]>-0123456789abcdef.wprof.pb')"
	J=$BATS_TEST_TMPDIR/report.xml
	run -1 "$WPROFCK" check --junit="$J" "$D"
	run -0 xmllint --noout --schema "$XSD" "$J"
	run -0 junit_py "$J" '"\n".join(c.get("classname") for c in r.iter("testcase"))'
	assert_output 'a<&"'"'"'>\001\377\303
tab\there]]>'
	run -0 junit_py "$J" '[c.get("name") for c in r.iter("testcase")][0]'
	assert_output "$D/"'a<&"'"'"'>\001\377\303-0123456789abcdef.wprof.pb'
}

@test "junit: standard input is named (standard input)" {
	J=$BATS_TEST_TMPDIR/report.xml
	run -0 "$WPROFCK" check --junit="$J" - <"$P/good.pb"
	run -0 junit_py "$J" 'next(r.iter("testcase")).get("name")'
	assert_output "(standard input)"
}

@test "junit: --junit=- puts the report on standard output, the human lines on standard error" {
	run -0 bash -c '"$WPROFCK" check --junit=- "$1" 2>"$2"' _ "$P/good.pb" "$BATS_TEST_TMPDIR/err"
	assert_line -n 0 '<?xml version="1.0" encoding="UTF-8"?>'
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/out.xml"
	run -0 xmllint --noout --schema "$XSD" "$BATS_TEST_TMPDIR/out.xml"
	run -0 cat "$BATS_TEST_TMPDIR/err"
	assert_line -n 1 --regexp "^ok +11K +105 +99\\.0 us  $P/good.pb\$"
}

@test "junit: --json with --junit=- is a usage error, exit 2, nothing read" {
	run -2 "$WPROFCK" check --json --junit=- "$P/good.pb"
	assert_line -n 0 "wprofck: check: --json and --junit=- both want standard output; give --junit a file"
	assert_line -n 1 --partial "usage: wprofck check "
}

@test "junit: a report that cannot be written is trouble before any check, exit 2" {
	run -2 "$WPROFCK" check --junit="$BATS_TEST_TMPDIR/no/such/dir/r.xml" "$P/good.pb"
	assert_output --regexp "^wprofck: check: $BATS_TEST_TMPDIR/no/such/dir/r.xml: "
	refute_output --partial "ok "
}

@test "junit: written atomically: a killed run leaves the old report and no temporary file" {
	D=$BATS_TEST_TMPDIR/out
	mkdir "$D"
	echo old >"$D/r.xml"
	# The check waits for the rest of standard input and is killed.
	run -124 bash -c '{ head -c 5000 "$1"; sleep 5; } |
	    timeout -s TERM 1 "$WPROFCK" check --junit="$2" -' _ "$P/good.pb" "$D/r.xml"
	run -0 cat "$D/r.xml"
	assert_output old
	run -0 ls -A "$D"
	assert_output r.xml
}

@test "junit: reassemble --check --junit=FILE: one testcase for the trace written" {
	new_drain
	frame WPRF "$P/good.pb"
	J=$BATS_TEST_TMPDIR/report.xml
	run -0 "$WPROFCK" reassemble -q --check --junit="$J" -o "$BATS_TEST_TMPDIR/t.pb" "$DRAIN"
	assert_output ""
	run -0 xmllint --noout --schema "$XSD" "$J"
	run -0 junit_py "$J" 'r.find("testsuite").get("name"), [c.get("name") for c in r.iter("testcase")], r.get("failures")'
	assert_output "('wprofck reassemble --check', ['$BATS_TEST_TMPDIR/t.pb'], '0')"
}

@test "junit: reassemble --check --junit: a failure is in the report, exit 1" {
	new_drain
	head -c 3000 "$P/good.pb" >"$BATS_TEST_TMPDIR/small"
	frame WPRF "$BATS_TEST_TMPDIR/small"
	J=$BATS_TEST_TMPDIR/report.xml
	run -1 "$WPROFCK" reassemble --check --junit="$J" -o "$BATS_TEST_TMPDIR/t.pb" "$DRAIN"
	run -0 junit_py "$J" 'next(r.iter("testcase")).find("failure").get("type")'
	assert_output too_small
}

@test "junit: reassemble --junit without --check, or --junit=- with the trace on standard output: exit 2" {
	new_drain
	frame WPRF "$P/good.pb"
	run -2 "$WPROFCK" reassemble --junit="$BATS_TEST_TMPDIR/r.xml" -o "$BATS_TEST_TMPDIR/t.pb" "$DRAIN"
	assert_line -n 0 "wprofck: reassemble: --junit reports the check: give --check too"
	run -2 "$WPROFCK" reassemble --check --junit=- "$DRAIN"
	assert_line -n 0 "wprofck: reassemble: the trace and --junit=- both want standard output; give -o or a --junit file"
	[ ! -e "$BATS_TEST_TMPDIR/r.xml" ]
}

@test "junit: reassemble --check of a torn drain: the report has the failure, nothing else written" {
	new_drain
	frame WPRF "$P/good.pb" -C
	J=$BATS_TEST_TMPDIR/report.xml
	run -1 "$WPROFCK" reassemble --check --junit="$J" -o "$BATS_TEST_TMPDIR/t.wprof.pb" "$DRAIN"
	[ ! -e "$BATS_TEST_TMPDIR/t.wprof.pb" ]
	run -0 xmllint --noout --schema "$XSD" "$J"
	run -0 junit_py "$J" '[(c.get("name"), c.get("classname"), c.find("failure").get("type"), c.find("failure").get("message")[:10]) for c in r.iter("testcase")], r.get("failures")'
	assert_output "([('$BATS_TEST_TMPDIR/t.wprof.pb', 't.wprof.pb', 'not_reassembled', 'torn trace')], '1')"
}

@test "junit: reassemble --check of a trace: the failure says what it is, not 'no error'" {
	J=$BATS_TEST_TMPDIR/report.xml
	run -1 "$WPROFCK" reassemble --check --junit="$J" -o "$BATS_TEST_TMPDIR/t.wprof.pb" "$P/good.pb"
	assert_output "wprofck: reassemble: $P/good.pb: this is a Perfetto trace, not a drain: wprofck check $P/good.pb"
	[ ! -e "$BATS_TEST_TMPDIR/t.wprof.pb" ]
	run -0 xmllint --noout --schema "$XSD" "$J"
	run -0 junit_py "$J" '[(c.find("failure").get("type"), c.find("failure").get("message")) for c in r.iter("testcase")]'
	assert_output "[('not_reassembled', 'this is a Perfetto trace, not a drain: wprofck check $P/good.pb')]"
}

@test "junit: each testcase's hint names its path; the summary's, with two, names FILE" {
	D=$BATS_TEST_TMPDIR/two
	mkdir "$D"
	"$MKPB" -n 200 | head -c 7000 >"$D/a-1111111111111111.wprof.pb"
	"$MKPB" -n 200 | head -c 7001 >"$D/b-2222222222222222.wprof.pb"
	J=$BATS_TEST_TMPDIR/report.xml
	run -1 wp_to "$BATS_TEST_TMPDIR/out.json" check --json --junit="$J" "$D"
	run -0 jq -r 'select(.summary) | .hints.truncated' "$BATS_TEST_TMPDIR/out.json"
	assert_output --regexp 'kept with: wprofck salvage -o OUT FILE$'
	run -0 junit_py "$J" '"|".join(c.find("failure").text.rsplit(" ", 1)[1] for c in r.iter("testcase"))'
	assert_output "$D/a-1111111111111111.wprof.pb|$D/b-2222222222222222.wprof.pb"
}
