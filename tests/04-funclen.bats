#!/usr/bin/env bats
# Functions stay short (issue 10's review found 19 over 80 lines): no C
# function of cmd/, lib/ or tests/ is longer than 80 lines, counted as
# the project's style writes them, from the "{" alone at column 0 to the
# "}" alone at column 0.  A function that must be longer is carved.

load test_helper

MAX_LINES=80

# long_functions FILE...: prints "FILE:LINE NAME N" for each function
# over MAX_LINES lines; fails when there is one.
long_functions() {
	awk -v max="$MAX_LINES" '
	FNR == 1 { start = 0 }
	/\(/ { last = $0 }
	/^\{$/ { start = FNR; name = last; sub(/\(.*/, "", name);
		sub(/.*[ *]/, "", name) }
	/^\}$/ && start {
		n = FNR - start + 1
		if (n > max) { print FILENAME ":" start " " name " " n; bad = 1 }
		start = 0
	}
	END { exit bad }' "$@"
}

@test "funclen: no C function is over 80 lines" {
	cd "$TOP_DIR"
	run long_functions $(git ls-files 'cmd/*.c' 'lib/*.c' 'tests/*.c' 2>/dev/null ||
		find cmd lib tests -name '*.c')
	assert_success
	assert_output ""
}

@test "funclen: a function of 81 lines is found, one of 80 is not" {
	{
		printf 'static int\nshort_one(void)\n{\n'
		for ((i = 0; i < 78; i++)); do printf '\t(void)0;\n'; done
		printf '}\n\nint\nlong_one(int a)\n{\n'
		for ((i = 0; i < 79; i++)); do printf '\t(void)a;\n'; done
		printf '}\n'
	} >"$T/f.c"
	run long_functions "$T/f.c"
	assert_failure
	assert_output "$T/f.c:86 long_one 81"
}
