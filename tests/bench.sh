#!/bin/bash
# make bench: times wprofck against the cost of moving the same bytes.
# Inputs are generated under $B/bench once (about 3.5 GiB, plus 2 GiB of
# outputs); nothing is dropped from the page cache. The target ratio of
# each case (issue 10) is in its name. Each case runs once to
# warm up, then RUNS times interleaved with its reference; the table gives
# the median wall time of each side, the median of the pairwise ratios and
# wprofck's peak RSS. Outputs are removed before every run of either side,
# so neither pays for freeing the previous one.
set -euo pipefail

B=${B:-build}
RUNS=${RUNS:-5}
cd "$(dirname "$0")/.."
W=$PWD/$B/wprofck
here=$PWD
T=$PWD/$B/tests
D=$PWD/$B/bench
mkdir -p "$D"

# trace_path NAME: the real trace NAME.wprof.pb (tests/data, then
# ../shared/traces beside the worktree), or nothing.
trace_path() {
	local d
	for d in ${TRACES:-} "$here/tests/data" "$here/../../shared/traces" \
	    "$here/../shared/traces" /work/shared/traces; do
		if [ -f "$d/$1.wprof.pb" ]; then
			echo "$d/$1.wprof.pb"
			return 0
		fi
	done
	return 1
}
REAL18=$(trace_path wprof-2s-stacks-sched || true)
TP=${TP:-$here/../../shared/perfetto/bin/trace_processor_shell}
[ -x "$TP" ] || TP=/work/shared/perfetto/bin/trace_processor_shell

need_kb=$((6 * 1024 * 1024))
free_kb=$(df -Pk "$D" | awk 'NR == 2 { print $4 }')
if [ "$free_kb" -lt "$need_kb" ]; then
	echo "bench: needs 6 GiB free in $D, has $((free_kb / 1024)) MiB" >&2
	exit 2
fi

gen() {
	[ -s "$D/trace1g.pb" ] ||
		"$T/mkpb" -n 524288 -s 2048 -o "$D/trace1g.pb"
	[ -s "$D/drain1g" ] || "$W" split -o "$D/drain1g" "$D/trace1g.pb"
	[ -s "$D/drain64" ] ||
		"$W" split --cap 64 --chunk-tag SOUT -o "$D/drain64" "$D/trace1g.pb"
	if [ ! -s "$D/real200.pb" ]; then
		# The 488 KB real trace, 420 times over: about 200 MB.
		for _ in $(seq 420); do
			cat tests/data/wprof-500ms-sha256sum.wprof.pb
		done >"$D/real200.tmp"
		mv "$D/real200.tmp" "$D/real200.pb"
	fi
	if [ ! -d "$D/sidecars" ]; then
		mkdir -p "$D/sidecars.tmp"
		"$T/mkpb" -n 31 -s 2048 -o "$D/one.pb"
		for i in $(seq 1000); do
			cp "$D/one.pb" "$(printf '%s/sidecars.tmp/test_%04d-%016x.wprof.pb' \
				"$D" "$i" "$((i * 7919))")"
		done
		mv "$D/sidecars.tmp" "$D/sidecars"
	fi
	if [ ! -d "$D/dir100k" ]; then
		# 100,000 traces as ktstr names them, hard links to four
		# copies (a file system may cap the links of one inode).
		mkdir -p "$D/dir100k.tmp"
		perl -e '
			my ($dir, $src, $n) = @ARGV;
			for my $c (0 .. 3) {
				system("cp", $src, "$dir/src$c.wprof.pb") == 0
				    or die;
			}
			for my $i (1 .. $n) {
				link("$dir/src" . ($i % 4) . ".wprof.pb",
				    sprintf("%s/test_%d-%016x.wprof.pb", $dir,
				    $i % 97, $i)) or die "$i: $!";
			}' "$D/dir100k.tmp" tests/data/wprof-1s-pid1.wprof.pb 100000
		mv "$D/dir100k.tmp" "$D/dir100k"
	fi
	if [ -n "$REAL18" ] && [ ! -s "$D/real18x11.pb" ]; then
		# The 18 MB real trace with stacks, 11 times over: 205 MB,
		# 25 million references, over a million of them distinct.
		for _ in $(seq 11); do
			cat "$REAL18"
		done >"$D/real18x11.tmp"
		mv "$D/real18x11.tmp" "$D/real18x11.pb"
	fi
	if [ -n "$REAL18" ] && [ ! -s "$D/cut18.pb" ]; then
		# Cut inside its last packet, the stack tables: salvage keeps
		# all but that packet and drops what referred to it.
		head -c "$(($(stat -c %s "$REAL18") - 1000))" "$REAL18" \
		    >"$D/cut18.pb"
	fi
	if [ -n "$REAL18" ] && [ ! -s "$D/cut200.pb" ]; then
		head -c "$(($(stat -c %s "$D/real18x11.pb") - 1000))" \
		    "$D/real18x11.pb" >"$D/cut200.pb"
	fi
	echo "SELECT name, idx, severity, source, value FROM stats" \
	    "WHERE value > 0 AND name NOT LIKE '%duration_ns';" >"$D/stats.sql"
	cat "$D/trace1g.pb" "$D/drain1g" "$D/drain64" "$D/real200.pb" >/dev/null
	[ -z "$REAL18" ] || cat "$D/real18x11.pb" >/dev/null
}

