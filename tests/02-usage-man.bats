#!/usr/bin/env bats
# Truth pass: every option a command's --help names is in its man page,
# and every option the man page documents (its SYNOPSIS and its .It
# items) is in --help.  Prose may mention other commands' options, so
# only those two places of the page count.

load test_helper

# options WORDS...: one option a line, sorted; "-hq" stands for -h -q.
split_opts() {
	awk '{ if ($0 ~ /^--/ || length($0) == 2) print
	       else for (i = 2; i <= length($0); i++) print "-" substr($0, i, 1) }' |
	    LC_ALL=C sort -u
}

usage_opts() {
	"$@" --help 2>&1 |
	    grep -oE -- '(^|[^-a-zA-Z0-9_])--?[a-zA-Z][-a-zA-Z0-9]*' |
	    sed -E 's/^[^-]//' | split_opts
}

man_opts() {
	awk '/^\.Sh/ { syn = ($2 == "SYNOPSIS") } syn || /^\.It Fl / { print }' "$1" |
	    grep -oE 'Fl [-a-zA-Z0-9]+' | sed 's/^Fl /-/' | split_opts
}

check_command() {	# check_command MANPAGE COMMAND...
	local page=$1
	shift
	usage_opts "$@" >"$T/usage"
	man_opts "$page" >"$T/man"
	# an empty list would make the comparison say nothing
	[ -s "$T/usage" ]
	[ -s "$T/man" ]
	run diff "$T/usage" "$T/man"
	if [ "$status" -ne 0 ]; then
		echo "'<' only in $1 --help, '>' only in $page:"
		echo "$output"
		return 1
	fi
}

@test "zxfr: --help and zxfr.1 name the same options" {
	check_command "$TOP_DIR/man/zxfr.1" zxfr
}

@test "r53dump: --help and r53dump.1 name the same options" {
	check_command "$TOP_DIR/man/r53dump.1" r53dump
}

@test "rrdiff: --help and rrdiff.1 name the same options" {
	check_command "$TOP_DIR/man/rrdiff.1" rrdiff
}

@test "r53apply: --help and r53apply.1 name the same options" {
	check_command "$TOP_DIR/man/r53apply.1" r53apply
}

@test "mirror.sh: --help and mirror.sh.8 name the same options" {
	check_command "$TOP_DIR/man/mirror.sh.8" bash "$TOP_DIR/scripts/mirror.sh"
}
