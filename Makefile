# r53mirror top-level Makefile.
#   make                 build everything into build/
#   make check           build and run the whole test suite (bats)
#   make check SANITIZE=1  the same with ASan + UBSan (into build-san/)
#   make install PREFIX=/usr/local DESTDIR=
# Sources are found by wildcard: lib/common/*.c is the shared library,
# cmd/NAME/*.c is one program, tests/c/NAME.c is one test program.

PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
DESTDIR  ?=
CC       ?= cc
PKG_CONFIG ?= pkg-config
VERSION  := 0.1.0

PKGS     := ldns libcurl openssl expat jansson
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)

WARN     := -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
            -Wshadow -Wpointer-arith -Wformat=2
BASE_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
            -DR53M_VERSION='"$(VERSION)"' $(WARN) -Ilib/common $(PKG_CFLAGS)

ifeq ($(SANITIZE),1)
BUILD    := build-san
OPT      := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
            -fno-sanitize-recover=undefined
else
BUILD    := build
OPT      := -O2 -g
endif
CFLAGS   ?=
LDFLAGS  ?=
ALL_CFLAGS  := $(BASE_CFLAGS) $(OPT) $(CFLAGS)
ALL_LDFLAGS := $(OPT) $(LDFLAGS)

PROGS    := zxfr r53dump rrdiff r53apply
LIB_SRCS := $(wildcard lib/common/*.c)
LIB_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRCS))
LIB      := $(BUILD)/libcommon.a
TEST_SRCS := $(wildcard tests/c/*.c)
TEST_BINS := $(patsubst tests/c/%.c,$(BUILD)/tests/%,$(TEST_SRCS))
BIN_PATHS := $(addprefix $(BUILD)/,$(PROGS))
MANPAGES := $(wildcard man/*.[158])

.PHONY: all check test install uninstall clean demo lint bench
.SECONDARY:

all: $(BIN_PATHS) $(TEST_BINS)

$(BUILD)/%.o: %.c $(wildcard lib/common/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(LIB): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

define prog_rule
$(BUILD)/$(1): $(patsubst %.c,$(BUILD)/%.o,$(wildcard cmd/$(1)/*.c)) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $$@ $$^ $(PKG_LIBS) -lm
endef
$(foreach p,$(PROGS),$(eval $(call prog_rule,$(p))))

$(BUILD)/tests/%: $(BUILD)/tests/c/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# The test suite: bats files run in name order. R53M_BUILD tells the
# helpers where the binaries are; TESTS= selects files.
TESTS ?= tests
check test: all
	R53M_BUILD="$(abspath $(BUILD))" R53M_SANITIZE="$(SANITIZE)" \
	  bats --print-output-on-failure $(TESTS)

bench: all
	@for b in bench/*.sh; do echo "== $$b"; bash "$$b" || exit 1; done

lint:
	shellcheck scripts/*.sh tests/*.bash bench/*.sh

demo: all
	bash scripts/demo.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	  $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(BIN_PATHS) $(DESTDIR)$(BINDIR)/
	install -m 0755 scripts/mirror.sh $(DESTDIR)$(BINDIR)/r53mirror
	for m in $(MANPAGES); do \
	  s=$${m##*.}; install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done
	ln -sf mirror.sh.8 $(DESTDIR)$(MANDIR)/man8/r53mirror.8

uninstall:
	for p in $(PROGS) r53mirror; do rm -f $(DESTDIR)$(BINDIR)/$$p; done
	for m in $(MANPAGES); do \
	  s=$${m##*.}; rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; done
	rm -f $(DESTDIR)$(MANDIR)/man8/r53mirror.8

clean:
	rm -rf build build-san
