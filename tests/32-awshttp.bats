#!/usr/bin/env bats
# Transport (lib/common/aws/awshttp.c, ratelimit.c): endpoint choice, the
# loopback-only rule for plain http, TLS verification, keep-alive, the
# pinned clock, signatures as botocore makes them, retries with backoff
# against the emulator's faults and their bound, no resend of
# ChangeResourceRecordSets after an ambiguous failure, and the rate limit
# shared by concurrent processes.

load test_helper

setup() {
	aws_clean_env
	# Short backoff so that retry tests take milliseconds.
	export R53M_RETRY_BASE_MS=20
}

teardown() {
	fakeaws_stop
	emu_stop
}

# emu_client: the emulator running, a clean environment with the key pair
# it accepts, and its endpoint in AWS_ENDPOINT_URL_ROUTE_53.
emu_client() {
	emu_start
	aws_clean_env
	aws_test_keys
	export AWS_ENDPOINT_URL_ROUTE_53=$EMU_URL
}

# r53stat NAME: a counter from the "stats ..." line r53api_test printed.
r53stat() {
	sed -n "s/^stats .*\b$1=\([0-9]*\).*/\1/p" <<<"$output" | tail -n 1
}

# A batch file creating NAME as an A record.
batch() {
	printf '[{"action":"%s","name":"%s","type":"A","ttl":300,"values":["192.0.2.1"]}]\n' \
		"${2:-CREATE}" "$1" >"$T/batch.json"
}

@test "awshttp: partition endpoints from --region, AWS_REGION, AWS_DEFAULT_REGION" {
	run awscred_test endpoint
	assert_output "url=https://route53.amazonaws.com region=us-east-1"
	AWS_DEFAULT_REGION=cn-north-1 run awscred_test endpoint
	assert_output "url=https://route53.amazonaws.com.cn region=cn-northwest-1"
	AWS_REGION=us-gov-east-1 AWS_DEFAULT_REGION=cn-north-1 run awscred_test endpoint
	assert_output "url=https://route53.us-gov.amazonaws.com region=us-gov-west-1"
	AWS_REGION=cn-northwest-1 run awscred_test endpoint --region eu-west-1
	assert_output "url=https://route53.amazonaws.com region=us-east-1"
}

@test "awshttp: endpoint variables and --endpoint-url, explicit wins" {
	export AWS_ENDPOINT_URL=https://global.example.net/
	run awscred_test endpoint
	assert_output "url=https://global.example.net region=us-east-1"
	export AWS_ENDPOINT_URL_ROUTE_53=https://r53.example.net:8443
	run awscred_test endpoint --region cn-north-1
	assert_output "url=https://r53.example.net:8443 region=cn-northwest-1"
	run awscred_test endpoint --endpoint-url http://127.0.0.1:9/
	assert_output "url=http://127.0.0.1:9 region=us-east-1"
	AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true run awscred_test endpoint
	assert_output "url=https://route53.amazonaws.com region=us-east-1"
}

@test "awshttp: plain http only to loopback; other schemes refused" {
	local u
	for u in http://127.0.0.1:8053 http://127.9.8.7:1/ http://localhost:5 \
		'http://[::1]:5/' https://route53.example.net; do
		run awscred_test endpoint --endpoint-url "$u"
		assert_success
	done
	for u in http://192.0.2.1:80/ http://route53.amazonaws.com \
		http://128.0.0.1/ 'http://[::2]/' http://localhost.example.com/; do
		run awscred_test endpoint --endpoint-url "$u"
		assert_failure 3
		assert_output --partial "refusing plain http"
		assert_output --partial "not a loopback address"
	done
	run awscred_test endpoint --endpoint-url ftp://127.0.0.1/
	assert_failure 3
	assert_output --partial "scheme must be https"
	AWS_ENDPOINT_URL_ROUTE_53=http://192.0.2.1 run awscred_test endpoint
	assert_failure 3
	# The client refuses before sending anything, with exit 3.
	aws_test_keys
	run r53api_test --endpoint-url http://192.0.2.1:8080 list Z1
	assert_failure 3
	assert_output --partial "refusing plain http to 192.0.2.1"
}

