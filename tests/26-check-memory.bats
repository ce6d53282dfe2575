#!/usr/bin/env bats
# check DIR in bounded memory (issue 14 item 7): a sidecar directory of
# 100,000 traces and more is walked one directory at a time, keeping
# counts and not the files, so the peak RSS stays under 16 MiB (it was
# 330 bytes a file and more, linear, before).

load common
load faults_helpers

N=100000

setup_file() {
	T=$BATS_FILE_TMPDIR/side
	export T
	mkdir -p "$T/sub"
	# Hard links to four copies (a file system may allow only 65,000
	# links to one inode), named as ktstr names them, in one directory:
	# its names are what the walk must hold at once.
	perl -e '
		my ($dir, $src, $n) = @ARGV;
		for my $c (0 .. 3) {
			system("cp", $src, "$dir/src$c.wprof.pb") == 0 or die;
		}
		for my $i (1 .. $n) {
			my $name = sprintf("%s/test_%d-%016x.wprof.pb", $dir,
			    $i % 97, $i);
			link("$dir/src" . ($i % 4) . ".wprof.pb", $name) or
			    die "$name: $!";
		}' "$T" "$TESTS/data/wprof-1s-pid1.wprof.pb" "$N"
	cp "$TESTS/data/wprof-1s-pid1.wprof.pb" "$T/sub/t-0000000000000001.wprof.pb"
}

@test "the generated directory holds $N traces and the four copies" {
	assert_equal "$(find "$T" -maxdepth 1 -name '*.wprof.pb' | wc -l)" $((N + 4))
}

@test "check --shape DIR of 100,000 files: every one checked, RSS under 16 MiB" {
	need_rss
	run -0 wp_rss "$BATS_TEST_TMPDIR/out" check --shape "$T"
	assert_rss_small
	assert_equal "$(grep -c '^ok ' "$BATS_TEST_TMPDIR/out")" $((N + 5))
	assert_equal "$(tail -n 1 "$BATS_TEST_TMPDIR/out")" "$((N + 5)) passed, 0 failed"
	# Sorted as before: the copies, then test names with their variants
	# in order, the subdirectory where its name sorts.
	assert_equal "$(sed -n 2p "$BATS_TEST_TMPDIR/out" | awk '{print $3}')" src0.wprof.pb
	assert_equal "$(sed -n 6p "$BATS_TEST_TMPDIR/out" | awk '{print $3}')" sub/t-0000000000000001.wprof.pb
	assert_equal "$(sed -n 7p "$BATS_TEST_TMPDIR/out" | awk '{print $3}')" test_0-0000000000000061.wprof.pb
}

@test "check -q DIR of 100,000 files, the deep walk: RSS under 16 MiB" {
	need_rss
	run -0 wp_rss "$BATS_TEST_TMPDIR/out" check -q "$T"
	assert_rss_small
	assert_equal "$(wc -c <"$BATS_TEST_TMPDIR/out")" 0
}

@test "check -q --junit DIR of 100,000 files: a testcase each, RSS under 16 MiB" {
	need_rss
	run -0 wp_rss "$BATS_TEST_TMPDIR/out" check -q --shape --junit="$BATS_TEST_TMPDIR/r.xml" "$T"
	assert_rss_small
	assert_equal "$(grep -c '^<testcase ' "$BATS_TEST_TMPDIR/r.xml")" $((N + 5))
	run -0 python3 -c '
import sys, xml.etree.ElementTree as ET
s = ET.parse(sys.argv[1]).getroot().find("testsuite")
print(s.get("tests"), s.get("failures"), s.get("errors"))' "$BATS_TEST_TMPDIR/r.xml"
	assert_output "$((N + 5)) 0 0"
}

# The walk on two threads records what it walked for the other thread
# (lib/pbwalk.c): a run ends at 2,048 packets, and a packet past 8,192
# references or events stops it, so a round holds at most 6 MiB of
# records. Here the worst a trace can do: packets of 16 bytes with four
# references each, and packets of 211 bytes with 200.
@test "check of small packets full of references: the records stay bounded, RSS under 16 MiB" {
	need_rss
	python3 - "$BATS_TEST_TMPDIR" <<'PY'
import sys
def v(n):
	out = b''
	while True:
		b, n = n & 0x7f, n >> 7
		if not n:
			return out + bytes([b])
		out += bytes([b | 0x80])
def ld(f, body):
	return v(f << 3 | 2) + v(len(body)) + body
# TracePacket { track_event { category_iids: [ids] }
#     trusted_packet_sequence_id: 7 timestamp: 16384 }
for name, ids in (("four", b'\x01\x02\x03\x04'), ("many", b'\x01' * 200)):
	pkt = ld(1, ld(11, ld(3, ids)) + b'\x50\x07\x40\x80\x80\x01')
	with open(sys.argv[1] + "/" + name + ".pb", "wb") as f:
		f.write(pkt * (20 * 1024 * 1024 // len(pkt)))
PY
	for f in four many; do
		run -1 /usr/bin/time -q -f %M -o "$BATS_TEST_TMPDIR/rss" \
		    "$WPROFCK" check --json "$BATS_TEST_TMPDIR/$f.pb"
		kb=$(<"$BATS_TEST_TMPDIR/rss")
		((kb < 16384)) || fail "$f: peak RSS $kb KB"
		want=$output
		run -1 env WPROFCK_THREADS=1 "$WPROFCK" check --json \
		    "$BATS_TEST_TMPDIR/$f.pb"
		assert_equal "$output" "$want"
	done
	# The first file is walked on two threads at all: its packets are
	# 16 bytes, the least size a round takes (PBWALK_PAR_PACKET_MIN).
	[ "$(head -c 2 "$BATS_TEST_TMPDIR/four.pb" | od -An -tx1 | tr -d ' ')" = 0a0e ]
}
