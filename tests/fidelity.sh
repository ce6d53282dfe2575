#!/bin/sh
# The differential test of check against protoc (issue 9): seeded mutations
# of good traces (tests/mutate.c), each labelled with protoc's verdict.
#
#   fidelity.sh bases DIR         makes the good traces in DIR and prints
#                                 the name=path arguments of mutate -d
#   fidelity.sh list FIRST        "name seed" lines: the Nth base gets its
#                                 count of seeds from FIRST + 1000 N up
#   fidelity.sh labels PROTO OUT  the label file (make labels)
#   fidelity.sh compare LABELS VERDICTS
#                                 holds check --json's VERDICTS against the
#                                 labels; prints every disagreement and a
#                                 summary, exit 1 on any
#   fidelity.sh live PROTO SEED   fresh mutations from seed SEED * 10000 up,
#                                 labelled and compared on the spot
#                                 (make fidelity)
#
# "protoc rejects" a file when protoc --decode=perfetto.protos.Trace exits
# non-zero or logs a line with ERROR on standard error (it only logs invalid
# UTF-8 in a proto2 string). The decoded text on standard output is not
# searched: a string in the trace may hold the word.
#
# The rule: every file protoc rejects, check rejects (any reason); no file
# protoc accepts fails check with a wire-level reason. Other reasons are
# fine there: a cut on a packet boundary leaves references that no longer
# resolve, and a cut below 4096 bytes is too_small.
#
# B names the build directory (default build); WPROFCK, MKPB and MUTATE may
# name other binaries.

B=${B:-build}
WPROFCK=${WPROFCK:-$B/wprofck}
MKPB=${MKPB:-$B/tests/mkpb}
MUTATE=${MUTATE:-$B/tests/mutate}
WIRE='truncated malformed_packet bad_varint trailing_bytes'
here=$(dirname "$0")

# name count how: the bases, how many seeds each gets (at most 1000), and
# how each is made (a fixture, or mkpb's options). The real500ms mutations
# make up most of the corpus's bytes, and so of its time in make test.
bases_table() {
	cat <<-EOF
	real1s 220 data/wprof-1s-pid1.wprof.pb
	real500ms 130 data/wprof-500ms-sha256sum.wprof.pb
	mkpb64 170 mkpb -n 100
	mkpbdesc 160 mkpb -n 60 -s 300 -D 5 -S 3 -T
	mkpbbig 120 mkpb -n 40 -s 2000 -D 4 -R
	EOF
}

bases() {
	dir=$1
	bases_table | while read -r name count how; do
		case $how in
		mkpb\ *)
			# shellcheck disable=SC2086
			"$MKPB" ${how#mkpb } >"$dir/$name.pb" || exit 2
			;;
		*)
			cp "$here/$how" "$dir/$name.pb" || exit 2
			;;
		esac
		printf '%s=%s\n' "$name" "$dir/$name.pb"
	done
}

list() {
	first=$1
	bases_table | while read -r name count how; do
		seq "$first" "$((first + count - 1))" | sed "s/^/$name	/"
		first=$((first + 1000))
	done
}

# verdict SET FILE: "accept -" or "reject WHY", WHY protoc's first error
# line shortened (no source location nor advice, at most 90 characters, no
# tabs). SET is the schema compiled by label(), and $PROTO_NAME its file
# name: protoc decodes as with -I DIR PROTO_NAME, in a third of the time.
verdict() {
	err=$(protoc --decode=perfetto.protos.Trace --descriptor_set_in="$1" \
	    "$PROTO_NAME" <"$2" 2>&1 >/dev/null)
	rc=$?
	line=$(printf '%s\n' "$err" | grep -m 1 ERROR)
	if [ "$rc" -eq 0 ] && [ -z "$line" ]; then
		printf 'accept\t-\n'
		return
	fi
	[ -n "$line" ] || line=$(printf '%s\n' "$err" | sed -n 1p)
	[ -n "$line" ] || line="exit $rc"
	printf 'reject\t%s\n' "$(printf '%s' "$line" |
	    sed 's/^\[libprotobuf ERROR [^]]*\] //
		s/ when parsing a protocol buffer\..*//' | tr '\t' ' ' |
	    cut -c 1-90)"
}

