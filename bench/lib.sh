#!/usr/bin/env bash
# bench/lib.sh: what the bench scripts share; sourced
# (after TOP is set), never run.
#
#   bench_workdir            WORK: a temporary folder, removed at exit
#                            together with the emulator (EXIT trap)
#   bench_start_emu QUOTA [ARG...]
#                            start the Route 53 emulator on a free loopback
#                            port with that RRset quota (and ARGs, e.g.
#                            --account-rate-limit 5); sets URL, EMU_PID
#   bench_aws_env            fixed credentials and region, no credential
#                            files, no metadata service, no rate limit
#   median NAME COLUMN       median of a column of $WORK/NAME.runs
#   ratio A B                A / B (0 when B is 0: a run too short to time)
#
# PY is the Python interpreter (python3 unless the caller set it).

: "${PY:=python3}"

# shellcheck disable=SC2317  # called by the EXIT trap
bench_cleanup() {
	if [ -n "${EMU_PID:-}" ]; then
		kill "$EMU_PID" 2>/dev/null || true
		wait "$EMU_PID" 2>/dev/null || true
	fi
	rm -rf "$WORK"
}

bench_workdir() {
	WORK="$(mktemp -d)"
	EMU_PID=
	trap bench_cleanup EXIT
}

bench_start_emu() {
	local quota=$1 i
	shift
	"$PY" "$TOP/tests/r53emu/r53emu.py" --listen 127.0.0.1:0 --quiet \
		--quota "$quota" "$@" >"$WORK/url" 2>"$WORK/emu.log" &
	EMU_PID=$!
	URL=
	for ((i = 0; i < 200; i++)); do
		URL=$(head -n 1 "$WORK/url" 2>/dev/null || true)
		[ -n "$URL" ] && break
		kill -0 "$EMU_PID" 2>/dev/null || break
		sleep 0.05
	done
	[ -n "$URL" ] || { cat "$WORK/emu.log" >&2; exit 1; }
}

bench_aws_env() {
	export AWS_ACCESS_KEY_ID=AKIDEXAMPLE
	export AWS_SECRET_ACCESS_KEY='wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'
	export AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1
	export AWS_CONFIG_FILE="$WORK/none" AWS_SHARED_CREDENTIALS_FILE="$WORK/none"
	export AWS_EC2_METADATA_DISABLED=true
	unset AWS_SESSION_TOKEN AWS_PROFILE
	# The emulator enforces no rate; the shared 5/s bucket would only
	# measure itself.  Every tool runs without it.
	export R53M_RATE=0 R53M_RATE_FILE="$WORK/rate"
}

median() { # median NAME COLUMN
	awk -v c="$2" '{ print $c }' "$WORK/$1.runs" | sort -g |
		awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

ratio() { # ratio A B
	awk -v a="$1" -v b="$2" 'BEGIN { print (b > 0 ? a / b : 0) }'
}
