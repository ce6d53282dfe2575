#!/bin/sh
# The semantic differential test (issue 16): seeded mutations of real wprof
# traces that keep the protobuf valid and break one rule of Perfetto's
# importer (tests/semmut.c), each labelled with trace_processor's verdict.
#
#   semantic.sh list FIRST          "seed trace mutation" lines to label
#   semantic.sh labels OUT          labels every line of list 1 with
#                                   trace_processor (make semantic-labels)
#   semantic.sh gen LABELS DIR      remakes the mutated files of a label
#                                   file in DIR, as DIR/seed-trace-mutation.pb
#   semantic.sh live SEED           fresh mutations from seed SEED * 100 up,
#                                   labelled and held against check on the
#                                   spot (make fidelity)
#
# A mutation "loses data" (lose) when trace_processor's load fails (non-zero
# exit), or, compared with the unmutated trace, a stat of severity error or
# data_loss grows, or one of the info/notice stats that count dropped or
# unresolved data grows (LOSS_INFO below, from ../shared/perfetto/README.md).
# Otherwise it keeps everything (keep). The label file has one line per
# mutation:  seed  trace  mutation  lose|keep  changed-stats
# (changed-stats: name[idx]=before->after, comma-separated, or "-"; "load"
# when the load failed.)
#
# TP names trace_processor_shell (default ../shared/perfetto/bin/ beside the
# worktree); TRACES the directory of the real traces (tests/data, then
# ../shared/traces); B the build directory.

B=${B:-build}
SEMMUT=${SEMMUT:-$B/tests/semmut}
SEMDRV=${SEMDRV:-$B/tests/semdrv}
WPROFCK=${WPROFCK:-$B/wprofck}
here=$(dirname "$0")
TP=${TP:-$here/../../shared/perfetto/bin/trace_processor_shell}
[ -x "$TP" ] || TP=/work/shared/perfetto/bin/trace_processor_shell
LOSS_INFO='interned_data_tokenizer_errors track_event_parser_errors
track_hierarchy_missing_uuid interned_data_skipped_incremental_state_invalid
packet_skipped_seq_needs_incremental_state_invalid track_event_tokenizer_errors'

# trace_path NAME: where the real trace NAME.wprof.pb is, or nothing.
trace_path() {
	for d in ${TRACES:-} "$here/data" "$here/../../shared/traces" \
	    /work/shared/traces; do
		if [ -f "$d/$1.wprof.pb" ]; then
			echo "$d/$1.wprof.pb"
			return 0
		fi
	done
	return 1
}

# The traces and how many seeds each gets; the 18 MB one only for the
# mutations nothing else has (ftrace, stacks), two seeds, as it takes
# trace_processor 5 s each.
traces_table() {
	cat <<-EOF
	wprof-1s-pid1 3 all
	wprof-500ms-sha256sum 3 all
	wprof-2s-stacks-sched 2 ts_underflow_other callstack_iid_missing callstack_missing_frame comm_index_past compact_short ftrace_cpu_1024 ftrace_lost_events ftrace_no_cpu h_comm_index_ok h_prev_state_ok prev_state_bad
	EOF
}

list() {
	first=$1
	traces_table | while read -r name count which; do
		[ "$which" = all ] && which=$("$SEMMUT" -l | cut -d' ' -f1)
		s=$first
		while [ "$s" -lt "$((first + count))" ]; do
			for m in $which; do
				printf '%s\t%s\t%s\n' "$s" "$name" "$m"
			done
			s=$((s + 1))
		done
	done
}

# stats FILE: "name[idx] severity value" lines, or the word "load" when the
# load fails.
stats() {
	q=$(mktemp) || exit 2
	echo "SELECT name, idx, severity, value FROM stats WHERE value > 0 \
AND name NOT LIKE '%duration_ns';" >"$q"
	if out=$("$TP" -q "$q" "$1" 2>/dev/null); then
		echo "$out" | tr -d '"' | awk -F, 'NR > 1 {
			idx = $2 == "[NULL]" ? "" : "[" $2 "]"
			print $1 idx, $3, $4 }'
	else
		echo load
	fi
	rm -f "$q"
}

