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

# same_lists HELPFN MANFN WHAT MANPAGE COMMAND...: HELPFN of COMMAND's
# --help and MANFN of MANPAGE give the same non-empty list.
same_lists() {
	local help=$1 man=$2 what=$3 page=$4
	shift 4
	"$help" "$@" >"$T/from-help"
	"$man" "$page" >"$T/from-man"
	# an empty list would make the comparison say nothing
	[ -s "$T/from-help" ] || { echo "no $what in $* --help"; return 1; }
	[ -s "$T/from-man" ] || { echo "no $what in $page"; return 1; }
	run diff "$T/from-help" "$T/from-man"
	if [ "$status" -ne 0 ]; then
		echo "$what: '<' only in $1 --help, '>' only in $page:"
		echo "$output"
		return 1
	fi
}

check_command() {	# check_command MANPAGE COMMAND...
	same_lists usage_opts man_opts options "$@"
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

# help_exits COMMAND...: the exit statuses the --help text's "Exit:"
# paragraph lists, one a line, sorted.
help_exits() {
	"$@" --help 2>&1 | sed -n '/^Exit:/,$p' | tr '\n' ' ' | tr -s ' ' |
	    grep -oE '(Exit:|,|\bor) [0-9]+ ' | grep -oE '[0-9]+' | sort -n
}

# man_exits PAGE: the statuses of the page's EXIT STATUS list.
man_exits() {
	awk '/^\.Sh/ { p = ($2 == "EXIT") }
	    p && /^\.It [0-9]/ { for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) print $i }' "$1" |
	    sort -n
}

check_exits() {	# check_exits MANPAGE COMMAND...
	same_lists help_exits man_exits "exit statuses" "$@"
}

@test "every command: -V and --version print the version; --help lists the man page's exit statuses" {
	local c
	for c in zxfr r53dump rrdiff r53apply; do
		run "$c" -V
		assert_success
		assert_output --regexp "^$c [0-9][0-9.]*\$"
		run "$c" --version
		assert_success
		assert_output --regexp "^$c [0-9][0-9.]*\$"
		check_exits "$TOP_DIR/man/$c.1" "$c"
	done
	check_exits "$TOP_DIR/man/mirror.sh.8" bash "$TOP_DIR/scripts/mirror.sh"
}

@test "mirror.sh installed as r53mirror says usage: r53mirror" {
	cp "$TOP_DIR/scripts/mirror.sh" "$T/r53mirror"
	run bash "$T/r53mirror" --help
	assert_success
	assert_line --index 0 --regexp '^usage: r53mirror \[options\] ZONE SERVER'
	refute_output --partial 'mirror.sh'
	run bash "$T/r53mirror" --bogus-option
	assert_failure 3
	assert_output --partial 'r53mirror --help'
}

@test "every repository file doc/overview.md and the README name exists" {
	local f missing=0
	cd "$TOP_DIR"
	# paths relative to the top (not /usr/lib/..., not a glob)
	for f in $(grep -ohE '(^|[ (`])(doc|scripts|tests|format|examples|man|cmd|lib|bench)/[A-Za-z0-9_./@-]*[A-Za-z0-9_]' doc/overview.md README.md |
	    sed 's/^[ (`]//' | grep -v NAME | sort -u); do
		[ -e "$f" ] || { echo "missing: $f" >&2; missing=1; }
	done
	[ "$missing" -eq 0 ]
}