@test "awshttp: TLS is verified: a self-signed server fails unless its CA is given" {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" \
		-out "$T/cert.pem" -days 2 -subj /CN=127.0.0.1 \
		-addext subjectAltName=IP:127.0.0.1 2>/dev/null
	cat >"$T/conf.json" <<'EOF2'
{"canned": [{"method": "GET", "path": "/2013-04-01/hostedzonelimit/Z1/MAX_RRSETS_BY_ZONE",
  "body": "<GetHostedZoneLimitResponse><Limit><Type>MAX_RRSETS_BY_ZONE</Type><Value>10000</Value></Limit><Count>7</Count></GetHostedZoneLimitResponse>"}]}
EOF2
	fakeaws_start "$T/conf.json" --tls "$T/cert.pem" "$T/key.pem"
	aws_test_keys
	[[ $FAKEAWS_URL == https://* ]]
	run r53api_test --endpoint-url "$FAKEAWS_URL" limit Z1
	assert_failure 5
	assert_output --partial "certificate"
	# A verification failure is not retried.
	[ "$(r53stat requests)" = 1 ]
	run r53api_test --endpoint-url "$FAKEAWS_URL" --ca-bundle "$T/cert.pem" limit Z1
	assert_success
	assert_output --partial "limit=10000 count=7"
	AWS_CA_BUNDLE="$T/cert.pem" run r53api_test --endpoint-url "$FAKEAWS_URL" limit Z1
	assert_success
}

@test "awshttp: one kept-alive connection for all requests of a run" {
	cat >"$T/p1.xml" <<'EOF2'
<ListResourceRecordSetsResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ResourceRecordSets><ResourceRecordSet><Name>a.example.com.</Name><Type>A</Type><TTL>1</TTL><ResourceRecords><ResourceRecord><Value>192.0.2.1</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></ResourceRecordSets><IsTruncated>true</IsTruncated><NextRecordName>b.example.com.</NextRecordName><NextRecordType>A</NextRecordType><MaxItems>1</MaxItems></ListResourceRecordSetsResponse>
EOF2
	sed 's/a\.example/b.example/; s/<IsTruncated>true.*<MaxItems>/<IsTruncated>true<\/IsTruncated><NextRecordName>c.example.com.<\/NextRecordName><NextRecordType>A<\/NextRecordType><MaxItems>/' "$T/p1.xml" >"$T/p2.xml"
	sed 's/a\.example/c.example/; s/<IsTruncated>true.*<MaxItems>/<IsTruncated>false<\/IsTruncated><MaxItems>/' "$T/p1.xml" >"$T/p3.xml"
	cat >"$T/conf.json" <<EOF2
{"canned": [
 {"path": "/2013-04-01/hostedzone/Z1/rrset", "query": "name=c.example.com.", "body_file": "$T/p3.xml"},
 {"path": "/2013-04-01/hostedzone/Z1/rrset", "query": "name=b.example.com.", "body_file": "$T/p2.xml"},
 {"path": "/2013-04-01/hostedzone/Z1/rrset", "body_file": "$T/p1.xml"}]}
EOF2
	fakeaws_start "$T/conf.json"
	aws_test_keys
	run r53api_test --endpoint-url "$FAKEAWS_URL" list-all Z1
	assert_success
	assert_line --index 0 --partial '"name":"a.example.com."'
	assert_line --index 1 --partial '"name":"b.example.com."'
	assert_line --index 2 --partial '"name":"c.example.com."'
	[ "$(fakeaws_count GET)" = 3 ]
	[ "$(fakeaws_ports)" = 1 ]
}

@test "awshttp: what the library sends verifies under botocore, byte for byte (with a token)" {
	/usr/bin/python3 -c 'import botocore' || fail "needs Debian python3-botocore"
	cat >"$T/conf.json" <<'EOF2'
{"canned": [
 {"method": "GET", "path": "/2013-04-01/hostedzone/Z1/rrset", "status": 200,
  "body": "<ListResourceRecordSetsResponse><ResourceRecordSets/><IsTruncated>false</IsTruncated><MaxItems>300</MaxItems></ListResourceRecordSetsResponse>"},
 {"method": "POST", "path": "/2013-04-01/hostedzone/Z1/rrset/", "status": 200,
  "body": "<ChangeResourceRecordSetsResponse><ChangeInfo><Id>/change/C1</Id><Status>PENDING</Status><SubmittedAt>2026-11-26T22:00:00Z</SubmittedAt></ChangeInfo></ChangeResourceRecordSetsResponse>"}]}
EOF2
	fakeaws_start "$T/conf.json"
	aws_test_keys
	export R53M_FAKE_TIME=20261126T221500Z
	run r53api_test --endpoint-url "$FAKEAWS_URL" list Z1 --name '\052.Example.com.' --type TXT --identifier 'a b/c' --maxitems 7
	assert_success
	printf '[{"action":"UPSERT","name":"t.example.com.","type":"TXT","ttl":60,"values":["\\"x & y\\""]}]\n' >"$T/b.json"
	AWS_SESSION_TOKEN='IQoJb3JpZ2luX2VjE+/tok==' run r53api_test --endpoint-url "$FAKEAWS_URL" change Z1 "$T/b.json"
	assert_success
	assert_output --partial change_id=C1
	# The pinned clock is what was sent.
	[ "$(fakeaws_header 1 X-Amz-Date)" = 20261126T221500Z ]
	[ "$(fakeaws_header 2 X-Amz-Security-Token)" = 'IQoJb3JpZ2luX2VjE+/tok==' ]
	local n
	for n in 1 2; do
		fakeaws_request "$n" "$T/req$n"
		fakeaws_header "$n" Authorization >"$T/ours$n"
		if [ "$n" = 2 ]; then export AWS_SESSION_TOKEN='IQoJb3JpZ2luX2VjE+/tok=='; fi
		/usr/bin/python3 "$TOP_DIR/tests/fakeaws/botosign.py" authz "$T/req$n" \
			--service route53 --region us-east-1 --scheme http \
			--signed-from-authz yes >"$T/boto$n"
		echo >>"$T/boto$n"
		diff "$T/boto$n" "$T/ours$n"
	done
	grep -q 'SignedHeaders=host;x-amz-date,' "$T/ours1"
	grep -q 'SignedHeaders=content-type;host;x-amz-date;x-amz-security-token,' "$T/ours2"
}

@test "awshttp: Throttling, PriorRequestNotComplete, 500, 503 and a dropped connection are retried" {
	emu_client
	local z
	z=$(emu_create_zone example.com)
	emu_reset_counters
	emu_faults '{"script":["throttle","prior","500","503","drop","ok"]}'
	run r53api_test -v list-all "$z"
	assert_success
	assert_output --partial '"type":"SOA"'
	assert_output --partial "Throttling; retry 1 of 7"
	assert_output --partial "PriorRequestNotComplete; retry 2 of 7"
	assert_output --partial "HTTP 500 InternalFailure; retry 3 of 7"
	assert_output --partial "HTTP 503 ServiceUnavailable; retry 4 of 7"
	[ "$(r53stat throttled)" = 2 ]
	# The drop hits a kept-alive connection, which libcurl itself
	# reopens and resends on for a GET (no answer byte came), or we
	# retry: either way six requests reached the emulator.
	[ "$(r53stat requests)" -ge 5 ]
	[ "$(emu_count ListResourceRecordSets)" = 6 ]
}

@test "awshttp: a change after other calls uses a fresh connection: a drop is ambiguous, never resent" {
	emu_client
	local z
	z=$(emu_create_zone example.com)
	batch v.example.com.
	emu_reset_counters
	emu_faults '{"drop_after_change":1}'
	run r53api_test list-all "$z" + limit "$z" + change "$z" "$T/batch.json"
	assert_failure 5
	assert_output --partial "limit=10000"
	assert_output --partial status=ambiguous
	[ "$(r53stat change)" = 1 ]
	[ "$(emu_count ChangeResourceRecordSets)" = 1 ]
	run r53api_test list-all "$z"
	[ "$(grep -c '"name":"v.example.com."' <<<"$output")" = 1 ]
}

@test "awshttp: retries are bounded in attempts and in time when faults never stop" {
	emu_client
	local z
	z=$(emu_create_zone example.com)
	emu_faults '{"throttle_rate":1.0}'
	emu_reset_counters
	run r53api_test --max-attempts 4 list-all "$z"
	assert_failure 5
	assert_output --partial "Throttling: Rate exceeded"
	assert_output --partial "still throttled after all retries"
	[ "$(r53stat requests)" = 4 ]
	[ "$(emu_count ListResourceRecordSets)" = 4 ]
	# Time bound: many attempts allowed, 1.5 s in all, 300 ms base.
	emu_faults '{"throttle_rate":0,"error5xx_rate":1.0}'
	R53M_RETRY_BASE_MS=300 run r53api_test --max-attempts 100 --retry-time-ms 1500 list-all "$z"
	assert_failure 5
	assert_output --partial "HTTP 50"
	[ "$(r53stat requests)" -ge 2 ]
	[ "$(r53stat requests)" -lt 30 ]
	# The default is 8 attempts.
	emu_reset_counters
	run r53api_test get-change C0000000000
	assert_failure 5
	[ "$(r53stat requests)" = 8 ]
}

@test "awshttp: connection refused is retried, then a clear failure (exit 5)" {
	# A loopback port with nobody listening.
	printf '{}\n' >"$T/conf.json"
	fakeaws_start "$T/conf.json"
	local url=$FAKEAWS_URL
	fakeaws_stop
	aws_test_keys
	batch x.example.com.
	run r53api_test --endpoint-url "$url" --max-attempts 3 change Z1 "$T/batch.json"
	assert_failure 5
	# Nothing was sent: a definite failure, not an ambiguous one.
	assert_output --partial "status=failed"
	assert_output --partial "gave up after 3 attempts"
	[ "$(r53stat requests)" = 3 ]
}

@test "awshttp: an endpoint name that does not resolve fails fast: two tries, not the retry budget" {
	unset R53M_RETRY_BASE_MS	# the default backoff, as deployed
	aws_test_keys
	SECONDS=0
	run r53api_test --endpoint-url https://route53.no-such-host.invalid list Z1
	assert_failure 5
	assert_output --partial "Could not resolve host: route53.no-such-host.invalid"
	assert_output --partial "gave up after 2 attempts"
	[ "$(r53stat requests)" = 2 ]
	[ "$SECONDS" -lt 5 ]
	# one attempt: "1 attempt", not "1 attempts"
	run r53api_test --endpoint-url https://route53.no-such-host.invalid --max-attempts 1 list Z1
	assert_failure 5
	assert_output --partial "(gave up after 1 attempt)"
}

@test "awshttp: validation, not-found and auth errors are not retried" {
	emu_client
	local z
	z=$(emu_create_zone example.com)
	batch x.other.org.
	run r53api_test change "$z" "$T/batch.json"
	assert_failure 5
	assert_output --partial status=rejected
	assert_output --partial "code=InvalidChangeBatch"
	[ "$(r53stat requests)" = 1 ]
	run r53api_test list-all ZNOSUCHZONE1
	assert_failure 5
	assert_output --partial status=notfound
	assert_output --partial NoSuchHostedZone
	[ "$(r53stat requests)" = 1 ]
	AWS_SECRET_ACCESS_KEY=wrongSecretValue run r53api_test list-all "$z"
	assert_failure 6
	assert_output --partial status=auth
	refute_output --partial wrongSecretValue
	[ "$(r53stat requests)" = 1 ]
}

@test "awshttp: ChangeResourceRecordSets after a 500 is ambiguous and not resent" {
	emu_client
	local z
	z=$(emu_create_zone example.com)
	batch x.example.com.
	emu_reset_counters
	emu_faults '{"script":["500"],"apis":["ChangeResourceRecordSets"]}'
	run r53api_test change "$z" "$T/batch.json"
	assert_failure 5
	assert_output --partial status=ambiguous
	assert_output --partial "may or may not have been applied"
	[ "$(r53stat requests)" = 1 ]
	[ "$(emu_count ChangeResourceRecordSets)" = 1 ]
}

@test "awshttp: ChangeResourceRecordSets dropped after applying is ambiguous; the zone tells" {
	emu_client
	local z
	z=$(emu_create_zone example.com)
	batch y.example.com.
	emu_reset_counters
	emu_faults '{"drop_after_change":1}'
	run r53api_test change "$z" "$T/batch.json"
	assert_failure 5
	assert_output --partial status=ambiguous
	[ "$(r53stat requests)" = 1 ]
	[ "$(emu_count ChangeResourceRecordSets)" = 1 ]
	# It was applied; re-reading the zone shows it (the caller's job).
	run r53api_test list-all "$z"
	assert_output --partial '"name":"y.example.com."'
}

@test "awshttp: ChangeResourceRecordSets is retried after Throttling and PriorRequestNotComplete" {
	emu_client
	local z
	z=$(emu_create_zone example.com)
	batch w.example.com.
	emu_reset_counters
	emu_faults '{"script":["throttle","prior","ok"],"apis":["ChangeResourceRecordSets"]}'
	run r53api_test change "$z" "$T/batch.json"
	assert_success
	assert_output --partial change_id=
	[ "$(r53stat requests)" = 3 ]
	[ "$(r53stat retries)" = 2 ]
	[ "$(emu_count ChangeResourceRecordSets)" = 3 ]
	run r53api_test list-all "$z"
	[ "$(grep -c '"name":"w.example.com."' <<<"$output")" = 1 ]
}

@test "ratelimit: concurrent processes share one bucket (R53M_RATE)" {
	export R53M_RATE=10 R53M_RATE_BURST=1
	local p pids=()
	for p in 1 2 3 4; do
		awscred_test rate 5 >"$T/rate.$p" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p"; done
	sort -n "$T"/rate.* >"$T/all"
	[ "$(wc -l <"$T/all")" = 20 ]
	# 20 tokens at 10/s with a burst of 1 take at least 1.9 s; a slow
	# machine can only make it longer.  Allow 100 ms for clock reading.
	local first last
	first=$(head -n 1 "$T/all")
	last=$(tail -n 1 "$T/all")
	[ $((last - first)) -ge 1800 ]
	# No 1-second window holds more than rate + burst grants.
	python3 - "$T/all" <<'PY'
import sys
t = [int(x) for x in open(sys.argv[1])]
worst = max(sum(1 for u in t if s <= u < s + 1000) for s in t)
assert worst <= 11, worst
PY
	# R53M_RATE=0 turns it off: 20 tokens at once.
	rm -f "$R53M_RATE_FILE"
	R53M_RATE=0 awscred_test rate 20 >"$T/fast"
	[ $(( $(tail -n 1 "$T/fast") - $(head -n 1 "$T/fast") )) -lt 1000 ]
	[ ! -e "$R53M_RATE_FILE" ]
}

@test "ratelimit: three clients at the default 5/s stay under the emulator's account limit" {
	emu_start --account-rate-limit 5
	aws_clean_env
	aws_test_keys
	export AWS_ENDPOINT_URL_ROUTE_53=$EMU_URL
	local z p pids=()
	z=$(emu_create_zone example.com)
	emu_reset_counters
	for p in 1 2 3; do
		(for _ in 1 2 3 4; do r53api_test limit "$z" || exit 1; done) \
			>"$T/c.$p" 2>&1 &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p"; done
	cat "$T"/c.* >&2
	[ "$(grep -c 'limit=10000' "$T"/c.* | awk -F: '{s += $2} END {print s}')" = 12 ]
	# No request was throttled: every attempt was the first.
	if grep -q 'throttled=[1-9]' "$T"/c.*; then
		fail "a request was throttled"
	fi
	[ "$(emu_count GetHostedZoneLimit)" = 12 ]
}

@test "ratelimit: a state file that is a symlink or not ours is refused with a warning" {
	ln -s /etc/passwd "$T/link"
	R53M_RATE_FILE="$T/link" run awscred_test rate 1
	assert_failure 2
	assert_output --partial "rate limit file $T/link"
	# The file it points to is untouched.
	[ "$(stat -c %s /etc/passwd)" -gt 0 ]
	grep -q '^root:' /etc/passwd
	# A bad R53M_RATE falls back to the default, warning once.
	R53M_RATE=fast run awscred_test rate 3
	assert_success
	[ "$(grep -c 'R53M_RATE=fast is not a number' <<<"$output")" = 1 ]
}

@test "awshttp: a loopback endpoint is never reached through a proxy from the environment" {
	cat >"$T/conf.json" <<'EOF2'
{"canned": [{"method": "GET", "path": "/2013-04-01/hostedzonelimit/Z1/MAX_RRSETS_BY_ZONE",
  "body": "<GetHostedZoneLimitResponse><Limit><Type>MAX_RRSETS_BY_ZONE</Type><Value>5</Value></Limit><Count>1</Count></GetHostedZoneLimitResponse>"}]}
EOF2
	fakeaws_start "$T/conf.json"
	aws_test_keys
	# A proxy that does not exist: using it would fail.
	http_proxy=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 ALL_PROXY=http://127.0.0.1:9 \
		run r53api_test --endpoint-url "$FAKEAWS_URL" limit Z1
	assert_success
	assert_output --partial "limit=5 count=1"
}

@test "awshttp: a clock more than 4 minutes off is corrected from the server's Date, once" {
	cat >"$T/conf.json" <<'EOF2'
{"canned": [
 {"method": "GET", "path": "/2013-04-01/hostedzonelimit/Z1/MAX_RRSETS_BY_ZONE", "times": 1, "status": 403,
  "body": "<ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>Signature expired: 20150830T123600Z is now earlier than ...</Message></Error><RequestId>r1</RequestId></ErrorResponse>"},
 {"method": "GET", "path": "/2013-04-01/hostedzonelimit/Z1/MAX_RRSETS_BY_ZONE",
  "body": "<GetHostedZoneLimitResponse><Limit><Type>MAX_RRSETS_BY_ZONE</Type><Value>5</Value></Limit><Count>1</Count></GetHostedZoneLimitResponse>"},
 {"method": "GET", "path": "/2013-04-01/hostedzonelimit/Z2/MAX_RRSETS_BY_ZONE", "status": 403,
  "body": "<ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>Signature expired</Message></Error><RequestId>r2</RequestId></ErrorResponse>"}]}
EOF2
	fakeaws_start "$T/conf.json"
	aws_test_keys
	# Our clock says 2015; the fake's Date header says now.
	R53M_FAKE_TIME=20150830T123600Z run r53api_test --endpoint-url "$FAKEAWS_URL" limit Z1 + limit Z1
	assert_success
	assert_output --partial "the local clock is"
	assert_output --partial "behind Route 53's"
	[ "$(grep -c 'limit=5 count=1' <<<"$output")" = 2 ]
	[ "$(r53stat requests)" = 3 ]
	[ "$(fakeaws_header 1 X-Amz-Date)" = 20150830T123600Z ]
	# Signed again with the server's time, and the next call too.
	[ "$(fakeaws_header 2 X-Amz-Date | cut -c1-8)" = "$(date -u +%Y%m%d)" ] ||
		[ "$(fakeaws_header 2 X-Amz-Date | cut -c1-8)" = "$(date -u -d '-1 hour' +%Y%m%d)" ]
	[ "$(fakeaws_header 3 X-Amz-Date | cut -c1-4)" = "$(date -u +%Y)" ]
	# A time error with a clock that agrees with the server is final.
	run r53api_test --endpoint-url "$FAKEAWS_URL" limit Z2
	assert_failure 6
	refute_output --partial "the local clock"
	[ "$(r53stat requests)" = 1 ]
	# Corrected at most once per call: a server that keeps refusing.
	R53M_FAKE_TIME=20150830T123600Z run r53api_test --endpoint-url "$FAKEAWS_URL" limit Z2
	assert_failure 6
	[ "$(r53stat requests)" = 2 ]
}

# cred_process TOKEN...: a credential_process (profile "default") that
# answers the documentation key pair with the next TOKEN each call (the
# last one again once they run out), valid for an hour; calls counted in
# $T/proc.count.
cred_process() {
	local exp
	exp=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
	printf '%s\n' "$@" >"$T/proc.tokens"
	cat >"$T/proc.sh" <<EOS
#!/bin/sh
n=\$(cat "$T/proc.count" 2>/dev/null || echo 0)
n=\$((n + 1))
echo \$n >"$T/proc.count"
tok=\$(sed -n "\${n}p" "$T/proc.tokens")
[ -n "\$tok" ] || tok=\$(tail -n 1 "$T/proc.tokens")
printf '{"Version": 1, "AccessKeyId": "AKIDEXAMPLE", "SecretAccessKey": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "SessionToken": "%s", "Expiration": "$exp"}\n' "\$tok"
EOS
	chmod +x "$T/proc.sh"
	printf '[default]\ncredential_process = %s\n' "$T/proc.sh" >"$HOME/.aws/config"
	rm -f "$T/proc.count"
}

@test "awshttp: ExpiredToken refreshes temporary credentials at once, once; long-term keys are not retried" {
	local z
	emu_client
	z=$(emu_create_zone example.com)
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
	emu_faults '{"expired_tokens": ["revokedToken1"]}'
	# The first token is refused; the process gives a new one; one resend.
	cred_process revokedToken1 freshToken2
	run r53api_test list-all "$z"
	assert_success
	assert_output --partial "session token expired; fetching new credentials"
	[ "$(cat "$T/proc.count")" = 2 ]
	[ "$(r53stat requests)" = 2 ]
	# A source that keeps giving the refused token: one refresh, then exit 6.
	cred_process revokedToken1
	run r53api_test list-all "$z"
	assert_failure 6
	assert_output --partial ExpiredToken
	refute_output --partial revokedToken1
	[ "$(cat "$T/proc.count")" = 2 ]
	[ "$(r53stat requests)" = 2 ]
	# A token from the environment cannot be refreshed: no resend.
	rm -f "$HOME/.aws/config"
	aws_test_keys
	AWS_SESSION_TOKEN=revokedToken1 run r53api_test list-all "$z"
	assert_failure 6
	refute_output --partial "fetching new credentials"
	[ "$(r53stat requests)" = 1 ]
}
