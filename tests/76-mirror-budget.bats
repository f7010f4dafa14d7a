#!/usr/bin/env bats
# One request budget per AWS profile (per account), as r53dump, r53apply
# and mirror.sh spend it through lib/common/aws/awshttp.c: two profiles
# at the same time each get the full R53M_RATE, instead of sharing one
# bucket.  Measured on the emulator's side: the time at which each
# request signed by each role's key arrived.

load test_helper

RATE=2		# requests per second per bucket
N=7		# requests per process: (N-1)/RATE = 3 s at full rate

setup() {
	emu_start
	aws_clean_env
	export AWS_ENDPOINT_URL_STS="$EMU_URL" R53M_RATE=$RATE R53M_RATE_BURST=1
	printf '[src]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$EMU_AK" "$EMU_SK" \
		>"$HOME/.aws/credentials"
	printf '[profile acct-%s]\nrole_arn = arn:aws:iam::%s:role/mirror\nsource_profile = src\n' \
		b 210987654321 c 310987654321 >"$HOME/.aws/config"
	ZID=$(emu_create_zone budget.test)
}

teardown() {
	emu_stop
}

# spend PROFILE: N GetHostedZoneLimit requests on one client.
spend() {
	local -a args=()
	local i
	for ((i = 0; i < N; i++)); do
		[ "$i" -gt 0 ] && args+=(+)
		args+=(limit "$ZID")
	done
	r53api_test --profile "$1" --endpoint-url "$EMU_URL" "${args[@]}" >"$T/out.$1" 2>&1
}

# budget_report: per role key, its first and last arrival and its span;
# then the overlap of the two spans.
budget_report() {
	emu_admin get sts/signers | python3 -c '
import json, sys
by = {}
for s in json.load(sys.stdin):
    if s["akid"].startswith("ASIA") and s["api"] != "sts":
        by.setdefault(s["akid"], []).append(s["t"])
spans = sorted((min(v), max(v), len(v)) for v in by.values())
for a, b, n in spans:
    print("span %.3f n %d" % (b - a, n))
if len(spans) == 2:
    print("overlap %.3f" % (min(spans[0][1], spans[1][1]) - spans[1][0]))
'
}

@test "budget: two profiles spend at the same time, each at the full rate" {
	spend acct-b &
	local pb=$!
	spend acct-c &
	local pc=$!
	wait "$pb" || { cat "$T/out.acct-b"; false; }
	wait "$pc" || { cat "$T/out.acct-c"; false; }
	run budget_report
	echo "$output"
	# one bucket file per profile
	[ -f "$R53M_RATE_FILE-acct-b" ] && [ -f "$R53M_RATE_FILE-acct-c" ]
	# both keys made all their requests, while the other one ran
	[ "$(grep -c "n $N\$" <<<"$output")" = 2 ]
	local full=$(((N - 1) / RATE))
	# each at its own full rate: (N-1)/RATE s, with room for a loaded
	# machine; one shared bucket would take about twice as long
	awk -v full="$full" '/^span/ { if ($2 > full * 1.4) bad = 1 }
		END { exit bad }' <<<"$output"
	# and they really overlapped (a shared bucket would then have halved
	# each one's rate)
	awk -v full="$full" '/^overlap/ { ok = $2 > full * 0.6 } END { exit !ok }' <<<"$output"
}
