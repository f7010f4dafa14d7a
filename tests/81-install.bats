#!/usr/bin/env bats
# 81-install.bats: the source install of the README: make install and
# make install-examples with DESTDIR put every file where the README says,
# the units and the cron line name BINDIR, an existing zones.conf is kept,
# and a staged install (DESTDIR) makes no user and touches nothing outside.

load test_helper

# stage PREFIX: make install install-examples into $T/root (the build the
# suite already made: SANITIZE as the run's).
stage() {
	make -s -C "$TOP_DIR" SANITIZE="${R53M_SANITIZE:-}" PREFIX="$1" \
		DESTDIR="$T/root" install install-examples
}

@test "install: make install + install-examples (PREFIX=/usr/local) put the files where the README says" {
	run stage /usr/local
	assert_success
	local r=$T/root f
	for f in /usr/local/bin/zxfr /usr/local/bin/r53dump /usr/local/bin/rrdiff \
		/usr/local/bin/r53apply /usr/local/bin/r53mirror; do
		[ -x "$r$f" ] || { echo "missing $f" >&2; return 1; }
	done
	# Every path the README's source install names exists in the stage.
	for f in /usr/local/lib/systemd/system/r53mirror@.service \
		/usr/local/lib/systemd/system/r53mirror@.timer \
		/usr/local/lib/sysusers.d/r53mirror.conf \
		/usr/local/lib/tmpfiles.d/r53mirror.conf \
		/usr/local/share/doc/r53mirror/examples/r53mirror.cron \
		/usr/local/share/doc/r53mirror/examples/zones.conf \
		/usr/local/share/man/man8/r53mirror.8 /etc/r53mirror/zones.conf; do
		[ -f "$r$f" ] || { echo "missing $f" >&2; return 1; }
		grep -qF "$f" "$TOP_DIR/README.md" || { echo "README does not name $f" >&2; return 1; }
	done
	grep -q '^ExecStart=/usr/local/bin/r53mirror ' "$r/usr/local/lib/systemd/system/r53mirror@.service"
	grep -q ' r53mirror  */usr/local/bin/r53mirror --syslog ' \
		"$r/usr/local/share/doc/r53mirror/examples/r53mirror.cron"
	[ "$(grep -cv -e '^#' -e '^[[:space:]]*$' "$r/etc/r53mirror/zones.conf")" -eq 0 ]
	grep -qx 'MIRROR ?= /usr/local/bin/r53mirror' "$r/usr/local/share/doc/r53mirror/examples/zones.mk"
	# A staged install makes no user and no state folder.
	[ ! -e "$r/var" ]
	# The installed script runs and finds the installed commands.
	run "$r/usr/local/bin/r53mirror" --help
	assert_success
}

@test "install: PREFIX=/usr names /usr/bin in the units; an existing zones.conf is kept" {
	mkdir -p "$T/root/etc/r53mirror"
	echo 'mine. 192.0.2.1 - Z0MINE000000001' >"$T/root/etc/r53mirror/zones.conf"
	run stage /usr
	assert_success
	grep -q '^ExecStart=/usr/bin/r53mirror ' "$T/root/usr/lib/systemd/system/r53mirror@.service"
	[ "$(cat "$T/root/etc/r53mirror/zones.conf")" = 'mine. 192.0.2.1 - Z0MINE000000001' ]
}

@test "install: make uninstall DESTDIR removes what install and install-examples put there (not /etc)" {
	run stage /usr/local
	assert_success
	run make -s -C "$TOP_DIR" SANITIZE="${R53M_SANITIZE:-}" PREFIX=/usr/local \
		DESTDIR="$T/root" uninstall
	assert_success
	[ -z "$(find "$T/root/usr" -type f -o -type l)" ]
	[ -f "$T/root/etc/r53mirror/zones.conf" ]
}