now() { date +%s%N; }

# timed COMMAND: appends its wall time in ns to the array named by $2.
timed() {
	local t0 t1
	rm -f "$D/out" "$D/out.ref"
	t0=$(now)
	/usr/bin/time -f %M -o "$D/rss.$3" bash -c "$1" >/dev/null
	t1=$(now)
	eval "$2+=($((t1 - t0)))"
}

# run_case NAME 'wprofck command' 'reference command' ['durable reference']
# The durable reference, when given, is the reference followed by an fsync
# of what it wrote.
run_case() {
	local name=$1 wcmd=$2 rcmd=$3 scmd=${4:-} i
	local wt=() rt=() st=() rs=()
	rm -f "$D/out" "$D/out.ref"
	bash -c "$wcmd" >/dev/null 2>&1 || true
	bash -c "$rcmd" >/dev/null 2>&1
	for ((i = 0; i < RUNS; i++)); do
		timed "$wcmd" wt w
		rs+=("$(tail -n 1 "$D/rss.w")")
		timed "$rcmd" rt r
		[ -z "$scmd" ] || timed "$scmd" st s
	done
	[ -n "$scmd" ] || st=("${rt[@]}")
	printf '%s\n' "${wt[@]}" >"$D/w.$$"
	printf '%s\n' "${rt[@]}" >"$D/r.$$"
	printf '%s\n' "${st[@]}" >"$D/s.$$"
	paste "$D/w.$$" "$D/r.$$" "$D/s.$$" | awk -v name="$name" \
	    -v durable="$scmd" \
	    -v rss="$(printf '%s\n' "${rs[@]}" | sort -n | tail -n 1)" '
		function median(a, n,   i, j, t) {
			for (i = 1; i <= n; i++)
				for (j = i + 1; j <= n; j++)
					if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
			return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
		}
		{ w[NR] = $1; r[NR] = $2; q[NR] = $1 / $2; s[NR] = $3; p[NR] = $1 / $3 }
		END {
			printf "%-38s %8.3f %8.3f %6.2f", name, median(w, NR) / 1e9,
			    median(r, NR) / 1e9, median(q, NR)
			if (durable != "")
				printf " %8.3f %6.2f", median(s, NR) / 1e9, median(p, NR)
			else
				printf " %8s %6s", "-", "-"
			printf " %7.1f\n", rss / 1024
		}'
	rm -f "$D/w.$$" "$D/r.$$" "$D/s.$$" "$D/out" "$D/out.ref"
}

