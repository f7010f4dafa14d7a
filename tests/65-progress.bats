#!/usr/bin/env bats
# Progress on a terminal: r53dump shows one updating line on stderr
# (pages listed of the total GetHostedZone gives) when stderr is a
# terminal, through a pseudo-terminal made by script(1), or with
# --progress; nothing of it when stderr is a file (cron, logs).
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
