#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr is set by run --separate-stderr
# 80-package.bats: the Debian package and the source install, as a new
# user runs them.  The package is built once per file (setup_file) from a
# copy of the tree; the tests then read it (dpkg-deb, lintian), install it
# with apt-get, follow the README's set-up steps, mirror a zone from a real
# Knot into the Route 53 emulator with the INSTALLED /usr/bin/r53mirror as
# the r53mirror user (the systemd unit's command, then the cron line's),
# and purge it.  Needs root and dpkg-buildpackage (CI has both); skipped in
# the SANITIZE run (the package is built with its own flags).

load test_helper
bats_require_minimum_version 1.5.0

PKG=r53mirror

pkg_skip_reason() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "needs root (apt-get install, a system user)"
	elif ! command -v dpkg-buildpackage >/dev/null || ! command -v dh >/dev/null; then
		echo "needs dpkg-buildpackage and debhelper (scripts/deps.sh)"
	elif [ "${R53M_SANITIZE:-}" = 1 ]; then
		echo "the package does not use the sanitizer build; run once"
	elif dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q 'installed'; then
		echo "$PKG is installed on this machine; the test installs and purges its own"
	elif getent passwd r53mirror >/dev/null; then
		echo "a r53mirror user exists here; the test must see the package make it"
	fi
}

# Decided once, before the file's tests install anything.
setup_file() {
	# Its tests share what this sets up: run them in order under --jobs.
	export BATS_NO_PARALLELIZE_WITHIN_FILE=true
	local why
	why=$(pkg_skip_reason)
	printf '%s' "$why" >"$BATS_FILE_TMPDIR/skip"
	[ -z "$why" ] || return 0
	export PKG_OUT="$BATS_FILE_TMPDIR/out"
	mkdir -p "$PKG_OUT/src"
	tar -C "$TOP_DIR" --exclude=./build --exclude=./build-san --exclude=./dist \
		--exclude=./.git -cf - . | tar -C "$PKG_OUT/src" -xf -
	# make deb as the README says (dpkg-buildpackage, output moved into
	# dist/); no dbgsym package, both cores: the build is the slow part.
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL DEB_BUILD_OPTIONS="noddebs parallel=2" \
		make -C "$PKG_OUT/src" deb >"$PKG_OUT/build.log" 2>&1 ||
		{ tail -n 40 "$PKG_OUT/build.log" >&3; return 1; }
}

setup() {
	local why
	why=$(cat "$BATS_FILE_TMPDIR/skip")
	[ -z "$why" ] || skip "$why"
	VERSION=$(sed -n 's/^VERSION *:= *//p' "$TOP_DIR/Makefile")
	DEB="$PKG_OUT/src/dist/${PKG}_${VERSION}_$(dpkg --print-architecture).deb"
}

teardown() {
	emu_stop
	server_stop
}

teardown_file() {
	[ -n "${PKG_OUT:-}" ] || return 0
	if dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q 'installed'; then
		DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq "$PKG" >/dev/null 2>&1 || true
	fi
	rm -f /etc/r53mirror/xfr.key /etc/r53mirror/aws-credentials /etc/r53mirror/zones.conf
	rmdir /etc/r53mirror 2>/dev/null || true
	rm -rf /var/lib/r53mirror
	if getent passwd r53mirror >/dev/null; then
		userdel r53mirror >/dev/null 2>&1 || true
	fi
	getent group r53mirror >/dev/null && groupdel r53mirror >/dev/null 2>&1
	return 0
}

@test "package: version of debian/changelog = the Makefile's; make deb leaves the package in dist/" {
	[ "$(cd "$TOP_DIR" && dpkg-parsechangelog -S Version)" = "$VERSION" ]
	[ -f "$DEB" ]
	[ -f "${DEB%.deb}.changes" ]
	[ -f "${DEB%.deb}.buildinfo" ]
	# Nothing left beside the tree.
	[ -z "$(find "$PKG_OUT" -maxdepth 1 -name "${PKG}_*")" ]
}

