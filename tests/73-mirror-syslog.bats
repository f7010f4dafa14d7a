#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr is set by run --separate-stderr
# 73-mirror-syslog.bats: mirror.sh --syslog where no syslog listens (no
# /dev/log, as in any container): one message on stderr says so and the
# summary lines still reach stdout; a logger that fails at send time
# (syslog gone mid-run) loses no summary either.  Each run's zone has a
# server that does not answer, so no DNS server or emulator is needed.

load test_helper
bats_require_minimum_version 1.5.0

setup() {
	mirror_setup
	PORT=$(mirror_closed_port)
}

# no_devlog CMD...: run CMD where /dev/log is no socket: as it is when
# /dev/log is absent, else (root) in a mount namespace with /dev/null
# bound over it.
no_devlog() {
	if [ ! -e /dev/log ]; then
		"$@"
	else
		unshare --mount bash -c 'mount --bind /dev/null /dev/log && exec "$@"' no_devlog "$@"
	fi
}

need_no_devlog() {
	if [ -e /dev/log ] && { [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null; }; then
		skip "/dev/log exists here and hiding it needs root and unshare"
	fi
}

@test "mirror --syslog without /dev/log: one message on stderr, the summary on stdout" {
	need_no_devlog
	run --separate-stderr no_devlog bash "$MIRROR_SH" --state-dir "$T/state" --syslog \
		-p "$PORT" sys.example. 127.0.0.1 Z0SYSLOG0000001
	[ "$status" -ne 0 ]
	[ "$status" -ne 3 ]
	[ "$(grep -c 'zone=sys.example. hosted-zone=Z0SYSLOG0000001 result=failed-zxfr' <<<"$output")" -eq 1 ]
	[ "$(grep -c -- '--syslog: cannot reach syslog' <<<"$stderr")" -eq 1 ]
	grep -q 'summary lines go to stdout' <<<"$stderr"
}

@test "mirror --syslog --all without /dev/log: the message once for the whole run, every summary" {
	need_no_devlog
	printf 'a.sys.example. 127.0.0.1:%s - Z0SYSLOG000000A\nb.sys.example. 127.0.0.1:%s - Z0SYSLOG000000B\n' \
		"$PORT" "$PORT" >"$T/zones.conf"
	run --separate-stderr no_devlog bash "$MIRROR_SH" --state-dir "$T/state" --syslog \
		--all "$T/zones.conf" -j 2
	[ "$status" -ne 0 ]
	[ "$status" -ne 3 ]
	grep -q '^zone=a.sys.example. .*result=failed-zxfr' <<<"$output"
	grep -q '^zone=b.sys.example. .*result=failed-zxfr' <<<"$output"
	[ "$(grep -c -- '--syslog: cannot reach syslog' <<<"$stderr")" -eq 1 ]
}

@test "mirror --syslog: a logger that fails when sending still leaves the summary on stdout" {
	# Reachable at the start (the probe passes), gone at the summary.
	cat >"$T/logger" <<'EOF2'
#!/bin/bash
for a in "$@"; do [ "$a" = --no-act ] && exit 0; done
echo "logger: socket /dev/log: Connection refused" >&2
exit 1
EOF2
	chmod +x "$T/logger"
	PATH="$T:$PATH" run --separate-stderr bash "$MIRROR_SH" --state-dir "$T/state" --syslog \
		-p "$PORT" sys.example. 127.0.0.1 Z0SYSLOG0000001
	[ "$status" -ne 0 ]
	grep -q '^zone=sys.example. .*result=failed-zxfr' <<<"$output"
	grep -q 'Connection refused' <<<"$stderr"
	[ "$(grep -c 'cannot reach syslog' <<<"$stderr")" -eq 0 ]
}
