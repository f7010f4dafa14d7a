# r53mirror top-level Makefile.
#   make                 build everything into build/
#   make check           build and run the whole test suite (bats, JOBS=4)
#   make check-fast      the quick file-only tests (under a minute)
#   make check SANITIZE=1  the same with ASan + UBSan (into build-san/)
#   make check-sanitize  ASan + UBSan over the files that run C code
#                        (SANITIZE_SKIP says which are left out; CI runs it)
#   make install PREFIX=/usr/local DESTDIR=
#   make install-examples  units, sysusers/tmpfiles, examples, /etc/r53mirror;
#                        with DESTDIR empty also the r53mirror user and dirs
#   make deb             the Debian package (dpkg-buildpackage), into dist/
#   make lambda          the AWS Lambda zip (provided.al2023), into dist/
#   make lint-cfn        check the Lambda's CloudFormation template
# Sources are found by wildcard: lib/common/*/*.c is the shared library
# (its folders, lowest layer first: util, dns, stream, aws; a folder
# includes only from the folders before it, tests/03-layers.bats checks),
# cmd/NAME/*.c is one program, tests/c/NAME.c is one test program.

PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
LOCALSTATEDIR ?= /var
DOCDIR   ?= $(PREFIX)/share/doc/r53mirror
UNITDIR  ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
DESTDIR  ?=
CC       ?= cc
PKG_CONFIG ?= pkg-config
VERSION  := 0.1.0

