#!/usr/bin/env bats
# r53dump against the Route 53 emulator: paging with exact request counts,
# octal names, non-canonical values kept in @raw, alias and routing records
# in @r53 (cross-checked with the aws CLI), failures midway leave a stream
# nobody accepts, --serial with one request, zone selection.

load test_helper

DT="$FIXTURES/r53dump/dumptool.py"

setup() {
	emu_start
	# The shared rate limit would only slow these tests down; the
	# emulator does not enforce one unless told to.
	export R53M_RATE=0 R53M_RATE_FILE="$T/rate"
}

teardown() {
	if [ -n "${DUMP_PID:-}" ]; then
		kill -9 "$DUMP_PID" 2>/dev/null || true
		wait "$DUMP_PID" 2>/dev/null || true
	fi
	emu_stop
	fakeaws_stop
}

# fake_zone PAGE2: a fakeaws configuration ($T/fake.json) that serves the
# hosted zone ZFAKE (example.com.) in two pages, page 2 from the fixture
# file PAGE2.
fake_zone() {
	local f="$FIXTURES/r53dump"
	cat >"$T/fake.json" <<-EOF
	{"canned": [
	 {"method": "GET", "path": "/2013-04-01/hostedzone/ZFAKE",
	  "body_file": "$f/fake-zone.xml"},
	 {"method": "GET", "path": "/2013-04-01/hostedzone/ZFAKE/rrset",
	  "query": "name=www.example.com.", "body_file": "$f/$1"},
	 {"method": "GET", "path": "/2013-04-01/hostedzone/ZFAKE/rrset",
	  "body_file": "$f/fake-page1.xml"}
	]}
	EOF
}

# dump ARGS...: r53dump against the emulator, stdout in $T/out, stderr in
# $T/err; sets $status like run.  Fails the test on a sanitizer report.
dump() {
	status=0
	r53dump --endpoint-url "$EMU_URL" "$@" >"$T/out" 2>"$T/err" || status=$?
	no_sanitizer_report "$T/err"
}

# absent PATTERN FILE: PATTERN does not occur in FILE (a plain "! grep"
# would not fail a bats test).
absent() {
	! grep -q -- "$1" "$2"
}

# records FILE: the RRset lines of a stream.
records() {
	grep -v '^#' "$1" || true
}

# check_sorted FILE: the order SPEC 2.2 promises, checked with sort(1).
check_sorted() {
	records "$1" | LC_ALL=C sort -c
	records "$1" | LC_ALL=C sort -c -u -t "$(printf '\t')" -k1,2
}

# check_pages TOTAL EXPECTED_REQUESTS: a zone of TOTAL RRsets (apex SOA
# and NS included) is dumped in EXPECTED_REQUESTS list requests.
check_pages() {
	local total=$1 want=$2 id n
	id=$(emu_create_zone "p$total.example")
	python3 "$DT" fill "$EMU_URL" "$id" "p$total.example." $((total - 2))
	emu_reset_counters
	dump --zone-id "$id"
	[ "$status" -eq 0 ] || { cat "$T/err"; return 1; }
	n=$(emu_count ListResourceRecordSets)
	echo "total=$total requests=$n want=$want"
	[ "$n" -eq "$want" ]
	[ "$(tail -n 1 "$T/out")" = "#end rrsets=$total" ]
	[ "$(records "$T/out" | wc -l)" -eq "$total" ]
	[ "$(records "$T/out" | grep -c '^h[0-9]*\.p'"$total"'\.example\.	A	300	10\.')" \
		-eq $((total - 2)) ]
	check_sorted "$T/out"
}

@test "r53dump: a fresh zone (SOA and NS only) in one request" {
	check_pages 2 1
}

@test "r53dump: 299 RRsets in one request" {
	check_pages 299 1
}

@test "r53dump: 300 RRsets in one request" {
	check_pages 300 1
}

@test "r53dump: 301 RRsets in two requests" {
	check_pages 301 2
}

@test "r53dump: 900 RRsets in three requests" {
	check_pages 900 3
}

