#!/bin/sh
# What a slightly newer proto does to the generated schema table (issue 15):
# regenerates lib/schema.c and lib/schema.h from PROTO and from a copy of
# it with one message added (DiffTestAdded, which sorts before most of the
# others and so moves their indices) and one field added to TrackEvent
# (diff_test_added = 57, a message field in the direct lookup), and prints
# the diff -u of the two, then one line:
#   changed lines: schema.c N, schema.h M
# counting the lines the diffs remove or add.
#
# Usage: schema-diff.sh PROTO DIR (DIR for the scratch files)
# SCHEMAGEN names the generator (default $B/gen/schemagen), PROTOC protoc.
# Exit 2 when protoc is missing or anything else fails.

B=${B:-build}
SCHEMAGEN=${SCHEMAGEN:-$B/gen/schemagen}
PROTOC=${PROTOC:-protoc}

if [ $# -ne 2 ]; then
	echo "usage: schema-diff.sh PROTO DIR" >&2
	exit 2
fi
proto=$1
dir=$2
if ! command -v "$PROTOC" >/dev/null 2>&1; then
	echo "schema-diff.sh: $PROTOC not found" >&2
	exit 2
fi
mkdir -p "$dir/old" "$dir/new" || exit 2
cp "$proto" "$dir/old/perfetto_trace.proto" || exit 2
awk '
	{ print }
	/^message TrackEvent \{/ {
		print "  optional DiffTestAdded diff_test_added = 57;"
		n++
	}
	END {
		print "message DiffTestAdded {"
		print "  optional uint64 added = 1;"
		print "}"
		if (n != 1)
			exit 1
	}
' "$proto" >"$dir/new/perfetto_trace.proto" || {
	echo "schema-diff.sh: $proto: no message TrackEvent" >&2
	exit 2
}

for v in old new; do
	"$PROTOC" -I"$dir/$v" --include_imports \
	    --descriptor_set_out="$dir/$v/schema.pb" perfetto_trace.proto ||
		exit 2
	sha=$(sha256sum <"$dir/$v/perfetto_trace.proto" | cut -c1-64) ||
		exit 2
	"$SCHEMAGEN" -r schema-diff.sh -s "$sha" "$dir/$v/schema.pb" \
	    "$dir/$v/schema.c" "$dir/$v/schema.h" || exit 2
done

count() {
	grep -c '^[-+]' "$1" || true
}
for f in schema.c schema.h; do
	diff -u "$dir/old/$f" "$dir/new/$f" | tail -n +3 >"$dir/$f.diff"
	cat "$dir/$f.diff"
done
echo "changed lines: schema.c $(count "$dir/schema.c.diff"), schema.h $(count "$dir/schema.h.diff")"