LIB_DIRS := lib/common/util lib/common/dns lib/common/stream lib/common/aws
LIB_INCS := $(addprefix -I,$(LIB_DIRS))
LIB_HDRS := $(wildcard $(addsuffix /*.h,$(LIB_DIRS)))

PKGS     := ldns libcurl openssl expat jansson
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)

WARN     := -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
            -Wshadow -Wpointer-arith -Wformat=2
BASE_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
            -DR53M_VERSION='"$(VERSION)"' $(WARN) $(LIB_INCS) $(PKG_CFLAGS)

ifeq ($(SANITIZE),1)
BUILD    := build-san
OPT      := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
            -fno-sanitize-recover=undefined
else
BUILD    := build
OPT      := -O2 -g
endif
CFLAGS   ?=
CPPFLAGS ?=
LDFLAGS  ?=
ALL_CFLAGS  := $(BASE_CFLAGS) $(OPT) $(CPPFLAGS) $(CFLAGS)
ALL_LDFLAGS := $(OPT) $(LDFLAGS)

PROGS    := zxfr r53dump rrdiff r53apply
LIB_SRCS := $(wildcard $(addsuffix /*.c,$(LIB_DIRS)))
LIB_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRCS))
LIB      := $(BUILD)/libcommon.a
TEST_SRCS := $(wildcard tests/c/*.c)
TEST_BINS := $(patsubst tests/c/%.c,$(BUILD)/tests/%,$(TEST_SRCS))
BIN_PATHS := $(addprefix $(BUILD)/,$(PROGS))
MANPAGES := $(wildcard man/*.[158])

.PHONY: all progs check check-fast check-sanitize test install install-examples uninstall \
  clean demo lint lint-cfn bench deb lambda fuzz fuzz-build fuzz-regress
.SECONDARY:

all: $(BIN_PATHS) $(TEST_BINS)

progs: $(BIN_PATHS)

$(BUILD)/%.o: %.c $(LIB_HDRS)
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

# The test suite.  R53M_BUILD tells the helpers where the binaries are;
# TESTS= selects files.  Most of a test's time is spent waiting (servers
# starting, the emulator's rate limit, timeouts under test), so JOBS
# files run at once (GNU parallel); a file's tests run in order
# (tests/test_helper.bash says why).  Ports are reserved per run,
# see tests/helpers/servers.bash.  The files that take longest start
# first (SLOW_FIRST: 70 and 71, two minutes or more one test after
# another; fuzzing, ten SIGKILLs, a package build, the Lambda), then the
# biggest files: they are also the slowest.  JOBS=1 runs everything in
# name order.
JOBS  ?= 4
SLOW_FIRST := tests/70-mirror.bats tests/71-mirror-many.bats \
	tests/90-fuzz.bats tests/73-mirror-crash.bats \
	tests/80-package.bats tests/84-lambda.bats tests/43-r53emu-sts.bats
ALL_TESTS := $(SLOW_FIRST) $(filter-out $(SLOW_FIRST),$(shell ls -S tests/*.bats))
TESTS ?= $(if $(filter 1,$(JOBS)),tests,$(ALL_TESTS))
BATS_JOBS := $(if $(filter 1,$(JOBS)),,--jobs $(JOBS))
check test: all
	R53M_BUILD="$(abspath $(BUILD))" R53M_SANITIZE="$(SANITIZE)" \
	  bats $(BATS_JOBS) --print-output-on-failure $(TESTS)

# The quick tests a developer runs while working: formats, golden files,
# canonical text, signing and the client library on files (no DNS server,
# no emulator start-up beyond a few tests).
FAST_TESTS := tests/01-build.bats tests/02-usage-man.bats tests/03-layers.bats \
	tests/04-funclen.bats \
	tests/10-stream.bats \
	tests/11-rrdiff.bats tests/12-zonebuf-sort.bats tests/13-rrtypes.bats \
	tests/20-canon.bats tests/24-canon-wire.bats tests/30-sigv4.bats
# Their tests are short and busy, so files run side by side but each
# file's tests in order: bats' parallel mode within a file (GNU parallel
# and a semaphore per test) cost more than it saved (84 s of wall and
# 120 s of CPU against 39 s and 72 s, JOBS=2, idle).  test_helper.bash
# does the same for make check; the flag keeps it so for any file here.
FAST_JOBS := $(if $(BATS_JOBS),$(BATS_JOBS) --no-parallelize-within-files)
check-fast: all
	R53M_BUILD="$(abspath $(BUILD))" R53M_SANITIZE="$(SANITIZE)" \
	  bats $(FAST_JOBS) --print-output-on-failure $(FAST_TESTS)

# The sanitizer pass CI runs: make check SANITIZE=1 without the files
# where ASan and UBSan can find nothing, each for a reason:
#  - 40-43: the emulator proved against the aws CLI; no C program runs;
#  - 73-mirror-crash: r53apply SIGKILLed (a killed process reports
#    nothing); the reruns' paths (re-read, already applied) run under
#    the sanitizers in 60, 61 and 70;
#  - 84-lambda: the same programs in a chroot, waiting on the Runtime
#    API; their paths run under the sanitizers in 25 (the TSIG key from
#    Secrets Manager), 31 (session credentials) and 70 (mirror.sh);
#  - 80-package, 90-fuzz: they skip themselves under SANITIZE (the
#    package has its own flags; the fuzzers carry their own sanitizers).
# Every C program and library path the suite reaches still runs under
# ASan + UBSan once.  make check SANITIZE=1 still runs everything.
SANITIZE_SKIP := tests/40-r53emu-awscli.bats tests/41-r53emu-rules.bats \
	tests/42-r53emu-start.bats tests/43-r53emu-secrets.bats \
	tests/43-r53emu-sts.bats tests/73-mirror-crash.bats \
	tests/84-lambda.bats tests/80-package.bats tests/90-fuzz.bats
check-sanitize:
	$(MAKE) check SANITIZE=1 \
	  TESTS="$(filter-out $(SANITIZE_SKIP),$(ALL_TESTS))"

# Fuzzing (tests/fuzz/README): one libFuzzer target per tests/fuzz/fuzz_NAME.c,
# built with clang, ASan and UBSan into build-fuzz/ (its own objects: the
# library is instrumented too).  make fuzz runs each for FUZZ_SECONDS on a
# seed corpus derived from tests/fixtures, after replaying
# tests/fuzz/regress/NAME/; it fails on any crash.  -Werror is left out
# so that a clang-only warning does not stop a fuzzing run.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_DIR     := build-fuzz
FUZZ_OPT     := -O1 -g -fno-omit-frame-pointer \
                -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS  := $(filter-out -Werror,$(BASE_CFLAGS)) -Icmd/zxfr $(FUZZ_OPT) \
                -fsanitize=fuzzer-no-link
FUZZ_NAMES   := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS    := $(addprefix $(FUZZ_DIR)/fuzz_,$(FUZZ_NAMES))
# Per target: zxfr's modules it needs, fakes for the network (fake_net.c
# stands in for cmd/zxfr/net.c, fake_awshttp.c for lib/common/aws/awshttp.c).
FUZZ_EXTRA_xfr    := cmd/zxfr/wire.c cmd/zxfr/tsig.c cmd/zxfr/xfr.c \
                     cmd/zxfr/axfr.c tests/fuzz/fake_net.c tests/fuzz/tsigkey.c
FUZZ_EXTRA_tsig   := cmd/zxfr/wire.c cmd/zxfr/tsig.c tests/fuzz/tsigkey.c
FUZZ_EXTRA_r53api := tests/fuzz/fake_awshttp.c
FUZZ_DROP_r53api  := lib/common/aws/awshttp.c

$(FUZZ_DIR)/%.o: %.c $(LIB_HDRS) $(wildcard cmd/zxfr/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

define fuzz_rule
$(FUZZ_DIR)/fuzz_$(1): $(patsubst %.c,$(FUZZ_DIR)/%.o,tests/fuzz/fuzz_$(1).c \
    tests/fuzz/common.c $(FUZZ_EXTRA_$(1)) \
    $(filter-out $(FUZZ_DROP_$(1)),$(LIB_SRCS)))
	$(FUZZ_CC) $(FUZZ_OPT) -fsanitize=fuzzer -o $$@ $$^ $(PKG_LIBS) -lm
endef
$(foreach t,$(FUZZ_NAMES),$(eval $(call fuzz_rule,$(t))))

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh $(FUZZ_NAMES)

fuzz-regress: fuzz-build
	FUZZ_SECONDS=0 sh tests/fuzz/run.sh $(FUZZ_NAMES)

# Every bench/*.sh runs, each side by side with its anchor, except the
# helpers the benches source or call.  `make bench BENCH=r53dump` (or a
# list, BENCH="r53dump r53apply") runs only those; all run even if one
# fails, and then make fails.
BENCH_HELPERS := bench/lib.sh bench/genzone.sh bench/gen-changes.sh
BENCHES := $(filter-out $(BENCH_HELPERS),$(wildcard bench/*.sh))
BENCH ?=
bench: all
	@rc=0; for b in $(if $(BENCH),$(patsubst %,bench/%.sh,$(BENCH)),$(BENCHES)); do \
	  case " $(BENCHES) " in *" $$b "*) ;; \
	  *) echo "make bench: no bench $$b (have: $(BENCHES))" >&2; exit 2;; esac; \
	  echo "== $$b"; bash "$$b" || { echo "== $$b FAILED" >&2; rc=1; }; \
	done; exit $$rc

lint:
	shellcheck scripts/*.sh tests/*.bash tests/helpers/*.bash bench/*.sh \
	  lambda/bootstrap

# The Lambda's template (lambda/template.yaml) through cfn-lint from the
# npm registry (scripts/deps.sh installs it in /usr/bin): named by path,
# as another cfn-lint (Python) may come first on PATH.
CFN_LINT ?= $(firstword $(wildcard /usr/bin/cfn-lint /usr/local/bin/cfn-lint) cfn-lint)
lint-cfn:
	$(CFN_LINT) validate lambda/template.yaml

# demo.sh builds quietly itself (make -s: warnings and errors still
# show), so that the demo's steps are what the screen holds.
demo:
	@bash scripts/demo.sh

install: progs
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	  $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(BIN_PATHS) $(DESTDIR)$(BINDIR)/
	install -m 0755 scripts/mirror.sh $(DESTDIR)$(BINDIR)/r53mirror
	for m in $(MANPAGES); do \
	  s=$${m##*.}; install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done
	ln -sf mirror.sh.8 $(DESTDIR)$(MANDIR)/man8/r53mirror.8

# The scheduling examples and what they need: the units, the service
# user (sysusers.d), its state folder (tmpfiles.d), /etc/r53mirror with a
# commented zones.conf (an existing one is kept), the examples with
# /usr/local/bin replaced by BINDIR (zones.mk runs BINDIR/r53mirror).  With DESTDIR empty (a real install,
# as root) it also makes the user, /var/lib/r53mirror (0700) and gives
# /etc/r53mirror to root:r53mirror 0750, as the package's postinst does.
EX_SED = sed -e 's|/usr/local/bin/|$(BINDIR)/|g' \
  -e 's|^MIRROR ?= .*|MIRROR ?= $(BINDIR)/r53mirror|'
install-examples:
	install -d $(DESTDIR)$(DOCDIR)/examples/demo $(DESTDIR)$(UNITDIR) \
	  $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR) \
	  $(DESTDIR)$(SYSCONFDIR)/r53mirror
	for f in examples/*; do [ ! -f $$f ] || \
	  $(EX_SED) $$f >$(DESTDIR)$(DOCDIR)/$$f || exit 1; done
	install -m 0644 examples/demo/* $(DESTDIR)$(DOCDIR)/examples/demo/
	$(EX_SED) examples/r53mirror@.service >$(DESTDIR)$(UNITDIR)/r53mirror@.service
	$(EX_SED) examples/r53mirror-watch@.service >$(DESTDIR)$(UNITDIR)/r53mirror-watch@.service
	install -m 0644 examples/r53mirror@.timer $(DESTDIR)$(UNITDIR)/
	install -m 0644 examples/r53mirror.sysusers $(DESTDIR)$(SYSUSERSDIR)/r53mirror.conf
	install -m 0644 examples/r53mirror.tmpfiles $(DESTDIR)$(TMPFILESDIR)/r53mirror.conf
	[ -e $(DESTDIR)$(SYSCONFDIR)/r53mirror/zones.conf ] || \
	  { printf '%s\n' '# /etc/r53mirror/zones.conf: add your zones (every line below is' \
	    '# commented out; see $(DOCDIR)/examples/zones.conf).' '#'; \
	    sed -e 's/^\([^#[:space:]]\)/# \1/' examples/zones.conf; } \
	    >$(DESTDIR)$(SYSCONFDIR)/r53mirror/zones.conf
	if [ -z "$(DESTDIR)" ]; then set -e; \
	  getent passwd r53mirror >/dev/null || useradd --system --user-group \
	    --home-dir $(LOCALSTATEDIR)/lib/r53mirror --no-create-home \
	    --shell /usr/sbin/nologin --comment "r53mirror DNS to Route 53 mirror" r53mirror; \
	  chown root:r53mirror $(SYSCONFDIR)/r53mirror; chmod 0750 $(SYSCONFDIR)/r53mirror; \
	  install -d -m 0700 -o r53mirror -g r53mirror $(LOCALSTATEDIR)/lib/r53mirror; \
	  if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi; \
	fi

# The Debian package (debian/): dpkg-buildpackage writes beside the tree
# (..); the .deb, .buildinfo and .changes are moved into dist/.  It runs
# debian/rules clean first, which is make clean here.
deb:
	dpkg-buildpackage -us -uc -b
	mkdir -p dist
	mv ../r53mirror_$(VERSION)_* ../r53mirror-dbgsym_$(VERSION)_* dist/ 2>/dev/null; \
	  ls dist/r53mirror_$(VERSION)_*.deb

# The AWS Lambda function: bootstrap, mirror.sh, the commands and every
# program and library they need, for a system without Debian's libraries
# (scripts/lambda-bundle.sh says how).
lambda: progs
	bash scripts/lambda-bundle.sh $(BUILD) dist/r53mirror-lambda.zip

uninstall:
	for p in $(PROGS) r53mirror; do rm -f $(DESTDIR)$(BINDIR)/$$p; done
	for m in $(MANPAGES); do \
	  s=$${m##*.}; rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; done
	rm -f $(DESTDIR)$(MANDIR)/man8/r53mirror.8
	rm -f $(DESTDIR)$(UNITDIR)/r53mirror@.service $(DESTDIR)$(UNITDIR)/r53mirror@.timer \
	  $(DESTDIR)$(UNITDIR)/r53mirror-watch@.service \
	  $(DESTDIR)$(SYSUSERSDIR)/r53mirror.conf $(DESTDIR)$(TMPFILESDIR)/r53mirror.conf
	rm -rf $(DESTDIR)$(DOCDIR)

clean:
	rm -rf build build-san build-fuzz dist
