#!/usr/bin/env bats
# The fuzz targets of tests/fuzz/ (README there), built with clang and
# libFuzzer into build-fuzz/: every input of tests/fuzz/regress/ replayed
# through its target, then each target fuzzed for FUZZ_SECONDS (10 s
# here by default; make fuzz runs each for 60 s), FUZZ_JOBS of them side
# by side (default: one per CPU).  Skipped, saying why, where clang or
# the libFuzzer runtime is missing (scripts/deps.sh installs both).

bats_require_minimum_version 1.5.0
load test_helper

: "${FUZZ_SECONDS:=10}"
export FUZZ_SECONDS

# Built once, before any test of the file starts: tests run side by side
# and two makes linking the same target would race (a test could see a
# half-written binary).  need_fuzz says why a test cannot run.
setup_file() {
	# One target at a time, niced: fuzzing fills the CPU the rest of
	# the suite leaves while it waits, and never takes all of make
	# check's job slots (FUZZ_SECONDS=60 in CI).
	export BATS_NO_PARALLELIZE_WITHIN_FILE=true
	why=
	if [ -n "${R53M_SANITIZE:-}" ]; then
		# The fuzzers are their own ASan/UBSan build: the SANITIZE=1
		# pass of the suite would only run them a second time.
		why="fuzzers carry their own sanitizers"
	elif ! command -v clang >/dev/null; then
		why="clang not installed (scripts/deps.sh: clang)"
	elif [ ! -f "$(clang -print-file-name=libclang_rt.fuzzer-x86_64.a)" ]
	then
		why="no libFuzzer runtime (scripts/deps.sh: libclang-rt-14-dev)"
	fi
	echo "$why" >"$BATS_FILE_TMPDIR/skip"
	[ -z "$why" ] || return 0
	# A failed build is recorded, not fatal here (setup_file runs under
	# set -e): each test then fails with the build's output.
	rc=0
	nice -n 19 make -s -j"$(nproc)" -C "$TOP_DIR" fuzz-build \
	    >"$BATS_FILE_TMPDIR/build" 2>&1 || rc=$?
	echo "$rc" >"$BATS_FILE_TMPDIR/built"
}

# The lanes fuzz_target starts: stopped if a test ended the file early.
teardown_file() {
	local pg
	[ -e "$BATS_FILE_TMPDIR/lanes" ] || return 0
	while read -r pg; do
		kill -- "-$pg" 2>/dev/null || true
	done <"$BATS_FILE_TMPDIR/lanes"
}

need_fuzz() {
	why=$(cat "$BATS_FILE_TMPDIR/skip")
	[ -z "$why" ] || skip "$why"
	[ "$(cat "$BATS_FILE_TMPDIR/built")" = 0 ] ||
	    { cat "$BATS_FILE_TMPDIR/build"; return 1; }
}

# The targets fuzzed side by side, in the order of the tests below.
FUZZ_TARGETS="stream canon_wire canon_text r53api xfr tsig"

# fuzz_lanes: the first target test starts every target, FUZZ_JOBS lanes
# each taking every FUZZ_JOBS-th target (a CPU each, niced so that make
# check's other work goes first): on two CPUs, CI's six 60 s runs take
# three minutes of wall instead of six, each target still fuzzed as long
# and on a CPU of its own.  Started after the replay test, which writes
# the same logs.  Each target leaves its output in fz.NAME.out and its
# exit status in fz.NAME.rc; each lane is its own process group (setsid).
fuzz_lanes() {
	local jobs=${FUZZ_JOBS:-$(nproc)} lane i t list
	[ ! -e "$BATS_FILE_TMPDIR/lanes" ] || return 0
	: >"$BATS_FILE_TMPDIR/lanes"
	for ((lane = 0; lane < jobs; lane++)); do
		i=0 list=
		for t in $FUZZ_TARGETS; do
			[ $((i % jobs)) -ne "$lane" ] || list="$list $t"
			i=$((i + 1))
		done
		[ -n "$list" ] || continue
		# shellcheck disable=SC2016,SC2086  # $list: one word a target
		setsid sh -c 'd=$1; shift; for t; do
			nice -n 10 sh tests/fuzz/run.sh "$t" >"$d/fz.$t.out" 2>&1
			echo $? >"$d/fz.$t.rc"; done' lane "$BATS_FILE_TMPDIR" $list \
		    </dev/null >/dev/null 2>&1 3>&- &
		echo "$!" >>"$BATS_FILE_TMPDIR/lanes"
	done
}

