#!/usr/bin/env bats
# Progress on a terminal: r53dump (pages listed of the total
# GetHostedZone gives) and r53apply (batches applied of planned) show one
# updating line on stderr when stderr is a terminal (a pseudo-terminal
# made by script(1)) or with --progress; nothing of it when stderr is a
# file (cron, logs).
# Against the Route 53 emulator, with a zone of 1000 RRsets (4 pages).

load test_helper

DT="$FIXTURES/r53dump/dumptool.py"

setup() {
	emu_start
	export R53M_RATE=0 R53M_RATE_FILE="$T/rate"
	ID=$(emu_create_zone example.com)
	python3 "$DT" fill "$EMU_URL" "$ID" example.com. 1000
}

teardown() {
	emu_stop
}

@test "r53dump on a terminal: pages of the total, redrawn in place, wiped at the end" {
	command -v script
	script -q -e -c "r53dump --zone-id $ID -o $T/out.rrset" "$T/tty.log" </dev/null >/dev/null
	# 1000 listed plus SOA and NS: 1002 RRsets, 4 pages of 300
	grep -aq 'r53dump: page 4 of 4, 1002 of 1002 RRsets, [0-9]* s' "$T/tty.log"
	grep -aq $'\r' "$T/tty.log"
	grep -aq $'\r\033\\[K' "$T/tty.log"
	[ "$(grep -vc '^#' "$T/out.rrset")" -eq 1002 ]
}

@test "r53dump with stderr in a file: no progress; --progress forces it" {
	r53dump --zone-id "$ID" -o "$T/out.rrset" 2>"$T/err"
	[ ! -s "$T/err" ]
	r53dump --progress --zone-id "$ID" -o "$T/out.rrset" 2>"$T/err"
	grep -aq 'r53dump: page 4 of 4, 1002 of 1002 RRsets' "$T/err"
	# the line is wiped: what follows it starts at the left margin
	[ "$(tail -c 4 "$T/err" | od -An -c | tr -d ' ')" = '\r033[K' ]
}

@test "r53apply on a terminal: batches applied of planned; nothing in a log" {
	ID2=$(emu_create_zone example.com)
	# the first zone as a DNS source would give it
	r53dump --zone-id "$ID" | sed -e '/^#zone-id /d' \
		-e 's/^#source .*/#source dns 127.0.0.1 port 53/' \
		-e 's/^#producer .*/#producer zxfr 0.1.0/' >"$T/desired.rrset"
	r53dump --zone-id "$ID2" -o "$T/current.rrset"
	rc=0
	rrdiff "$T/desired.rrset" "$T/current.rrset" >"$T/changes" || rc=$?
	[ "$rc" -eq 1 ]
	script -q -e -c "r53apply --zone-id $ID2 $T/changes" "$T/tty.log" </dev/null >/dev/null
	n=$(grep -ao 'r53apply: [0-9]* of [0-9]* batches applied' "$T/tty.log" | tail -1)
	[[ $n =~ r53apply:\ ([0-9]+)\ of\ ([0-9]+)\  ]]
	[ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ]
	[ "${BASH_REMATCH[2]}" -ge 1 ]
	grep -aq $'\r\033\\[K' "$T/tty.log"
	# applied: the second zone now equals the first
	r53dump --zone-id "$ID2" -o "$T/after.rrset"
	rrdiff "$T/desired.rrset" "$T/after.rrset" >/dev/null
	# the same apply with stderr in a file prints no progress
	r53dump --zone-id "$ID2" -o "$T/current2.rrset"
	rrdiff "$T/desired.rrset" "$T/current2.rrset" >"$T/none" || true
	r53apply --zone-id "$ID2" "$T/none" 2>"$T/err"
	zxfr_absent -F 'batches applied' "$T/err"
}
