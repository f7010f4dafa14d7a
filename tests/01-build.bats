#!/usr/bin/env bats
# The build contract: every command is built, answers --help and
# --version with status 0 and a bad option with the usage status 3;
# make install honours PREFIX and DESTDIR.

load test_helper

PROGS="zxfr r53dump rrdiff r53apply"

@test "every command prints --version and exits 0" {
	for p in $PROGS; do
		run "$p" --version
		assert_success
		assert_output --partial "$p"
	done
}

@test "every command prints usage for --help and exits 0" {
	for p in $PROGS; do
		run "$p" --help
		assert_success
		[[ "${output,,}" == *usage* ]]
	done
}

@test "an unknown option exits with the usage status 3" {
	for p in $PROGS; do
		run "$p" --no-such-option
		assert_equal "$status" 3
	done
}

@test "make install honours PREFIX and DESTDIR" {
	[ -z "${R53M_SANITIZE:-}" ] || skip "installs the normal build only"
	run make -s -C "$TOP_DIR" install DESTDIR="$T/root" PREFIX=/opt/r53
	assert_success
	for p in $PROGS; do
		[ -x "$T/root/opt/r53/bin/$p" ]
	done
	[ -f "$T/root/opt/r53/share/man/man1/rrdiff.1" ]
	[ -x "$T/root/opt/r53/bin/r53mirror" ]
	[ -f "$T/root/opt/r53/share/man/man8/r53mirror.8" ]
	run make -s -C "$TOP_DIR" uninstall DESTDIR="$T/root" PREFIX=/opt/r53
	assert_success
	[ ! -e "$T/root/opt/r53/bin/zxfr" ]
	[ ! -e "$T/root/opt/r53/share/man/man1/rrdiff.1" ]
}

@test "man pages are mdoc-clean" {
	command -v mandoc >/dev/null || skip "mandoc not installed"
	for m in "$TOP_DIR"/man/*.[158]; do
		run mandoc -Tlint -Wwarning "$m"
		assert_success
	done
}
