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
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS)
LDLIBS = -lz

# make DEVELOPER=1: warnings are errors (CI builds this way)
ifdef DEVELOPER
ALL_CFLAGS += -Werror
endif

# make SANITIZE=address,undefined: a separate build tree with sanitizers
ifdef SANITIZE
BUILD ?= build-san
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SANITIZE)
else
BUILD ?= build
endif

SRCS = $(wildcard src/*.c)
CMD_SRCS = src/main.c $(wildcard src/cmd-*.c)
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

.PHONY: all aggr check demo install uninstall clean
