# test_helper.bash: loaded by every tests/NN-topic.bats with
#   load test_helper
# It loads bats-support/bats-assert, puts the built binaries first on PATH
# and gives each test a private temporary folder in $T.  Topic helpers
# (servers, the Route 53 emulator, ...) live in tests/helpers/*.bash and
# are loaded here, so every test sees the same functions.

TESTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TOP_DIR="$(cd "$TESTS_DIR/.." && pwd)"
FIXTURES="$TESTS_DIR/fixtures"
: "${R53M_BUILD:=$TOP_DIR/build}"
export R53M_BUILD TESTS_DIR TOP_DIR FIXTURES
PATH="$R53M_BUILD:$R53M_BUILD/tests:$PATH"
export PATH
export LC_ALL=C
# Sanitizer builds: fail on the first report.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=86}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=87}"

for _lib in /usr/lib/bats/bats-support /usr/lib/bats-support \
	/usr/lib/bats/bats-assert /usr/lib/bats-assert; do
	if [ -f "$_lib/load.bash" ]; then
		# shellcheck disable=SC1091
		source "$_lib/load.bash"
	fi
done

for _h in "$TESTS_DIR"/helpers/*.bash; do
	[ -e "$_h" ] || continue
	# shellcheck disable=SC1090
	source "$_h"
done
unset _lib _h

# A fresh folder per test, removed by bats with BATS_TEST_TMPDIR.
T="${BATS_TEST_TMPDIR:-$(mktemp -d)}"
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