@test "package: dpkg-deb shows the commands, man pages, units, user, folders, examples, conffile" {
	run dpkg-deb -c "$DEB"
	assert_success
	local f
	for f in zxfr r53dump rrdiff r53apply r53mirror; do
		grep -qE "^-rwxr-xr-x root/root .* \./usr/bin/$f\$" <<<"$output"
	done
	for f in man1/zxfr.1.gz man1/r53dump.1.gz man1/rrdiff.1.gz man1/r53apply.1.gz \
		man5/r53mirror-format.5.gz man8/mirror.sh.8.gz man8/r53mirror.8.gz; do
		grep -qF "./usr/share/man/$f" <<<"$output"
	done
	for f in ./lib/systemd/system/r53mirror@.service ./lib/systemd/system/r53mirror@.timer \
		./usr/lib/sysusers.d/r53mirror.conf ./usr/lib/tmpfiles.d/r53mirror.conf \
		./usr/share/doc/r53mirror/copyright ./etc/r53mirror/zones.conf \
		./usr/share/doc/r53mirror/examples/r53mirror.cron \
		./usr/share/doc/r53mirror/examples/zones.conf \
		./usr/share/doc/r53mirror/examples/zones.mk \
		./usr/share/doc/r53mirror/examples/demo/corp.example.zone; do
		grep -qE "^-rw-r--r-- root/root .* ${f//./\\.}\$" <<<"$output"
	done
	# No test programs, nothing of /usr/local.
	refute_output --partial "_test"
	refute_output --partial "/usr/local"
	run dpkg-deb -I "$DEB" conffiles
	assert_success
	assert_output "/etc/r53mirror/zones.conf"
	run dpkg-deb -f "$DEB" Depends
	assert_output --partial "systemd | systemd-standalone-sysusers"
	# The units and the cron example name the installed command.
	dpkg-deb -x "$DEB" "$T/x"
	grep -q '^ExecStart=/usr/bin/r53mirror ' "$T/x/lib/systemd/system/r53mirror@.service"
	grep -q ' r53mirror  */usr/bin/r53mirror --syslog ' "$T/x/usr/share/doc/r53mirror/examples/r53mirror.cron"
	grep -qx 'd /var/lib/r53mirror 0700 r53mirror r53mirror -' "$T/x/usr/lib/tmpfiles.d/r53mirror.conf"
	grep -q '^u r53mirror - ' "$T/x/usr/lib/sysusers.d/r53mirror.conf"
	# zones.conf in /etc is all comments: nothing is mirrored until edited.
	[ "$(grep -cv -e '^#' -e '^[[:space:]]*$' "$T/x/etc/r53mirror/zones.conf")" -eq 0 ]
	grep -q 'ISC' "$T/x/usr/share/doc/r53mirror/copyright"
	# The maintainer scripts start and enable nothing.
	dpkg-deb -e "$DEB" "$T/ctl"
	run grep -hE 'deb-systemd-invoke (start|restart)|systemctl (start|enable)|deb-systemd-helper enable' \
		"$T/ctl/postinst"
	assert_failure
}

@test "package: lintian --fail-on error,warning finds nothing" {
	local changes="${DEB%.deb}.changes"
	[ -f "$changes" ]
	run lintian --fail-on error,warning "$changes"
	assert_success
	run grep -E '^[EW]: ' <<<"$output"
	assert_failure 1
}