# verdict BASESTATS MUTSTATS: "lose|keep changed" from two stats() outputs.
verdict() {
	printf '%s\n' "$1" >"$tmp/a"
	printf '%s\n' "$2" >"$tmp/b"
	if [ "$2" = load ]; then
		echo "lose load"
		return
	fi
	awk -v info="$LOSS_INFO" '
	BEGIN { n = split(info, w, /[ \n]+/); for (i = 1; i <= n; i++) li[w[i]] = 1 }
	FNR == NR { base[$1] = $3; next }
	{ sev[$1] = $2; now[$1] = $3 }
	END {
		lose = 0; ch = ""
		for (k in now) {
			b = (k in base) ? base[k] : 0
			if (now[k] == b) continue
			ch = ch (ch == "" ? "" : ",") k "=" b "->" now[k]
			name = k; sub(/\[.*/, "", name)
			if (now[k] > b && (sev[k] == "error" || \
			    sev[k] == "data_loss" || (name in li)))
				lose = 1
		}
		for (k in base)
			if (!(k in now))
				ch = ch (ch == "" ? "" : ",") k "=" base[k] "->0"
		print (lose ? "lose" : "keep"), (ch == "" ? "-" : ch)
	}' "$tmp/a" "$tmp/b"
}

need_tp() {
	if ! "$TP" --version >/dev/null 2>&1; then
		echo "semantic.sh: trace_processor not found or not runnable" \
		    "($TP): skipped" >&2
		exit 0
	fi
}

# label: reads "seed trace mutation" lines, prints label lines.
label() {
	last=
	while read -r seed name mut; do
		if ! base=$(trace_path "$name"); then
			echo "semantic.sh: $name.wprof.pb not found" >&2
			exit 2
		fi
		if [ "$name" != "$last" ]; then
			bstats=$(stats "$base")
			last=$name
		fi
		f=$tmp/m.pb
		"$SEMMUT" "$base" "$seed" "$mut" "$f" >/dev/null
		case $? in
		0) ;;
		3) continue ;;
		*) exit 2 ;;
		esac
		# "lose|keep changed": two words, split on purpose.
		# shellcheck disable=SC2046
		set -- $(verdict "$bstats" "$(stats "$f")")
		printf '%s\t%s\t%s\t%s\t%s\n' "$seed" "$name" "$mut" "$1" "$2"
	done
}

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

case $1 in
list)
	list "${2:-1}"
	;;
labels)
	[ -n "$2" ] || { echo "usage: semantic.sh labels OUT" >&2; exit 2; }
	need_tp
	{
		echo "# seed	trace	mutation	trace_processor	changed-stats"
		echo "# tests/semantic.sh labels, $($TP --version 2>/dev/null |
		    head -1 | tr -d '\t')"
		list 1 | label
	} >"$tmp/out" || exit 2
	mv "$tmp/out" "$2"
	;;
gen)
	[ -n "$3" ] || { echo "usage: semantic.sh gen LABELS DIR" >&2; exit 2; }
	grep -v '^#' "$2" | while read -r seed name mut rest; do
		base=$(trace_path "$name") || continue
		"$SEMMUT" "$base" "$seed" "$mut" \
		    "$3/$seed-$name-$mut.pb" >/dev/null || exit 2
	done
	;;
live)
	need_tp
	first=$(( ${2:-$(date +%Y%m%d)} % 100000 * 100 + 1))
	list "$first" | label >"$tmp/labels" || exit 2
	# check is the verdict that counts (pbwalk feeds lib/sem and pbref);
	# lib/sem's rules alone, through semdrv's own decoding loop when it
	# is built, are reported beside it.
	bad=0 n=0 semok=0
	while read -r seed name mut v rest; do
		"$SEMMUT" "$(trace_path "$name")" "$seed" "$mut" "$tmp/m.pb" \
		    >/dev/null || exit 2
		"$WPROFCK" check "$tmp/m.pb" >/dev/null 2>&1
		rc=$?
		n=$((n + 1))
		case $v$rc in
		lose1|keep0) ;;
		*)
			bad=$((bad + 1))
			echo "disagree: $seed $name $mut: trace_processor $v" \
			    "($rest), check exit $rc"
			;;
		esac
		if [ -x "$SEMDRV" ]; then
			"$SEMDRV" "$tmp/m.pb" >/dev/null 2>&1
			case $v$? in
			lose1|keep0) semok=$((semok + 1)) ;;
			esac
		fi
	done <"$tmp/labels"
	lose=$(grep -c '	lose	' "$tmp/labels")
	echo "semantic live: $n mutations ($lose lose, $((n - lose)) keep)," \
	    "$bad disagree with check"
	[ -x "$SEMDRV" ] && echo "semantic live: lib/sem alone (semdrv)" \
	    "agrees on $semok of $n (interning and generations are pbref's)"
	[ "$bad" -eq 0 ]
	;;
*)
	echo "usage: semantic.sh list FIRST | labels OUT | gen LABELS DIR |" \
	    "live SEED" >&2
	exit 2
	;;
esac