need_protoc() {
	if ! command -v protoc >/dev/null 2>&1; then
		echo "fidelity: protoc not found; nothing compared" >&2
		return 1
	fi
	if [ -z "$1" ] || [ ! -r "$1" ]; then
		echo "fidelity: no schema at '${1}'; give PROTO=path/to/perfetto_trace.proto; nothing compared" >&2
		return 1
	fi
}

# label PROTO DIR FIRST: mutates the bases in DIR with seeds from FIRST and
# writes DIR/labels.tsv (no header). Fails when protoc rejects a base.
label() {
	proto=$1 dir=$2
	mkdir -p "$dir/m" "$dir/v" || return 2
	PROTO_NAME=$(basename "$proto")
	export PROTO_NAME
	protoc -I "$(dirname "$proto")" --descriptor_set_out="$dir/schema.pb" \
	    "$(basename "$proto")" || return 2
	bases "$dir" >"$dir/args" || return 2
	while IFS='=' read -r name path; do
		v=$(verdict "$dir/schema.pb" "$path")
		case $v in
		accept*) ;;
		*)
			echo "fidelity: protoc rejects base $name ($path): $v" >&2
			return 2
			;;
		esac
	done <"$dir/args"
	# shellcheck disable=SC2046
	list "$3" | "$MUTATE" -d "$dir/m" $(cat "$dir/args") >"$dir/desc" ||
	    return 2
	cut -f 1,2 "$dir/desc" | tr '\t' '-' |
	    xargs -P 2 -n 16 sh "$0" verdicts "$dir" || return 2
	while IFS='	' read -r name seed rest; do
		printf '%s\t%s\t%s\t%s\n' "$name" "$seed" "$rest" \
		    "$(cat "$dir/v/$name-$seed")"
	done <"$dir/desc" >"$dir/labels.tsv"
}

# verdicts DIR NAME-SEED...: protoc's verdict on each, into DIR/v/.
verdicts() {
	dir=$1
	shift
	for f; do
		verdict "$dir/schema.pb" "$dir/m/$f.wprof.pb" >"$dir/v/$f" || exit 2
	done
}

header() {
	cat <<-EOF
	# The differential corpus of tests/35-fidelity.bats: per line, a seeded
	# mutation of a good trace (tests/mutate.c; the bases are listed in
	# tests/fidelity.sh) and protoc's verdict on it. Made by
	#     make labels PROTO=$1
	# with $(protoc --version) and $(basename "$1") of sha256
	# $(sha256sum <"$1" | cut -c 1-64):
	# protoc --decode=perfetto.protos.Trace, the schema compiled once with
	# --descriptor_set_out and read back with --descriptor_set_in.
	# protoc accepts every base. offset: where the damage lies in the base;
	# depth: how many messages enclose that byte (0: a packet's own tag and
	# length); detail and hash (FNV-1a 64 of the file): see tests/mutate.c.
	# "reject" means protoc exited non-zero or logged an ERROR line (the
	# first is shown, shortened).
	#base	seed	kind	offset	depth	detail	hash	protoc	why
	EOF
}

cmd_labels() {
	need_protoc "$1" || exit 2
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/wprofck-labels.XXXXXX") || exit 2
	trap 'rm -rf "$tmp"' EXIT
	label "$1" "$tmp" 1 || exit 2
	{ header "$1"; cat "$tmp/labels.tsv"; } >"$2.tmp" && mv "$2.tmp" "$2"
	summary "$2"
}

