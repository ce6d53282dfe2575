# wprofck: see README.md. `make`, `make test`, `make demo`.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=
# Where bash-completion looks for the completion of a command by its name;
# without bash-completion's pkg-config file, the usual place under PREFIX.
BASHCOMPDIR ?= $(or $(shell $(PKG_CONFIG) --variable=completionsdir \
	bash-completion 2>/dev/null),$(PREFIX)/share/bash-completion/completions)
INSTALL ?= install
PKG_CONFIG ?= pkg-config

CFLAGS ?= -O2 -g
WARNINGS = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 -Wvla
DEPS_CFLAGS := $(shell $(PKG_CONFIG) --cflags zlib libbsd-overlay 2>/dev/null)
DEPS_LIBS := $(shell $(PKG_CONFIG) --libs zlib libbsd-overlay 2>/dev/null)

# SANITIZE=1 builds with ASan and UBSan into a tree of its own, from clean;
# SANITIZE=thread with ThreadSanitizer (make tsan).
ifeq ($(SANITIZE),1)
B ?= build-san
SAN = -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
else ifeq ($(SANITIZE),thread)
B ?= build-tsan
SAN = -fsanitize=thread -fno-omit-frame-pointer
else
B ?= build
SAN =
endif

# Jump targets on 32-byte boundaries (gcc; a compiler that refuses the
# flag builds without it): the deep walk's loop is sensitive to where its
# branches land, and check of the real 200 MB trace ran 10-20% slower or
# faster with unrelated changes; aligned, it ran as fast as the layouts
# that happened to be lucky (see the commit that added this).
ALIGN_CFLAGS := $(shell $(CC) -falign-jumps=32 -Werror -x c -c /dev/null \
	-o /dev/null 2>/dev/null && echo -falign-jumps=32)
ALL_CFLAGS = -std=c11 $(WARNINGS) $(SAN) $(ALIGN_CFLAGS) $(CFLAGS)
ALL_CPPFLAGS = -D_GNU_SOURCE -DLIBBSD_OPENBSD_VIS $(DEPS_CFLAGS) $(CPPFLAGS)
ALL_LDFLAGS = $(SAN) $(LDFLAGS)
LIBS = $(DEPS_LIBS)

