#!/usr/bin/env bats
# 77-mirror-progress.bats: r53mirror's progress line.  Its stages' stderr
# goes to files in the run folder, so mirror.sh names its own stderr in
# R53M_PROGRESS_FD and each stage draws its updating line there: on a
# terminal (a pseudo-terminal made by script(1)) by default, with
# --progress anywhere, never in a file by default (cron, logs), and not
# when zones run side by side (--all -j N) unless asked.

load test_helper

ZONE=mirror.test

setup() {
	mirror_setup
	server_start knot "$ZONE" "$FIXTURES/mirror/$ZONE.zone"
	emu_start
	ID=$(emu_create_zone "$ZONE" --private vpc-0test0001)
}

teardown() {
	emu_stop
	server_stop
}

# mirror_cmd ARGS...: the mirror of ZONE as a shell command line.
mirror_cmd() {
	printf 'bash %q --state-dir %q -p %s -k %q %s %s 127.0.0.1 %s' \
		"$MIRROR_SH" "$T/state" "$SERVER_PORT" "$SERVER_KEYFILE" "$*" \
		"$ZONE" "$ID"
}

@test "mirror progress: on a terminal each stage draws one line, wiped at its end" {
	command -v script
	script -q -e -c "$(mirror_cmd)" "$T/tty.log" </dev/null >/dev/null
	grep -aq 'result=changed' "$T/tty.log"
	grep -aq 'r53dump: page 1 of 1, [0-9]* of [0-9]* RRsets, [0-9]* s' "$T/tty.log"
	grep -aq 'r53apply: 1 of 1 batches applied' "$T/tty.log"
	grep -aq $'\r\033\\[K' "$T/tty.log"
	# what the stages drew went to the terminal, not to their .err files
	run grep -lar 'batches applied' "$T/state"
	assert_failure
}

@test "mirror progress: none in a file by default; --progress draws it there" {
	bash -c "$(mirror_cmd)" >"$T/out" 2>"$T/err"
	grep -q 'result=changed' "$T/out"
	run grep -ac $'\033\\[K' "$T/err"
	assert_output 0
	bash -c "$(mirror_cmd --full --progress)" >"$T/out" 2>"$T/err"
	grep -aq 'r53dump: page 1 of 1' "$T/err"
	[ "$(grep -c 'zone=' "$T/out")" -eq 1 ]
}

@test "mirror progress: zones side by side (--all -j 2) draw nothing unless asked" {
	command -v script
	printf '%s 127.0.0.1:%s %s %s\n' "$ZONE" "$SERVER_PORT" \
		"$SERVER_KEYFILE" "$ID" >"$T/zones.conf"
	script -q -e -c "bash $MIRROR_SH --state-dir $T/state --all $T/zones.conf -j 2" \
		"$T/tty.log" </dev/null >/dev/null
	grep -aq 'result=changed' "$T/tty.log"
	run grep -ac 'r53dump: page' "$T/tty.log"
	assert_output 0
	script -q -e -c "bash $MIRROR_SH --state-dir $T/state --all $T/zones.conf -j 1 --full" \
		"$T/tty2.log" </dev/null >/dev/null
	grep -aq 'r53dump: page 1 of 1' "$T/tty2.log"
}