# summary LABELS: how many files protoc rejects and accepts, by kind.
summary() {
	grep -v '^#' "$1" | awk -F '\t' '
	{ n[$3]++; if ($8 == "reject") r[$3]++; else a[$3]++
	  R += $8 == "reject"; A += $8 == "accept" }
	END {
		printf "%-12s %6s %6s %6s\n", "kind", "files", "reject", "accept"
		for (k in n)
			printf "%-12s %6d %6d %6d\n", k, n[k], r[k], a[k] | "sort"
		close("sort")
		printf "%-12s %6d %6d %6d\n", "all", R + A, R, A
	}'
}

# compare LABELS VERDICTS: VERDICTS are the JSON lines of
# check --json over the files named NAME-SEED.wprof.pb.
cmd_compare() {
	jq -r 'select(type == "object" and has("path")) |
	    [(.path | sub(".*/"; "") | sub("\\.wprof\\.pb$"; "")),
	    (.ok | tostring), (.reason // "ok"), (.message // "-")] | @tsv' \
	    "$2" >"$2.tsv" || exit 2
	grep -v '^#' "$1" | awk -F '\t' -v wire="$WIRE" '
	BEGIN { split(wire, w, " "); for (i in w) iswire[w[i]] = 1 }
	FILENAME == ARGV[1] { ok[$1] = $2; reason[$1] = $3; msg[$1] = $4; next }
	{
		key = $1 "-" $2
		if (!(key in ok)) {
			bad[++nbad] = sprintf("%s\t%s\t%s@%s d%s %s\t%s: %s\t%s",
			    $1, $2, $3, $4, $5, $6, $8, $9, "no verdict from check")
			next
		}
		if ($8 == "reject") {
			R++
			if (ok[key] == "false") { Rok++; next }
		} else {
			A++
			if (!(reason[key] in iswire)) { Aok++; next }
		}
		got = reason[key]
		if (got != "ok")
			got = got ": " substr(msg[key], 1, 120)
		bad[++nbad] = sprintf("%s\t%s\t%s@%s d%s %s\t%s: %s\t%s",
		    $1, $2, $3, $4, $5, $6, $8, $9, got)
		byk[$8 " " $3]++
	}
	END {
		if (nbad > 0) {
			print "base\tseed\tmutation@offset depth detail\tprotoc\tcheck"
			for (i = 1; i <= nbad; i++)
				print bad[i]
			print "(to make one again: sh tests/fidelity.sh bases DIR; " \
			    "build/tests/mutate -o FILE DIR/BASE.pb SEED)"
			print ""
			for (k in byk)
				printf "disagreements, protoc %s: %d\n", k, byk[k] | "sort"
			close("sort")
		}
		printf "protoc rejects %d: check rejects %d, passes %d\n", \
		    R, Rok, R - Rok
		printf "protoc accepts %d: check passes or fails without a wire-level reason %d, fails with one %d\n", \
		    A, Aok, A - Aok
		exit (nbad > 0)
	}' "$2.tsv" -
}

cmd_live() {
	if ! need_protoc "$1"; then
		echo "fidelity: skipped (make fidelity PROTO=path/to/perfetto_trace.proto)"
		exit 0
	fi
	seed=$2
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/wprofck-fidelity.XXXXXX") || exit 2
	trap 'rm -rf "$tmp"' EXIT
	echo "fidelity: seeds from $((seed * 10000)), protoc $(protoc --version)"
	label "$1" "$tmp" "$((seed * 10000))" || exit 2
	summary "$tmp/labels.tsv"
	"$WPROFCK" check --deep --json "$tmp/m" >"$tmp/verdicts"
	rc=$?
	if [ "$rc" -gt 1 ]; then
		echo "fidelity: check exited with status $rc" >&2
		exit 2
	fi
	if ! cmd_compare "$tmp/labels.tsv" "$tmp/verdicts"; then
		trap - EXIT
		echo "fidelity: the files and labels are kept in $tmp"
		exit 1
	fi
}

cmd=$1
shift
case $cmd in
bases | list | verdicts) "$cmd" "$@" ;;
labels | compare | live) "cmd_$cmd" "$@" ;;
*)
	echo "usage: fidelity.sh bases|list|labels|compare|live ..." >&2
	exit 2
	;;
esac