LIB_SRCS = $(wildcard lib/*.c)
CMD_SRCS = $(wildcard cmd/*.c)
LIB_OBJS = $(LIB_SRCS:%.c=$(B)/%.o)
CMD_OBJS = $(CMD_SRCS:%.c=$(B)/%.o)
HDRS = $(wildcard lib/*.h cmd/*.h)

TOOLS = $(B)/tests/mkframe $(B)/tests/mkpb $(B)/tests/unit $(B)/tests/slowcat \
	$(B)/tests/unit_sniff \
	$(B)/tests/progress_drv $(B)/tests/shim.so $(B)/tests/unit_pbwalk \
	$(B)/tests/unit_pbref $(B)/tests/unit_prune \
	$(B)/tests/mutate $(B)/gen/schemagen $(B)/tests/unit_schema \
	$(B)/tests/semmut $(B)/tests/unit_sem $(B)/tests/semdrv \
	$(B)/tests/unit_writer

.DEFAULT_GOAL := all

# make fuzz, fuzz-replay and lint.
include tests/fuzz/Makefile.inc

all: $(B)/wprofck

$(B)/libwprofck.a: $(LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $(LIB_OBJS)

$(B)/wprofck: $(CMD_OBJS) $(B)/libwprofck.a
	$(CC) $(ALL_LDFLAGS) -o $@ $(CMD_OBJS) $(B)/libwprofck.a $(LIBS)

# Before anything is compiled: the compiler is there and pkg-config finds
# the libraries, or tests/deps.sh names the missing packages and the
# command that installs them.
build-deps:
	@PKG_CONFIG='$(PKG_CONFIG)' CC='$(CC)' sh tests/deps.sh --check build

# The Debian packages of the build and the tests (tests/deps.sh lists them,
# test, demo and bench each the ones they need): installed when run as
# root, otherwise the apt-get install line to run is printed.
deps:
	sh tests/deps.sh build test

.PHONY: build-deps deps

$(B)/%.o: %.c $(HDRS) | build-deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

# Test tools and unit tests; tests/testsup.c holds their shared helpers.
$(B)/tests/%: tests/%.c $(B)/tests/testsup.o $(B)/libwprofck.a $(HDRS) \
    tests/tap.h tests/testsup.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< \
		$(B)/tests/testsup.o $(B)/libwprofck.a $(LIBS)
.SECONDARY: $(B)/tests/testsup.o
$(B)/tests/unit_schema: ALL_CPPFLAGS += -Ilib

# The progress module is cmd/'s; its driver links it alone.
$(B)/tests/progress_drv: tests/progress_drv.c $(B)/cmd/progress.o $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< \
		$(B)/cmd/progress.o $(LIBS)
# The LD_PRELOAD shim is built without the sanitizers: ASan must come first.
$(B)/tests/shim.so: tests/shim.c
	@mkdir -p $(@D)
	$(CC) -shared -fPIC $(CFLAGS) -o $@ $< -ldl

# test and demo first make sure Debian's packages are there, then rerun
# make so that pkg-config is asked again.
test:
	sh tests/deps.sh build test
	$(MAKE) --no-print-directory test-run

test-run: $(B)/wprofck $(TOOLS) $(FUZZ_REPLAYS)
	B=$(B) sh tests/run.sh

# The writer thread and the output paths under ThreadSanitizer, built from
# clean into build-tsan: the writer's model test, the deep walk's tests
# (unit_pbwalk holds the walk on two threads to the walk on one), and the
# output, stream, reassemble and check suites, with any report fatal
# (exit status 66).
TSAN_SUITES = tests/10-reassemble.bats tests/55-output.bats \
	tests/56-streams.bats tests/60-outsafety.bats tests/25-check-changed.bats \
	tests/30-check-deep.bats

tsan:
	rm -rf build-tsan
	$(MAKE) --no-print-directory SANITIZE=thread tsan-run

tsan-run: $(B)/wprofck $(TOOLS)
	TSAN_OPTIONS="halt_on_error=1 exitcode=66 $$TSAN_OPTIONS" \
		$(B)/tests/unit_writer
	TSAN_OPTIONS="halt_on_error=1 exitcode=66 $$TSAN_OPTIONS" \
		$(B)/tests/unit_pbwalk
	TSAN_OPTIONS="halt_on_error=1 exitcode=66 $$TSAN_OPTIONS" \
		B=$(B) bats $(TSAN_SUITES)

demo:
	sh tests/deps.sh build
	$(MAKE) --no-print-directory demo-run

demo-run: $(B)/wprofck
	sh tests/demo.sh $(B)

bench:
	sh tests/deps.sh build bench
	$(MAKE) --no-print-directory bench-run

bench-run: $(B)/wprofck $(B)/tests/mkpb $(B)/tests/interleave
	B=$(B) bash tests/bench.sh

# The differential test of check against protoc (tests/35-fidelity.bats,
# tests/fidelity.sh). `make labels PROTO=path/to/perfetto_trace.proto`
# rewrites its label file, tests/data/mutations.tsv: seeded mutations of
# good traces with protoc's verdict on each. `make fidelity PROTO=...`
# compares check with protoc on the spot, on fresh seeds (FIDELITY_SEED,
# default today's date), and skips with a message, exit 0, when protoc or
# the schema is missing. PROTO may also come from the environment. make test
# needs neither protoc nor the schema.
LABELS = tests/data/mutations.tsv
FIDELITY_SEED ?= $(shell date +%Y%m%d)

labels: $(B)/tests/mkpb $(B)/tests/mutate
	@if [ -z "$(PROTO)" ]; then \
		echo "make labels: give PROTO=path/to/perfetto_trace.proto" >&2; \
		exit 2; \
	fi
	B=$(B) sh tests/fidelity.sh labels "$(PROTO)" $(LABELS)

fidelity: $(B)/wprofck $(B)/tests/mkpb $(B)/tests/mutate $(B)/tests/semmut
	B=$(B) sh tests/fidelity.sh live "$(PROTO)" "$(FIDELITY_SEED)"
	B=$(B) TP="$(TP)" sh tests/semantic.sh live "$(FIDELITY_SEED)"

# The semantic differential test (issue 16, tests/semantic.sh): seeded
# mutations of the real traces that keep the protobuf valid and break one
# rule of Perfetto's importer (tests/semmut.c). `make semantic-labels`
# rewrites tests/data/semantic.tsv with trace_processor's verdict on each
# (TP=path/to/trace_processor_shell, default ../shared/perfetto/bin/);
# `make fidelity` above compares fresh seeds live, or skips with a message
# when trace_processor does not run. make test needs neither.
SEMANTIC_LABELS = tests/data/semantic.tsv

semantic-labels: $(B)/tests/semmut
	B=$(B) TP="$(TP)" sh tests/semantic.sh labels $(SEMANTIC_LABELS)

install: $(B)/wprofck
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(BASHCOMPDIR)
	$(INSTALL) -m 755 $(B)/wprofck $(DESTDIR)$(BINDIR)/wprofck
	$(INSTALL) -m 644 man/wprofck.1 $(DESTDIR)$(MANDIR)/man1/wprofck.1
	$(INSTALL) -m 644 cmd/wprofck.bash $(DESTDIR)$(BASHCOMPDIR)/wprofck

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/wprofck $(DESTDIR)$(MANDIR)/man1/wprofck.1 \
		$(DESTDIR)$(BASHCOMPDIR)/wprofck

# The schema table of the deep walk, from Perfetto's perfetto_trace.proto:
# make schema PROTO=/path/to/perfetto_trace.proto (needs protoc).
# PERFETTO_REF names the proto's release or commit in the files' header,
# with the sha256 of PROTO; SCHEMA_OUT is where the two files go.
PROTOC ?= protoc
PERFETTO_REF ?= anakryiko/wprof@228b169 src/perfetto_trace.proto
SCHEMA_OUT ?= lib

$(B)/gen/schemagen: lib/gen/schemagen.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIBS)

schema: $(B)/gen/schemagen
	@test -n "$(PROTO)" || { echo "make schema PROTO=path/to/perfetto_trace.proto" >&2; exit 2; }
	$(PROTOC) -I$(dir $(PROTO)) --include_imports \
		--descriptor_set_out=$(B)/gen/schema.pb $(notdir $(PROTO))
	sha=$$(sha256sum <"$(PROTO)" | cut -c1-64) && \
	$(B)/gen/schemagen -r "$(PERFETTO_REF)" -s "$$sha" $(B)/gen/schema.pb \
		$(B)/gen/schema.c $(B)/gen/schema.h
	cp $(B)/gen/schema.c $(B)/gen/schema.h $(SCHEMA_OUT)/

lint-man:
	mandoc -Tlint -W warning man/wprofck.1

clean:
	rm -rf build build-san build-tsan build-fuzz

.PHONY: all test test-run tsan tsan-run demo demo-run bench bench-run labels fidelity \
	semantic-labels \
	install uninstall lint-man clean schema

