# test_helper.bash: loaded by every tests/NN-topic.bats with
#   load test_helper
# It loads bats-support/bats-assert, puts the built binaries first on PATH
# and gives each test a private temporary folder in $T.  Topic helpers
# (servers, the Route 53 emulator, ...) live in tests/helpers/*.bash and
# are loaded here, so every test sees the same functions.

# Loaded once per test (565 times a run): no dirname(1) and no needless
# subshell here, each fork adds up.
_d=${BASH_SOURCE[0]%/*}
[ "$_d" != "${BASH_SOURCE[0]}" ] || _d=.
# bats loads helpers by absolute path: a subshell only for a relative one.
case $_d in
/*) TESTS_DIR=$_d ;;
*) TESTS_DIR="$(cd "$_d" && pwd)" ;;
esac
TOP_DIR="${TESTS_DIR%/*}"
FIXTURES="$TESTS_DIR/fixtures"
: "${R53M_BUILD:=$TOP_DIR/build}"
export R53M_BUILD TESTS_DIR TOP_DIR FIXTURES
# git checks files out 0644, and zxfr warns about a key file other users
# may read: the fixture keys are made private once, as a user would.
# Once per file: bats sources each file once (BATS_TEST_NAME empty)
# before it runs any of its tests.
if [ -z "${BATS_TEST_NAME:-}" ]; then
	chmod o-rwx,g-w "$FIXTURES"/zones/keys/*.key 2>/dev/null || true
	# make check runs files side by side (bats --jobs); a file's own
	# tests run one after another: bats' parallel mode within a file
	# (GNU parallel, a semaphore polled every second) cost 0.28 CPU-s a
	# test (bats --jobs 4 on empty tests: 0.44 against 0.16), more than
	# most tests.  No file needs it: one after another the longest take
	# 142 s (70-mirror), 120 s (71-mirror-many, mostly waiting on the
	# emulator's rate limit) and 61 s (78) of wall, idle; the Makefile
	# starts them first.
	: "${BATS_NO_PARALLELIZE_WITHIN_FILE:=true}"
fi
# sleep, rm and mkdir as bash's loadable builtins (Debian bash-builtins,
# installed by scripts/deps.sh): the helpers' bounded waits poll with
# sleep thousands of times a run, and each external one is a process
# start on a CPU-bound suite.  Without the package they stay commands.
# The loadable mkdir -p fails "File exists" when another process makes
# the folder between its check and its mkdir: a folder files of one run
# share (servers.bash's port reservations) takes that as done.
for _b in sleep rm mkdir; do
	[ -r "/usr/lib/bash/$_b" ] && enable -f "/usr/lib/bash/$_b" "$_b" 2>/dev/null
done
PATH="$R53M_BUILD:$R53M_BUILD/tests:$PATH"
# python3 is Debian's (tests/bin/python3 -> /usr/bin/python3): the one
# deps.sh gives python3-botocore, the reference for AWS client behaviour,
# whatever a python version manager puts first on PATH.  A pyenv shim
# also cost 0.47 CPU-s a start against 0.06, and the suite starts
# python3 hundreds of times (helpers, fakes, #!/usr/bin/env python3).
[ -x /usr/bin/python3 ] && PATH="$TESTS_DIR/bin:$PATH"
export PATH
export LC_ALL=C
# A test that runs make runs it as a user at a shell would, not as a
# sub-make of make check (which adds "make[N]: Entering directory").
unset MAKEFLAGS MFLAGS MAKELEVEL
# Sanitizer builds: fail on the first report.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=86}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=87}"

# bats-support then bats-assert: their src/ files in the order their
# load.bash sources them (load.bash runs dirname(1) once per file); the
# load.bash itself if a file is not where this version keeps it.
_load_lib() {	# _load_lib DIR NAME...
	local dir=$1 f
	shift
	[ -f "$dir/load.bash" ] || return 0
	for f in "$@"; do
		[ -f "$dir/src/$f.bash" ] || {
			# shellcheck disable=SC1091
			source "$dir/load.bash"
			return
		}
	done
	for f in "$@"; do
		# shellcheck disable=SC1090
		source "$dir/src/$f.bash"
	done
}
for _lib in /usr/lib/bats/bats-support /usr/lib/bats-support; do
	_load_lib "$_lib" output error lang
done
for _lib in /usr/lib/bats/bats-assert /usr/lib/bats-assert; do
	_load_lib "$_lib" assert refute assert_equal assert_not_equal \
		assert_success assert_failure assert_output refute_output \
		assert_line refute_line assert_regex refute_regex
done
unset -f _load_lib

for _h in "$TESTS_DIR"/helpers/*.bash; do
	[ -e "$_h" ] || continue
	# shellcheck disable=SC1090
	source "$_h"
done
unset _lib _h _d _b

# A fresh folder per test, removed by bats with BATS_TEST_TMPDIR; in
# setup_file the file's own, removed with it (a mktemp -d there was
# made for every file and never removed).
T="${BATS_TEST_TMPDIR:-${BATS_FILE_TMPDIR:-$(mktemp -d)}}"
export T
# The Route 53 client's shared token bucket: one per test, so tests never
# wait for each other (a test may still point several processes at it).
export R53M_RATE_FILE="${R53M_RATE_FILE:-$T/r53m-ratelimit}"

# no_sanitizer_report FILE: fail if a sanitizer wrote to FILE (stderr).
no_sanitizer_report() {
	if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$1"; then
		cat "$1" >&2
		return 1
	fi
}