@test "package: apt-get install, README set-up, a mirror by the installed commands as r53mirror" {
	cd "${DEB%/*}"
	run env DEBIAN_FRONTEND=noninteractive apt-get install -y "./${DEB##*/}"
	assert_success
	# What the postinst made.
	local pw
	pw=$(getent passwd r53mirror)
	[ "$(cut -d: -f3 <<<"$pw")" -lt 1000 ]
	[ "$(cut -d: -f6,7 <<<"$pw")" = /var/lib/r53mirror:/usr/sbin/nologin ]
	getent group r53mirror
	[ "$(stat -c '%a %U %G' /var/lib/r53mirror)" = "700 r53mirror r53mirror" ]
	[ "$(stat -c '%a %U %G' /etc/r53mirror)" = "750 root r53mirror" ]
	[ "$(stat -c '%U' /etc/r53mirror/zones.conf)" = root ]
	[ -x /usr/bin/r53mirror ]
	[ -x /usr/bin/zxfr ]
	[ -f /usr/share/man/man8/mirror.sh.8.gz ]
	[ -L /usr/share/man/man8/r53mirror.8.gz ]
	# Nothing enabled, nothing running.
	[ -z "$(compgen -G '/etc/systemd/system/*.wants/r53mirror@*')" ]
	run pgrep -u r53mirror
	assert_failure 1

	# README step 2, as written: the key readable by the group only.
	/usr/sbin/tsig-keygen -a hmac-sha256 r53mirror | install -m 0640 -g r53mirror /dev/stdin /etc/r53mirror/xfr.key
	[ "$(stat -c '%a %U %G' /etc/r53mirror/xfr.key)" = "640 root r53mirror" ]
	SERVER_KEYFILES=/etc/r53mirror/xfr.key server_start knot mirror.test \
		"$FIXTURES/mirror/mirror.test.zone"
	emu_start
	local zid
	zid=$(emu_create_zone mirror.test --private vpc-0pkg00001)
	# The unit's credentials file, as the README says.
	printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' \
		"$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" |
		install -m 0640 -g r53mirror /dev/stdin /etc/r53mirror/aws-credentials
	printf 'mirror.test. 127.0.0.1:%s /etc/r53mirror/xfr.key %s\n' "$SERVER_PORT" "$zid" \
		>>/etc/r53mirror/zones.conf
	run runuser -u r53mirror -- /usr/bin/r53mirror --check-config /etc/r53mirror/zones.conf
	assert_success
	run runuser -u r53mirror -- make -s -f /usr/share/doc/r53mirror/examples/zones.mk \
		CONFIG=/etc/r53mirror/zones.conf list
	assert_success
	assert_output "mirror.test."

	# The unit's ExecStart, as systemd would run it (user, environment).
	local cmd
	cmd=$(sed -n 's/^ExecStart=//p' /lib/systemd/system/r53mirror@.service |
		sed -e "s|\\\${STATE_DIRECTORY}|/var/lib/r53mirror|" -e 's/%i/zones/')
	# shellcheck disable=SC2086 # the unit's words
	run env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin AWS_SHARED_CREDENTIALS_FILE=/etc/r53mirror/aws-credentials \
		AWS_CONFIG_FILE=/nonexistent AWS_DEFAULT_REGION=us-east-1 \
		AWS_ENDPOINT_URL_ROUTE_53="$EMU_URL" R53M_RATE_FILE=/var/lib/r53mirror/ratelimit \
		runuser -u r53mirror -- $cmd
	assert_success
	assert_output --partial "zone=mirror.test. hosted-zone=$zid result=changed status=0"
	mirror_converged mirror.test "$zid"
	[ "$(stat -c '%U' /var/lib/r53mirror/ratelimit)" = r53mirror ]
	[ -n "$(find /var/lib/r53mirror -mindepth 1 -maxdepth 1 -type d -user r53mirror)" ]

	# The cron line of the installed examples, as cron runs it (user
	# field, command): --syslog with no syslog here says so, keeps the summary.
	local line
	line=$(grep -v -e '^#' -e '^[[:space:]]*$' /usr/share/doc/r53mirror/examples/r53mirror.cron)
	[ "$(awk '{ print $6 }' <<<"$line")" = r53mirror ]
	cmd=$(cut -d' ' -f7- <<<"$line")
	run --separate-stderr env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		AWS_SHARED_CREDENTIALS_FILE=/etc/r53mirror/aws-credentials \
		AWS_CONFIG_FILE=/nonexistent AWS_DEFAULT_REGION=us-east-1 \
		AWS_ENDPOINT_URL_ROUTE_53="$EMU_URL" R53M_RATE_FILE=/var/lib/r53mirror/ratelimit \
		runuser -u r53mirror -- bash -c "$cmd"
	assert_success
	if [ ! -S /dev/log ]; then
		assert_output --partial "zone=mirror.test. hosted-zone=$zid result=unchanged status=0"
		[ "$(grep -c 'cannot reach syslog' <<<"$stderr")" -eq 1 ]
	fi
}