gen
{
	echo "wprofck bench, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores," \
	    "$(uname -r), $RUNS runs"
	printf '%-38s %8s %8s %6s %8s %6s %7s\n' case wprofck ref ratio \
	    "ref+sync" ratio "RSS MiB"
	run_case "1 reassemble -o 1G vs cp (1.25)" \
	    "$W reassemble -o $D/out $D/drain1g" \
	    "cp $D/drain1g $D/out.ref"
	run_case "2 cat|reassemble -o vs cat> (1.25)" \
	    "cat $D/drain1g | $W reassemble -o $D/out" \
	    "cat $D/drain1g > $D/out.ref"
	run_case "3 reassemble --sync vs cp+sync (1.25)" \
	    "$W reassemble --sync -o $D/out $D/drain1g" \
	    "cp $D/drain1g $D/out.ref && sync $D/out.ref"
	run_case "4 extract 64B frames vs case 1 (2)" \
	    "$W extract -o $D/out SOUT $D/drain64" \
	    "$W reassemble -o $D/out.ref $D/drain1g"
	run_case "5 split --cap 64 vs case 1 (2)" \
	    "$W split --cap 64 -o $D/out $D/trace1g.pb" \
	    "$W reassemble -o $D/out.ref $D/drain1g"
	run_case "6 check 200M real vs cat>null (5)" \
	    "$W check --deep $D/real200.pb" \
	    "cat $D/real200.pb > /dev/null"
	run_case "7 check 1G 2K pkts vs cat>null (1.5)" \
	    "$W check --deep $D/trace1g.pb" \
	    "cat $D/trace1g.pb > /dev/null"
	run_case "8 check 1000 files vs ls -l (3)" \
	    "$W check $D/sidecars" \
	    "ls -l $D/sidecars"
	# BEFORE=path/to/an/older/wprofck: cases 6 and 7 again, this build
	# against that one in the same run (issue 15: no slower than before).
	if [ -n "${BEFORE:-}" ]; then
		run_case "6b check 200M real, now vs BEFORE (1)" \
		    "$W check --deep $D/real200.pb" \
		    "$BEFORE check --deep $D/real200.pb"
		run_case "7b check 1G 2K pkts, now vs BEFORE (1)" \
		    "$W check --deep $D/trace1g.pb" \
		    "$BEFORE check --deep $D/trace1g.pb"
	fi
	if [ -n "$REAL18" ]; then
		run_case "9 check 18M real x11 vs cat>null (5)" \
		    "$W check --deep $D/real18x11.pb" \
		    "cat $D/real18x11.pb > /dev/null"
	else
		echo "9 skipped: no wprof-2s-stacks-sched.wprof.pb (TRACES=dir)"
	fi
	if [ -n "$REAL18" ] && "$TP" -v >/dev/null 2>&1; then
		run_case "10 check 18M vs trace_processor (0.05)" \
		    "$W check --deep $REAL18" \
		    "$TP -q $D/stats.sql $REAL18 2>/dev/null"
	else
		echo "10 skipped: no trace_processor_shell (TP=path) or 18 MB trace"
	fi
	run_case "11 check 100,000 files vs ls -l (3)" \
	    "$W check -q $D/dir100k" \
	    "ls -l $D/dir100k"
	if [ -n "$REAL18" ]; then
		# salvage may exit 1 on a damaged trace: its success here.
		run_case "12 salvage -o 18M cut vs cp (RSS 16)" \
		    "$W salvage -q -o $D/out $D/cut18.pb; [ \$? -le 1 ]" \
		    "cp $D/cut18.pb $D/out.ref"
		run_case "13 salvage -o 200M cut vs cp (RSS 16)" \
		    "$W salvage -q -o $D/out $D/cut200.pb; [ \$? -le 1 ]" \
		    "cp $D/cut200.pb $D/out.ref"
	else
		echo "12, 13 skipped: no wprof-2s-stacks-sched.wprof.pb (TRACES=dir)"
	fi
} | tee "$D/results.txt"
echo "bench: results in $D/results.txt"