# lanes_alive: some lane is still running (by pid: a lane just started
# may not have made its process group yet).
lanes_alive() {
	local pid
	while read -r pid; do
		kill -0 "$pid" 2>/dev/null && return 0
	done <"$BATS_FILE_TMPDIR/lanes"
	return 1
}

# fuzz_target NAME: NAME fuzzed for FUZZ_SECONDS without a crash
fuzz_target() {
	local i
	need_fuzz
	cd "$TOP_DIR"
	fuzz_lanes
	# Bounded: a lane runs at most three targets of FUZZ_SECONDS each
	# plus their replays and seeds; ten minutes of slack on a busy CI.
	for ((i = 0; i < 6 * FUZZ_SECONDS + 600; i++)); do
		[ ! -s "$BATS_FILE_TMPDIR/fz.$1.rc" ] || break
		lanes_alive || break
		sleep 1
	done
	[ -s "$BATS_FILE_TMPDIR/fz.$1.rc" ] || { echo "fuzz $1: no result" >&2; false; }
	# run.sh's output and exit status, as if run here
	run sh -c 'cat "$1.out"; exit "$(cat "$1.rc")"' sh "$BATS_FILE_TMPDIR/fz.$1"
	assert_success
	assert_line --regexp "^fuzz $1: [0-9]+ runs in $FUZZ_SECONDS s .*: no crash\$"
}

@test "fuzz: one target per tests/fuzz/fuzz_*.c, all built" {
	need_fuzz
	n=0
	for s in "$TOP_DIR"/tests/fuzz/fuzz_*.c; do
		t=${s##*/fuzz_}
		[ -x "$TOP_DIR/build-fuzz/fuzz_${t%.c}" ]
		n=$((n + 1))
	done
	[ "$n" -eq 6 ]
}

@test "fuzz: every regression input replays without a crash" {
	need_fuzz
	cd "$TOP_DIR"
	[ -n "$(ls tests/fuzz/regress/*/)" ]
	run env FUZZ_SECONDS=0 sh tests/fuzz/run.sh stream canon_wire \
	    canon_text r53api xfr tsig
	assert_success
	refute_output --partial crash
}

@test "fuzz: run.sh fails and names the input when a target crashes" {
	need_fuzz
	mkdir -p "$T/fz"
	# a stand-in target that crashes as libFuzzer reports it
	printf '%s\n' '#!/bin/sh' \
	    'echo "Test unit written to $T/fz/crash-1"; exit 77' \
	    >"$T/fz/fuzz_fake"
	chmod +x "$T/fz/fuzz_fake"
	cd "$TOP_DIR"
	run env FUZZ_DIR="$T/fz" FUZZ_SECONDS=1 sh tests/fuzz/run.sh fake
	assert_failure 1
	assert_output --partial "fuzz fake: CRASH"
	assert_output --partial "$T/fz/crash-1"
}

@test "fuzz: stream reader" { fuzz_target stream; }
@test "fuzz: canon wire path" { fuzz_target canon_wire; }
@test "fuzz: canon text paths" { fuzz_target canon_text; }
@test "fuzz: Route 53 answer parsers" { fuzz_target r53api; }
@test "fuzz: zxfr transfer loop" { fuzz_target xfr; }
@test "fuzz: TSIG" { fuzz_target tsig; }
