# aggr — see README.md.  make; make check; make demo; make install
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR = $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR = $(PREFIX)/share/fish/vendor_completions.d

CC ?= cc
CFLAGS ?= -O2 -g
WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -pthread $(WARN) $(CFLAGS)
LDLIBS = -ldeflate -lz -lpthread

# make DEVELOPER=1: warnings are errors (CI builds this way)
ifdef DEVELOPER
ALL_CFLAGS += -Werror
endif

# make SANITIZE=address,undefined: a separate build tree with sanitizers;
# make SANITIZE=thread (ThreadSanitizer, which cannot be combined with
# them) builds in build-tsan
ifdef SANITIZE
ifeq ($(SANITIZE),thread)
BUILD ?= build-tsan
endif
BUILD ?= build-san
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SANITIZE)
else
BUILD ?= build
endif

SRCS = $(wildcard src/*.c)
CMD_SRCS = src/main.c src/cmd.c $(wildcard src/cmd-*.c)
CMD_OBJS = $(patsubst src/%.c,$(BUILD)/%.o,$(CMD_SRCS))
LIB_OBJS = $(patsubst src/%.c,$(BUILD)/%.o,$(filter-out $(CMD_SRCS),$(SRCS)))
UNIT_SRCS = $(wildcard tests/unit/test-*.c)
UNIT_BINS = $(patsubst tests/unit/%.c,$(BUILD)/%,$(UNIT_SRCS))

all: aggr

aggr: $(BUILD)/aggr
ifndef SANITIZE
	@ln -sf $(BUILD)/aggr aggr
endif

$(BUILD)/aggr: $(CMD_OBJS) $(LIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: src/%.c src/*.h | $(BUILD)/.deps-ok
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/test-%: tests/unit/test-%.c tests/unit/unit.h $(LIB_OBJS)
	$(CC) $(ALL_CFLAGS) -Isrc -o $@ $< $(LIB_OBJS) $(LDFLAGS) $(LDLIBS)

# Build dependencies: install them when we can, else say how.
$(BUILD)/.deps-ok:
	@mkdir -p $(BUILD)
	@sh tests/deps.sh
	@touch $@

check: aggr $(UNIT_BINS)
	@AGGR_BIN=$(abspath $(BUILD)/aggr) UNIT_DIR=$(abspath $(BUILD)) sh tests/run-all.sh

# make soak [SOAK_SECONDS=300]: each model-based random test (tests/model)
# with random seeds for SOAK_SECONDS; a failure prints its seed and the
# line replaying it.
SOAK_SECONDS = 300
soak: aggr
	@rc=0; \
	AGGR_BIN=$(abspath $(BUILD)/aggr) python3 tests/model/events-model.py --soak $(SOAK_SECONDS) || rc=1; \
	AGGR_BIN=$(abspath $(BUILD)/aggr) python3 tests/model/stream-model.py --soak --seconds $(SOAK_SECONDS) || rc=1; \
	AGGR_BIN=$(abspath $(BUILD)/aggr) python3 tests/model/cluster-model.py --soak $(SOAK_SECONDS) || rc=1; \
	exit $$rc

# make valgrind: the unit, CLI and model tests with every aggr process and
# unit test under valgrind's memcheck (tests/valgrind.sh); slow, and only
# on a build without sanitizers.
valgrind: aggr $(UNIT_BINS)
ifdef SANITIZE
	$(error make valgrind: build without SANITIZE; valgrind and the sanitizers do not mix)
endif
	@AGGR_BIN=$(abspath $(BUILD)/aggr) UNIT_DIR=$(abspath $(BUILD)) sh tests/valgrind.sh

demo: aggr
	@sh samples/demo.sh $(abspath $(BUILD)/aggr)

install: aggr
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	install -m 755 $(BUILD)/aggr $(DESTDIR)$(BINDIR)/aggr
	install -m 644 man/aggr.1 $(DESTDIR)$(MANDIR)/man1/aggr.1
	install -m 644 man/aggr-format.5 $(DESTDIR)$(MANDIR)/man5/aggr-format.5
	install -m 644 completions/aggr.bash $(DESTDIR)$(BASHCOMPDIR)/aggr
	install -m 644 completions/_aggr $(DESTDIR)$(ZSHCOMPDIR)/_aggr
	install -m 644 completions/aggr.fish $(DESTDIR)$(FISHCOMPDIR)/aggr.fish

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/aggr $(DESTDIR)$(MANDIR)/man1/aggr.1 \
		$(DESTDIR)$(MANDIR)/man5/aggr-format.5 $(DESTDIR)$(BASHCOMPDIR)/aggr \
		$(DESTDIR)$(ZSHCOMPDIR)/_aggr $(DESTDIR)$(FISHCOMPDIR)/aggr.fish

clean:
	rm -rf build build-san aggr bench/gen

.PHONY: all aggr check soak valgrind demo install uninstall clean

# ---- fuzzing: tests/fuzz (appended section; see tests/fuzz/README) ----
# make check builds $(BUILD)/replay-NAME for every tests/fuzz/fuzz-NAME.c with
# the normal compiler and flags (so also under SANITIZE=...), and
# tests/fuzz/replay.sh replays tests/fuzz/corpus/NAME through it.
# make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="json time"] [FUZZ_JOBS=2]
# [FUZZ_FLAGS=...] builds libFuzzer targets with clang into tests/fuzz/bin/
# (objects of their own) and runs each for FUZZ_SECONDS on its corpus.
FUZZ_NAMES = $(patsubst tests/fuzz/fuzz-%.c,%,$(wildcard tests/fuzz/fuzz-*.c))
FUZZ_REPLAY_BINS = $(patsubst %,$(BUILD)/replay-%,$(FUZZ_NAMES))

$(BUILD)/replay-%: tests/fuzz/fuzz-%.c tests/fuzz/replay-main.c tests/fuzz/fuzz.h $(LIB_OBJS)
	$(CC) $(ALL_CFLAGS) -Isrc -o $@ tests/fuzz/fuzz-$*.c tests/fuzz/replay-main.c $(LIB_OBJS) $(LDFLAGS) $(LDLIBS)

$(BUILD)/fuzz-mkseed: tests/fuzz/mkseed.c tests/fuzz/fuzz.h $(LIB_OBJS)
	$(CC) $(ALL_CFLAGS) -Isrc -o $@ $< $(LIB_OBJS) $(LDFLAGS) $(LDLIBS)

check: $(FUZZ_REPLAY_BINS)

FUZZ_CC = clang
FUZZ_SECONDS = 60
FUZZ_TARGETS = $(FUZZ_NAMES)
FUZZ_BIN = tests/fuzz/bin
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_LIB_OBJS = $(patsubst src/%.c,$(FUZZ_BIN)/obj/%.o,$(filter-out $(CMD_SRCS),$(SRCS)))
FUZZ_BINS = $(patsubst %,$(FUZZ_BIN)/fuzz-%,$(FUZZ_NAMES))
# only pattern rules name them: keep make from deleting them as intermediate
.SECONDARY: $(FUZZ_LIB_OBJS)

$(FUZZ_BIN)/.clang-ok:
	@sh tests/fuzz/deps.sh $(FUZZ_CC)
	@mkdir -p $(FUZZ_BIN)/obj
	@touch $@

$(FUZZ_BIN)/obj/%.o: src/%.c src/*.h | $(FUZZ_BIN)/.clang-ok $(BUILD)/.deps-ok
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_BIN)/fuzz-%: tests/fuzz/fuzz-%.c tests/fuzz/fuzz.h $(FUZZ_LIB_OBJS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -Isrc -o $@ $< $(FUZZ_LIB_OBJS) $(LDLIBS)

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	@FUZZ_JOBS=$(FUZZ_JOBS) FUZZ_FLAGS="$(FUZZ_FLAGS)" sh tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# Add to corpus/NAME what make fuzz found that reaches new code (gen-* files).
fuzz-merge: fuzz-build
	@sh tests/fuzz/merge.sh $(FUZZ_TARGETS)

# Regenerate the seed corpora from seed-data, aggr ingest and mkseed.
fuzz-corpus: aggr $(BUILD)/fuzz-mkseed $(BUILD)/replay-manifest
	@sh tests/fuzz/mkcorpus.sh $(abspath $(BUILD))

fuzz-clean:
	rm -rf $(FUZZ_BIN) tests/fuzz/work

clean: fuzz-clean

.PHONY: fuzz fuzz-build fuzz-merge fuzz-corpus fuzz-clean

# ---- benchmarks and interop: bench/ (appended section; see bench/README.md) ----
# make bench [BENCH_N=10000000] [BENCH_DIR=/tmp/aggr-bench] [BENCH_RUNS=5]
# builds aggr with -O2 in build-bench/, the generator and the zlib baseline,
# and runs bench/run.sh: aggr side by side with gzip, pigz, jq and DuckDB
# (installed from Debian and npm when missing); the table goes to stdout
# and bench/RESULTS.md.  make check-interop: DuckDB reads the segment files
# and must agree with aggr flows --hour H for every hour.
BENCH_BUILD = build-bench

bench/gen: bench/gen.c
	$(CC) -std=c11 -O2 -ffp-contract=off -Wall -Wextra -o $@ bench/gen.c

bench/zpar: bench/zpar.c | $(BUILD)/.deps-ok
	$(CC) -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -pthread -o $@ bench/zpar.c -ldeflate -lz

bench: bench/gen bench/zpar
	@$(MAKE) --no-print-directory BUILD=$(BENCH_BUILD) CFLAGS='-O2 -g' $(BENCH_BUILD)/aggr
	@AGGR_BIN=$(abspath $(BENCH_BUILD)/aggr) sh bench/run.sh

# make bench-scale: the same data at 1x, 8x and 64x history (bench/scale.sh)
bench-scale: bench/gen
	@$(MAKE) --no-print-directory BUILD=$(BENCH_BUILD) CFLAGS='-O2 -g' $(BENCH_BUILD)/aggr
	@AGGR_BIN=$(abspath $(BENCH_BUILD)/aggr) sh bench/scale.sh

check-interop: aggr bench/gen bench/zpar
	@sh bench/interop.sh $(abspath $(BUILD)/aggr)

# make bench-profile: perf profiles of ingest, cat and flows --hour (bench/profile.sh)
bench-profile: bench/gen
	@$(MAKE) --no-print-directory BUILD=build-prof CFLAGS='-O2 -g -fno-omit-frame-pointer' build-prof/aggr
	@AGGR_BIN=$(abspath build-prof/aggr) sh bench/profile.sh

bench-clean:
	rm -rf $(BENCH_BUILD) build-prof bench/zpar bench/node_modules

clean: bench-clean

.PHONY: bench bench-scale bench-profile check-interop bench-clean