@test "package: apt-get purge removes what the package made, leaves the admin's keys and the user" {
	dpkg-query -W -f='${Status}' "$PKG" | grep -q 'ok installed'
	# What systemctl enable r53mirror@zones.timer leaves (no systemd here).
	mkdir -p /etc/systemd/system/timers.target.wants
	ln -sf /lib/systemd/system/r53mirror@.timer \
		/etc/systemd/system/timers.target.wants/r53mirror@zones.timer
	run env DEBIAN_FRONTEND=noninteractive apt-get purge -y "$PKG"
	assert_success
	run dpkg-query -W -f='${Status}' "$PKG"
	refute_output --partial "installed"
	local f
	for f in /usr/bin/zxfr /usr/bin/r53dump /usr/bin/rrdiff /usr/bin/r53apply \
		/usr/bin/r53mirror /lib/systemd/system/r53mirror@.service \
		/lib/systemd/system/r53mirror@.timer /usr/lib/sysusers.d/r53mirror.conf \
		/usr/lib/tmpfiles.d/r53mirror.conf /usr/share/doc/r53mirror \
		/usr/share/man/man8/r53mirror.8.gz /var/lib/r53mirror \
		/etc/r53mirror/zones.conf /etc/systemd/system/timers.target.wants/r53mirror@zones.timer; do
		[ ! -e "$f" ] && [ ! -L "$f" ] || { echo "left: $f" >&2; return 1; }
	done
	# Only the files the admin put there stay; the user stays (policy).
	[ "$(cd /etc/r53mirror && echo *)" = "aws-credentials xfr.key" ]
	getent passwd r53mirror
	run pgrep -u r53mirror
	assert_failure 1
}

@test "source install as root: make install install-examples makes the user and the folders" {
	# After the purge (the user kept): start without it, as a new host.
	userdel r53mirror
	if getent group r53mirror >/dev/null; then groupdel r53mirror; fi
	rm -rf /etc/r53mirror
	run make -s -C "$TOP_DIR" PREFIX="$T/usr" install install-examples
	assert_success
	local pw
	pw=$(getent passwd r53mirror)
	[ "$(cut -d: -f3 <<<"$pw")" -lt 1000 ]
	[ "$(cut -d: -f6,7 <<<"$pw")" = /var/lib/r53mirror:/usr/sbin/nologin ]
	[ "$(stat -c '%a %U %G' /var/lib/r53mirror)" = "700 r53mirror r53mirror" ]
	[ "$(stat -c '%a %U %G' /etc/r53mirror)" = "750 root r53mirror" ]
	[ "$(grep -cv -e '^#' -e '^[[:space:]]*$' /etc/r53mirror/zones.conf)" -eq 0 ]
	grep -q "^ExecStart=$T/usr/bin/r53mirror " "$T/usr/lib/systemd/system/r53mirror@.service"
	# The user's line matches the sysusers.d entry the units expect.
	grep -q '^u r53mirror - .* /var/lib/r53mirror /usr/sbin/nologin$' \
		"$T/usr/lib/sysusers.d/r53mirror.conf"
	# Again: nothing changes, an edited zones.conf is kept.
	echo 'mine. 192.0.2.1 - Z0MINE000000001' >>/etc/r53mirror/zones.conf
	run make -s -C "$TOP_DIR" PREFIX="$T/usr" install install-examples
	assert_success
	grep -q '^mine\. ' /etc/r53mirror/zones.conf
}