@test "r53dump: header names the zone, serial, producer, id and source" {
	local id host
	id=$(emu_create_zone Example.COM)
	dump --zone-id "/hostedzone/$id"
	[ "$status" -eq 0 ]
	host=${EMU_URL#http://}
	[ "$(sed -n 1p "$T/out")" = "#!r53mirror-rrset 1" ]
	grep -qx '#origin example.com.' "$T/out"
	grep -qx '#serial 1' "$T/out"
	grep -qx "#producer r53dump [0-9][0-9.]*" "$T/out"
	grep -qx "#zone-id $id" "$T/out"
	grep -qx "#source route53 $host" "$T/out"
	records "$T/out" | grep -q '^example\.com\.	SOA	900	ns-2048\.awsdns-64\.net\. awsdns-hostmaster\.amazon\.com\. 1 7200 900 1209600 86400$'
	[ "$(records "$T/out" | cut -f1,2 | tr '\t' ' ')" = \
		"$(printf 'example.com. NS\nexample.com. SOA')" ]
}

@test "r53dump: octal names, routing and alias records, non-canonical values" {
	local id line
	id=$(emu_create_zone example.com)
	python3 "$DT" post "$EMU_URL" "$id" "$FIXTURES/r53dump/special.json"
	dump --zone-id "$id" -o "$T/zone.rrset"
	[ "$status" -eq 0 ]
	[ ! -s "$T/out" ]
	while IFS= read -r line; do
		if ! grep -qxF -- "$line" "$T/zone.rrset"; then
			echo "missing: $line"
			records "$T/zone.rrset"
			return 1
		fi
	done <"$FIXTURES/r53dump/special.expected"
	[ "$(records "$T/zone.rrset" | wc -l)" -eq \
		$(($(wc -l <"$FIXTURES/r53dump/special.expected") + 2)) ]
	check_sorted "$T/zone.rrset"
}

@test "r53dump: records made with the aws CLI keep their stored text in @raw" {
	local id line
	id=$(emu_create_zone example.com)
	awsr53 change-resource-record-sets --hosted-zone-id "$id" \
		--change-batch "file://$FIXTURES/r53dump/cli-batch.json" >/dev/null
	dump --zone example.com
	[ "$status" -eq 0 ]
	while IFS= read -r line; do
		if ! grep -qxF -- "$line" "$T/out"; then
			echo "missing: $line"
			records "$T/out"
			return 1
		fi
	done <"$FIXTURES/r53dump/cli.expected"
	check_sorted "$T/out"
}

@test "r53dump: every RRset matches the aws CLI's listing (alias, routing, @raw)" {
	local id
	id=$(emu_create_zone example.com)
	python3 "$DT" post "$EMU_URL" "$id" "$FIXTURES/r53dump/special.json"
	awsr53 change-resource-record-sets --hosted-zone-id "$id" \
		--change-batch "file://$FIXTURES/r53dump/cli-batch.json" >/dev/null
	python3 "$DT" fill "$EMU_URL" "$id" example.com. 400
	awsr53 list-resource-record-sets --hosted-zone-id "$id" >"$T/cli.json"
	dump --zone-id "$id"
	[ "$status" -eq 0 ]
	run python3 "$DT" crosscheck "$T/cli.json" "$T/out"
	echo "$output"
	[ "$status" -eq 0 ]
	# The check itself must be able to fail: drop one line, change one.
	grep -v '^fo\.example\.com\.	A/primary' "$T/out" >"$T/less"
	run python3 "$DT" crosscheck "$T/cli.json" "$T/less"
	[ "$status" -eq 1 ]
	sed 's/"Weight":"20"/"Weight":"21"/' "$T/out" >"$T/changed"
	run python3 "$DT" crosscheck "$T/cli.json" "$T/changed"
	[ "$status" -eq 1 ]
}

@test "r53dump -o: replaces an existing file, leaves no temporary file" {
	local id
	id=$(emu_create_zone example.com)
	python3 "$DT" fill "$EMU_URL" "$id" example.com. 10
	mkdir "$T/d"
	echo junk >"$T/d/zone.rrset"
	dump --zone-id "$id" -o "$T/d/zone.rrset"
	[ "$status" -eq 0 ]
	[ ! -s "$T/out" ]
	[ "$(ls -A "$T/d")" = zone.rrset ]
	[ "$(sed -n 1p "$T/d/zone.rrset")" = "#!r53mirror-rrset 1" ]
	[ "$(tail -n 1 "$T/d/zone.rrset")" = "#end rrsets=12" ]
	# Same bytes as on stdout.
	dump --zone-id "$id"
	cmp "$T/out" "$T/d/zone.rrset"
}

@test "r53dump -o: killed by SIGTERM or SIGHUP mid-dump: old file kept, no temporary file" {
	local id i sig num
	id=$(emu_create_zone example.com)
	python3 "$DT" fill "$EMU_URL" "$id" example.com. 898
	emu_faults '{"latency_ms":1500}'
	mkdir "$T/d"
	for sig in TERM HUP; do
		echo old >"$T/d/zone.rrset"
		emu_reset_counters
		# with HUP at its default even when the suite runs under nohup:
		# r53dump rightly keeps a signal its parent ignores (tmpguard)
		env --default-signal=HUP r53dump --endpoint-url "$EMU_URL" \
			--zone-id "$id" -o "$T/d/zone.rrset" 2>"$T/err" &
		DUMP_PID=$!
		# Wait (bounded) until the temporary file exists and page 1
		# has been asked for: the dump is under way.
		for ((i = 0; i < 200; i++)); do
			[ "$(ls -A "$T/d" | wc -l)" -ge 2 ] &&
				[ "$(emu_count ListResourceRecordSets)" -ge 1 ] && break
			sleep 0.05
		done
		ls -A "$T/d"
		[ "$(ls -A "$T/d" | wc -l)" -eq 2 ]
		kill -"$sig" "$DUMP_PID"
		status=0
		wait "$DUMP_PID" || status=$?
		DUMP_PID=
		# died of the signal itself (128 + its number)
		num=$(kill -l "$sig")
		[ "$status" -eq $((128 + num)) ]
		[ "$(ls -A "$T/d")" = zone.rrset ]
		[ "$(cat "$T/d/zone.rrset")" = old ]
	done
}

@test "r53dump: a Value it cannot convert: a warning, the RRset @raw only, exit 0" {
	local id
	id=$(emu_create_zone example.com)
	python3 "$DT" fill "$EMU_URL" "$id" example.com. 500
	# one RRset per reason SPEC 4.3 gives, a second good value beside a
	# bad one, and a weighted record (its @r53 stays)
	python3 "$DT" post "$EMU_URL" "$id" "$FIXTURES/r53dump/unconverted.json"
	dump --zone-id "$id" -o "$T/zone.rrset"
	cat "$T/err"
	[ "$status" -eq 0 ]
	[ "$(tail -n 1 "$T/zone.rrset")" = "#end rrsets=507" ]
	while IFS= read -r line; do
		grep -qxF -- "$line" "$T/zone.rrset" ||
			{ echo "missing: $line"; records "$T/zone.rrset"; return 1; }
	done <"$FIXTURES/r53dump/unconverted.expected"
	check_sorted "$T/zone.rrset"
	# one warning per RRset, naming zone, owner, type and the reason
	[ "$(grep -c 'warning: ' "$T/err")" -eq 5 ]
	[ "$(wc -l <"$T/err")" -eq 5 ]
	grep -q "$id.*octal\.example\.com\. TXT: cannot parse Value 1 .*bad octal escape" "$T/err"
	grep -q 'unclosed\.example\.com\. TXT: .*quote' "$T/err"
	grep -q 'semi\.example\.com\. MX: .*;' "$T/err"
	grep -q 'bad\.example\.com\. MX: .*ten mail\.example\.com\.' "$T/err"
	grep -q 'w\.example\.com\. TXT SetIdentifier one: ' "$T/err"
}

@test "r53dump: an apex SOA it cannot convert still fails: the serial comes from it" {
	local id
	id=$(emu_create_zone example.com)
	printf '%s' '[{"Name":"example.com.","Type":"SOA","TTL":"900","ResourceRecords":["ns. host. one 1 1 1 1"]}]' \
		>"$T/bad.json"
	python3 "$DT" post "$EMU_URL" "$id" "$T/bad.json"
	dump --zone-id "$id"
	[ "$status" -eq 2 ]
	grep -q 'example\.com\. SOA' "$T/err"
	grep -q "$id" "$T/err"
	absent '^#end' "$T/out"
	# With -o nothing is created.
	dump --zone-id "$id" -o "$T/zone.rrset"
	[ "$status" -eq 2 ]
	[ ! -e "$T/zone.rrset" ]
	[ -z "$(ls "$T" | grep -i 'zone\.rrset.')" ]
}

@test "r53dump: an error on page 2 leaves a stream rrdiff rejects" {
	local id
	id=$(emu_create_zone example.com)
	python3 "$DT" fill "$EMU_URL" "$id" example.com. 400
	# Positive control: the complete dump is accepted.
	dump --zone-id "$id" -o "$T/good.rrset"
	[ "$status" -eq 0 ]
	run rrdiff "$T/good.rrset" "$T/good.rrset"
	[ "$status" -eq 0 ]
	# Page 1 succeeds, every attempt at page 2 fails with a 500.
	emu_faults '{"apis":["ListResourceRecordSets"],"script":["ok","500","500","500","500","500","500"]}'
	emu_reset_counters
	AWS_MAX_ATTEMPTS=3 dump --zone-id "$id"
	[ "$status" -eq 5 ]
	[ "$(emu_count ListResourceRecordSets)" -eq 4 ]
	grep -q "$id" "$T/err"
	grep -q 'page 2' "$T/err"
	absent '^#end' "$T/out"
	run rrdiff "$T/out" "$T/good.rrset"
	[ "$status" -eq 2 ]
	# The same with -o: the old file stays as it was.
	cp "$T/good.rrset" "$T/keep.rrset"
	emu_faults '{"clear":true}'
	emu_faults '{"apis":["ListResourceRecordSets"],"script":["ok","500","500","500"]}'
	AWS_MAX_ATTEMPTS=3 dump --zone-id "$id" -o "$T/keep.rrset"
	[ "$status" -eq 5 ]
	cmp "$T/good.rrset" "$T/keep.rrset"
}

@test "r53dump: a malformed page 2 leaves a stream rrdiff rejects" {
	# A loopback fake with canned answers: the emulator never sends
	# broken XML.
	fake_zone fake-page2.xml
	fakeaws_start "$T/fake.json"
	r53dump --endpoint-url "$FAKEAWS_URL" --zone-id ZFAKE >"$T/good.rrset" \
		2>"$T/err"
	no_sanitizer_report "$T/err"
	[ "$(tail -n 1 "$T/good.rrset")" = "#end rrsets=3" ]
	grep -qx 'www.example.com.	A	300	192.0.2.80' "$T/good.rrset"
	fakeaws_stop
	fake_zone fake-page2-bad.xml
	fakeaws_start "$T/fake.json"
	status=0
	AWS_MAX_ATTEMPTS=2 r53dump --endpoint-url "$FAKEAWS_URL" --zone-id ZFAKE \
		>"$T/out" 2>"$T/err" || status=$?
	no_sanitizer_report "$T/err"
	cat "$T/err"
	[ "$status" -eq 5 ]
	grep -q 'ZFAKE' "$T/err"
	grep -q 'page 2' "$T/err"
	absent '^#end' "$T/out"
	run rrdiff "$T/out" "$T/good.rrset"
	[ "$status" -eq 2 ]
}

@test "r53dump: killed mid-dump (kill -9) leaves a stream rrdiff rejects" {
	local id i
	id=$(emu_create_zone example.com)
	python3 "$DT" fill "$EMU_URL" "$id" example.com. 898
	dump --zone-id "$id" -o "$T/good.rrset"
	[ "$status" -eq 0 ]
	emu_faults '{"latency_ms":1500}'
	emu_reset_counters
	r53dump --endpoint-url "$EMU_URL" --zone-id "$id" >"$T/out" 2>"$T/err" &
	DUMP_PID=$!
	# Wait (bounded) until the first page has been asked for.
	for ((i = 0; i < 200; i++)); do
		[ "$(emu_count ListResourceRecordSets)" -ge 1 ] && break
		sleep 0.05
	done
	[ "$(emu_count ListResourceRecordSets)" -ge 1 ]
	kill -9 "$DUMP_PID"
	wait "$DUMP_PID" || true
	DUMP_PID=
	absent '^#end' "$T/out"
	run rrdiff "$T/out" "$T/good.rrset"
	[ "$status" -eq 2 ]
}

@test "r53dump --serial: one ListResourceRecordSets request" {
	local id
	id=$(emu_create_zone example.com)
	python3 "$DT" fill "$EMU_URL" "$id" example.com. 700
	printf '%s' '[{"Name":"example.com.","Type":"SOA","TTL":"900","ResourceRecords":["ns1.example.com. hostmaster.example.com. 2024052001 7200 900 1209600 300"]}]' \
		>"$T/soa.json"
	python3 "$DT" post "$EMU_URL" "$id" "$T/soa.json"
	emu_reset_counters
	dump --serial --zone-id "$id"
	[ "$status" -eq 0 ]
	[ "$(cat "$T/out")" = 2024052001 ]
	[ "$(emu_count ListResourceRecordSets)" -eq 1 ]
	# The full dump agrees.
	dump --zone-id "$id"
	grep -qx '#serial 2024052001' "$T/out"
}

@test "r53dump --serial with --zone-id and --zone: exactly one request in all" {
	local id
	id=$(emu_create_zone example.com)
	emu_reset_counters
	dump --serial --zone-id "$id" --zone example.com
	[ "$status" -eq 0 ]
	[ "$(cat "$T/out")" = 1 ]
	[ "$(emu_count ListResourceRecordSets)" -eq 1 ]
	[ "$(emu_count GetHostedZone)" -eq 0 ]
	[ "$(emu_count ListHostedZonesByName)" -eq 0 ]
	# A name that is not the zone's apex finds no apex SOA: an error.
	dump --serial --zone-id "$id" --zone other.example.com
	[ "$status" -eq 5 ]
	grep -q 'no SOA' "$T/err"
	# Without --serial the pair is checked against Route 53.
	dump --zone-id "$id" --zone example.net
	[ "$status" -eq 3 ]
	grep -q "cannot use hosted zone .*: it is named example.com., not example.net (--zone-id and --zone disagree)" "$T/err"
	zxfr_absent ': usage$' "$T/err"
	[ "$(wc -l <"$T/err")" -eq 1 ]
	dump --zone-id "$id" --zone EXAMPLE.com
	[ "$status" -eq 0 ]
}

@test "r53dump: zone selection by name, public/private/VPC, ambiguity" {
	local pub priv1 priv2 other
	pub=$(emu_create_zone example.com)
	priv1=$(emu_create_zone example.com --private vpc-1111)
	priv2=$(emu_create_zone example.com --private vpc-2222)
	other=$(emu_create_zone example.org)
	dump --zone example.com
	[ "$status" -eq 3 ]
	grep -q "$pub" "$T/err"
	grep -q "$priv1" "$T/err"
	grep -q "$priv2" "$T/err"
	absent '^#end' "$T/out"
	dump --zone example.com --public
	[ "$status" -eq 0 ]
	grep -qx "#zone-id $pub" "$T/out"
	dump --zone example.com --private
	[ "$status" -eq 3 ]
	dump --zone example.com. --private --vpc-id vpc-2222
	[ "$status" -eq 0 ]
	grep -qx "#zone-id $priv2" "$T/out"
	dump --zone EXAMPLE.com --vpc-id vpc-1111
	[ "$status" -eq 0 ]
	grep -qx "#zone-id $priv1" "$T/out"
	dump --zone example.org
	[ "$status" -eq 0 ]
	grep -qx "#zone-id $other" "$T/out"
	grep -qx '#origin example.org.' "$T/out"
	dump --zone example.com --vpc-id vpc-9999
	[ "$status" -eq 5 ]
	dump --zone example.net
	[ "$status" -eq 5 ]
	grep -q 'example\.net' "$T/err"
	dump --zone-id ZNOSUCHZONE
	[ "$status" -eq 5 ]
	grep -q ZNOSUCHZONE "$T/err"
}

@test "r53dump: usage errors exit 3" {
	dump
	[ "$status" -eq 3 ]
	dump --zone-id Z1 --private
	[ "$status" -eq 3 ]
	dump --zone example.com --public --vpc-id vpc-1
	[ "$status" -eq 3 ]
	dump --zone example.com extra-operand
	[ "$status" -eq 3 ]
	dump --zone example.com --timeout nope
	[ "$status" -eq 3 ]
	dump --serial --zone example.com -o "$T/x"
	[ "$status" -eq 3 ]
	dump --help
	[ "$status" -eq 0 ]
	grep -q -- '--zone-id' "$T/out"
}

@test "r53dump: bad credentials exit 6 and never print the secret" {
	local id
	id=$(emu_create_zone example.com)
	AWS_SECRET_ACCESS_KEY=notTheRightSecretKeyXYZ123 dump --zone-id "$id"
	[ "$status" -eq 6 ]
	absent notTheRightSecretKeyXYZ123 "$T/err"
	absent '^#end' "$T/out"
}
