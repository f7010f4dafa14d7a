#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr is set by run --separate-stderr
# 79-mirror-status.bats: operating a fleet with mirror.sh: the last change
# stays findable (last-change, pruning by kind), stage warnings reach
# stderr and syslog once each, the fleet view (--status, --json) and the
# Prometheus metrics file (--metrics-file), parsed back strictly.  Real
# DNS servers and the Route 53 emulator, as the other 7N tests.

load test_helper
bats_require_minimum_version 1.5.0

FWD=mirror.test
REV=2.0.192.in-addr.arpa

setup() {
	mirror_setup
}

teardown() {
	emu_stop
	server_stop
}

start_zone() {
	server_start knot "$FWD" "$FIXTURES/mirror/$FWD.zone"
	emu_start
	FWD_ID=$(emu_create_zone "$FWD")
}

mirror_fwd() {
	mirror -p "$SERVER_PORT" -k "$SERVER_KEYFILE" "$@" "$FWD" 127.0.0.1 "$FWD_ID"
}

# run_dirs: the run folders of FWD's hosted zone.
run_dirs() {
	find "$(mirror_zone_dir "$FWD_ID")/runs" -mindepth 1 -maxdepth 1 -type d | sort
}

@test "status: last-change names the run that changed Route 53, kept past 11 in-sync runs with --keep 3" {
	start_zone
	run mirror_fwd --adopt --keep 3
	assert_success
	assert_output --partial "result=changed"
	local d target i
	d=$(mirror_zone_dir "$FWD_ID")
	target=$(readlink "$d/last-change")
	[ "$target" = "$(readlink "$d/last")" ]
	grep -q '^+	' "$d/last-change/changes"
	for ((i = 0; i < 11; i++)); do
		run mirror_fwd --full --keep 3
		assert_success
		assert_output --partial "result=in-sync"
	done
	# The change's folder and its change stream are still there, and
	# last-change still names it; the in-sync runs are pruned to 3.
	[ "$(readlink "$d/last-change")" = "$target" ]
	[ -d "$d/$target" ]
	grep -q '^+	' "$d/last-change/changes"
	[ "$(readlink "$d/last")" != "$target" ]
	[ "$(run_dirs | wc -l)" -eq 4 ]
	# A second change: last-change moves on; both changing runs are kept
	# (3 of each kind), the in-sync ones stay 3.
	server_update "$FWD" "$FIXTURES/mirror/$FWD.v2.zone"
	run mirror_fwd --keep 3
	assert_success
	assert_output --partial "result=changed"
	[ "$(readlink "$d/last-change")" = "$(readlink "$d/last")" ]
	[ "$(readlink "$d/last-change")" != "$target" ]
	[ -d "$d/$target" ]
	[ "$(run_dirs | wc -l)" -eq 5 ]
}

# fake_logger: a logger(1) in $T/bin-log that records its arguments and
# the lines it reads to $T/logger.calls.
fake_logger() {
	mkdir -p "$T/bin-log"
	cat >"$T/bin-log/logger" <<EOF2
#!/bin/bash
printf 'ARGS %s\n' "\$*" >>"$T/logger.calls"
for a in "\$@"; do [ "\$a" = --no-act ] && exit 0; done
case " \$* " in *" -- "*) ;; *) cat >>"$T/logger.calls" ;; esac
EOF2
	chmod +x "$T/bin-log/logger"
	: >"$T/logger.calls"
}

@test "status: every stage's warnings reach stderr and syslog once each, on a run that succeeds" {
	# rrdiff: HINFO is not managed; r53apply: a delegation in a private
	# hosted zone; r53dump: a value it cannot read, dumped twice (the
	# zone is found by name, then read again under its id's lock).
	{
		cat "$FIXTURES/mirror/$FWD.zone"
		printf 'pc\tIN HINFO\t"PC" "Linux"\n'
		printf 'child\tIN NS\tns.child\nns.child\tIN A\t192.0.2.60\n'
	} >"$T/warn.zone"
	server_start knot "$FWD" "$T/warn.zone"
	emu_start
	FWD_ID=$(emu_create_zone "$FWD" --private vpc-0test0001)
	cat >"$T/byhand.json" <<'JSON'
{"Changes":[{"Action":"CREATE","ResourceRecordSet":{"Name":"byhand.mirror.test.","Type":"TXT","TTL":300,"ResourceRecords":[{"Value":"\"x\\009y\""}]}}]}
JSON
	emu_change "$FWD_ID" "$T/byhand.json" >/dev/null
	fake_logger
	PATH="$T/bin-log:$PATH" run --separate-stderr mirror -p "$SERVER_PORT" \
		-k "$SERVER_KEYFILE" --adopt --syslog --private --vpc-id vpc-0test0001 \
		"$FWD" 127.0.0.1
	echo "$stderr"
	assert_success
	local w
	for w in 'rrdiff: warning: type HINFO is not managed' \
		'r53apply: warning: child.mirror.test. NS: private hosted zones do not follow delegations' \
		'r53dump: warning: hosted zone .*byhand.mirror.test.* written without'; do
		[ "$(grep -c "^mirror.sh: $FWD.: $w" <<<"$stderr")" -eq 1 ]
		[ "$(grep -c "^$FWD.: $w" "$T/logger.calls")" -eq 1 ]
	done
	# at warning level; the summary at notice (it went well)
	grep -q -- '^ARGS -t r53mirror -p daemon.warning$' "$T/logger.calls"
	grep -q -- "^ARGS .*-p daemon.notice -- zone=$FWD. .*result=changed status=0 " "$T/logger.calls"
	[ -z "$output" ]
}

# fleet_conf: $T/zones.conf: FWD (served, FWD_ID), down.test (its
# server does not answer) and never.test (never run).
fleet_conf() {
	local port
	port=$(mirror_closed_port)
	cat >"$T/zones.conf" <<EOF2
$FWD. 127.0.0.1:$SERVER_PORT $SERVER_KEYFILE $FWD_ID
down.test. 127.0.0.1:$port - Z0DOWN000000001
never.test. 127.0.0.1:$port - public
EOF2
}

# kv LINE KEY: KEY's value in a key=value line.
kv() {
	tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"
}

@test "status: --status reads each zone's last runs from the state folders, no network" {
	start_zone
	fleet_conf
	run mirror --all "$T/zones.conf" "$FWD" down.test
	assert_failure 5
	# Nothing on the network from here on: the server and Route 53 gone.
	server_stop
	emu_stop
	local calls
	calls=$(mirror_zxfr_calls)
	run --separate-stderr mirror --status "$T/zones.conf"
	echo "$output"
	assert_success
	[ -z "$stderr" ]
	[ "$(mirror_zxfr_calls)" -eq "$calls" ]
	[ "${#lines[@]}" -eq 3 ]
	local fwd down never d serial
	fwd=${lines[0]} down=${lines[1]} never=${lines[2]}
	d=$(mirror_zone_dir "$FWD_ID")
	serial=$(sed -n 's/^#serial //p' "$d/last/source.rrset")
	[[ $fwd == "zone=$FWD. hosted-zone=$FWD_ID last-run="* ]]
	[ "$(kv "$fwd" result)" = changed ]
	[ "$(kv "$fwd" status)" = 0 ]
	[ "$(kv "$fwd" check)" = full:new-state ]
	[[ $(kv "$fwd" last-run) =~ ^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$ ]]
	[ "$(kv "$fwd" last-success)" = "$(kv "$fwd" last-run)" ]
	[ "$(kv "$fwd" last-change)" = "$(kv "$fwd" last-run)" ]
	[[ $(kv "$fwd" since-success) =~ ^[0-9]+s$ ]]
	[ "$(kv "$fwd" serial)" = "$serial" ]
	[ "$(kv "$fwd" route53-serial)" = "$serial" ]
	[ "$(kv "$fwd" skipped)" = 0 ]
	[ "$(kv "$fwd" runs)" = 1 ]
	[ "$(kv "$fwd" failed-runs)" = 0 ]
	[ "$(kv "$fwd" folder)" = "$d" ]
	[[ $fwd == *" last-error-time=never last-error=-" ]]
	# The failed zone: its error, no success, no change.
	[ "$(kv "$down" result)" = failed-zxfr ]
	[ "$(kv "$down" status)" = 5 ]
	[ "$(kv "$down" last-success)" = never ]
	[ "$(kv "$down" since-success)" = never ]
	[ "$(kv "$down" last-change)" = never ]
	[ "$(kv "$down" failed-runs)" = 1 ]
	[ "$(kv "$down" last-error-time)" = "$(kv "$down" last-run)" ]
	[[ $down =~ \ last-error=\"zxfr:\ [^\"]+\"$ ]]
	# Never run: said so, nothing made up.
	[[ $never == "zone=never.test. hosted-zone=public last-run=never result=never-run status=- "* ]]

	# --json: one object a zone, the same facts, times in Unix seconds.
	run --separate-stderr mirror --status "$T/zones.conf" --json
	assert_success
	[ "${#lines[@]}" -eq 3 ]
	jq -e --arg s "$serial" --arg id "$FWD_ID" '
		.zone == "mirror.test." and .hosted_zone == $id and .result == "changed"
		and .status == 0 and (.last_run | type) == "number"
		and .last_success == .last_run and .last_change == .last_run
		and .since_success >= 0 and .serial == ($s | tonumber)
		and .route53_serial == ($s | tonumber) and .skipped == 0
		and .last_error == null' <<<"${lines[0]}"
	jq -e '.result == "failed-zxfr" and .status == 5 and .last_success == null
		and .since_success == null and (.last_error | startswith("zxfr: "))
		and .last_error_time == .last_run' <<<"${lines[1]}"
	jq -e '.result == "never-run" and .last_run == null and .status == null' <<<"${lines[2]}"
	# An error text with quotes, backslashes and a tab survives both ways.
	local f err
	f=$(kv "$down" folder)/status
	err='zxfr: "a\b"	c \'
	sed -i "s/^last_error=.*/last_error=$(sed 's/[\\&/]/\\&/g' <<<"$err")/" "$f"
	grep -qxF "last_error=$err" "$f"
	run mirror --status "$T/zones.conf" --json down.test
	assert_success
	jq -e --arg e "$err" '.zone == "down.test." and .last_error == $e' <<<"$output"
	run mirror --status "$T/zones.conf" down.test
	assert_success
	[[ $output == "zone=down.test. "*' last-error="zxfr: \"a\\b\" c \\"' ]]
	run mirror --status "$T/zones.conf" nosuch.test
	assert_failure 3
}

@test "status: --json prints each summary as one JSON object, the line's facts" {
	start_zone
	run --separate-stderr mirror_fwd --json
	assert_success
	[ "${#lines[@]}" -eq 1 ]
	local line
	line=$(tail -n 1 "$(mirror_zone_dir "$FWD_ID")/history.log" | cut -d' ' -f2-)
	# Every key=value of the line is in the object, as a number where it
	# is one ("OLD->NEW" split, "-" and "unchecked" null, "60s" 60).
	python3 - "$line" "$output" <<'PY'
import json, re, sys
line, obj = sys.argv[1], json.loads(sys.argv[2])
assert isinstance(obj, dict)
want = {}
for kv in line.split(" "):
    k, v = kv.split("=", 1)
    k = k.replace("-", "_")
    if k == "route53_serial" and "->" in v:
        v, after = v.split("->")
        want["route53_serial_after"] = int(after)
    if k == "since_success":
        v = None if v == "never" else int(v[:-1])
    elif v in ("-", "unchecked"):
        v = None
    elif re.fullmatch(r"[0-9]+", v):
        v = int(v)
    elif re.fullmatch(r"[0-9]+\.[0-9]+", v):
        v = float(v)
    want[k] = v
assert obj == want, (obj, want)
assert obj["result"] == "changed" and obj["route53_serial_after"] > 0, obj
PY
	# The probe's summary, and a failure's, are objects too.
	run mirror_fwd --json
	assert_success
	jq -e '.result == "unchanged" and .check == "probe" and .drift == null' <<<"$output"
	run --separate-stderr mirror --json -p "$(mirror_closed_port)" down.test 127.0.0.1 Z0DOWN000000001
	assert_failure 5
	jq -e '.result == "failed-zxfr" and .status == 5 and .serial == null' <<<"$output"
}

# prom_parse FILE: FILE read by a strict parser of the Prometheus text
# exposition format 0.0.4: every line a HELP, a TYPE or a sample; names
# and label names as the format allows, label values escaped (\\ \" \n
# only), one HELP and one TYPE per family, before its samples, a
# family's samples together, no series twice, values floats (counters
# not negative), a final newline.  Prints the samples as JSON lines
# {"name", "labels", "value", "type"} for jq.
prom_parse() {
	python3 - "$1" <<'PY'
import json, math, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
assert text.endswith("\n"), "no final newline"
NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LNAME = r"[a-zA-Z_][a-zA-Z0-9_]*"
LVAL = r'"(?:[^"\\\n]|\\\\|\\"|\\n)*"'
SAMPLE = re.compile(rf"({NAME})(?:\{{((?:{LNAME}={LVAL})(?:,{LNAME}={LVAL})*)?\}})? (\S+)(?: (-?[0-9]+))?")
help_, type_, done, seen, out = {}, {}, set(), set(), []
current = None
def family(name):
    global current
    if name != current:
        assert name not in done, f"family {name} not together"
        if current is not None:
            done.add(current)
        current = name
for n, line in enumerate(text[:-1].split("\n"), 1):
    where = f"line {n}: {line!r}"
    if line.startswith("#"):
        m = re.fullmatch(rf"# (HELP|TYPE) ({NAME}) (.*)", line)
        assert m, where
        kind, name, rest = m.groups()
        family(name)
        if kind == "HELP":
            assert name not in help_, "second HELP " + where
            assert re.fullmatch(r"(?:[^\\\n]|\\\\|\\n)*", rest), where
            help_[name] = rest
        else:
            assert name not in type_, "second TYPE " + where
            assert not any(o["name"] == name for o in out), "TYPE after samples " + where
            assert rest in ("counter", "gauge", "histogram", "summary", "untyped"), where
            type_[name] = rest
        continue
    m = SAMPLE.fullmatch(line)
    assert m, "not a sample " + where
    name, labels, value, _ = m.groups()
    family(name)
    pairs = re.findall(rf"({LNAME})=({LVAL})", labels or "")
    names = [k for k, _ in pairs]
    assert len(set(names)) == len(names), "label twice " + where
    assert not any(k.startswith("__") for k in names), where
    lab = {k: re.sub(r'\\(.)', lambda e: {"n": "\n"}.get(e.group(1), e.group(1)), v[1:-1])
           for k, v in pairs}
    v = float(value)
    key = (name, tuple(sorted(lab.items())))
    assert key not in seen, "series twice " + where
    seen.add(key)
    t = type_.get(name, "untyped")
    if t == "counter":
        assert name.endswith("_total") and v >= 0 and not math.isnan(v), where
    out.append({"name": name, "labels": lab, "value": v, "type": t})
for o in out:
    print(json.dumps(o))
PY
}

# metric SAMPLES NAME ZONE: the value of NAME for ZONE ("" when absent).
metric() {
	jq -r --arg n "$2" --arg z "$3" 'select(.name == $n and .labels.zone == $z) | .value' <<<"$1"
}

@test "status: --metrics-file writes every zone's metrics, Prometheus text format, renamed into place" {
	start_zone
	fleet_conf
	mkdir "$T/prom"
	run mirror --all "$T/zones.conf" --metrics-file "$T/prom/r53mirror.prom" "$FWD" down.test
	assert_failure 5
	[ -s "$T/prom/r53mirror.prom" ]
	# written beside it and renamed: nothing else left in the folder
	[ "$(find "$T/prom" -mindepth 1 | wc -l)" -eq 1 ]
	cat "$T/prom/r53mirror.prom"
	local s status serial
	s=$(prom_parse "$T/prom/r53mirror.prom")
	serial=$(server_serial "$FWD")
	status=$(mirror --status "$T/zones.conf" --json "$FWD")
	# the same facts as --status, per zone, labelled zone and hosted_zone
	[ "$(jq -r --arg z "$FWD." 'select(.name == "r53mirror_source_serial" and .labels.zone == $z) | .labels.hosted_zone' <<<"$s")" = "$FWD_ID" ]
	[ "$(metric "$s" r53mirror_source_serial "$FWD.")" = "$serial" ]
	[ "$(metric "$s" r53mirror_route53_serial "$FWD.")" = "$serial" ]
	[ "$(metric "$s" r53mirror_last_run_timestamp_seconds "$FWD.")" = "$(jq .last_run <<<"$status")" ]
	[ "$(metric "$s" r53mirror_last_success_timestamp_seconds "$FWD.")" = "$(jq .last_success <<<"$status")" ]
	[ "$(metric "$s" r53mirror_last_change_timestamp_seconds "$FWD.")" = "$(jq .last_change <<<"$status")" ]
	[ "$(metric "$s" r53mirror_skipped_rrsets "$FWD.")" = 0 ]
	[ "$(metric "$s" r53mirror_last_run_status "$FWD.")" = 0 ]
	[ "$(metric "$s" r53mirror_requests_total "$FWD.")" = "$(jq .requests <<<"$status")" ]
	[ "$(metric "$s" r53mirror_runs_total "$FWD.")" = 1 ]
	[ "$(jq -r --arg z "$FWD." 'select(.name == "r53mirror_run_result" and .labels.zone == $z) | "\(.labels.result) \(.value)"' <<<"$s")" = "changed 1" ]
	# the failed zone: its status and error time, no success, no serial
	[ "$(metric "$s" r53mirror_last_run_status down.test.)" = 5 ]
	[ "$(metric "$s" r53mirror_failed_runs_total down.test.)" = 1 ]
	[ -n "$(metric "$s" r53mirror_last_error_timestamp_seconds down.test.)" ]
	[ -z "$(metric "$s" r53mirror_last_success_timestamp_seconds down.test.)" ]
	[ -z "$(metric "$s" r53mirror_source_serial down.test.)" ]
	# the zone never run: only its result
	[ "$(jq -r 'select(.labels.zone == "never.test.") | "\(.name) \(.labels.result) \(.labels.hosted_zone)"' <<<"$s")" = "r53mirror_run_result never-run public" ]
	# every family the manual names, and no other
	diff <(jq -r .name <<<"$s" | sort -u) \
		<(grep -o 'r53mirror_[a-z0-9_]*' "$TOP_DIR/man/mirror.sh.8" | sort -u)
	# the types the manual gives
	[ "$(jq -r 'select(.name == "r53mirror_requests_total") | .type' <<<"$s" | sort -u)" = counter ]
	[ "$(jq -r 'select(.name == "r53mirror_source_serial") | .type' <<<"$s" | sort -u)" = gauge ]
	# --status writes the same file; promtool agrees where it is installed
	server_stop
	emu_stop
	run mirror --status "$T/zones.conf" --metrics-file "$T/prom/again.prom"
	assert_success
	prom_parse "$T/prom/again.prom" >/dev/null
	if command -v promtool >/dev/null; then
		promtool check metrics <"$T/prom/again.prom"
	fi
	# a folder that cannot be written: said, exit 2, nothing left
	run mirror --status "$T/zones.conf" --metrics-file "$T/nosuch/r.prom"
	assert_failure 2
	assert_output --partial "cannot write $T/nosuch/r.prom"
	run mirror --metrics-file "$T/r.prom" -p 53 "$FWD" 127.0.0.1 "$FWD_ID"
	assert_failure 3
}

@test "status: the strict parser refuses what the format does not allow" {
	# (a test of the test: each of these breaks one rule)
	local bad
	while IFS= read -r bad; do
		printf '%b' "$bad" >"$T/bad.prom"
		run prom_parse "$T/bad.prom"
		[ "$status" -ne 0 ] || { echo "accepted: $bad"; false; }
	done <<'EOF2'
# TYPE a gauge\na{zone="x"} 1
# TYPE a gauge\n# TYPE a gauge\na 1\n
# TYPE a gauge\na{zone="x} 1\n
# TYPE a gauge\na{zone="x\\q"} 1\n
# TYPE a gauge\na{zone="x"} one\n
# TYPE a gauge\na{zone="x"} 1\na{zone="x"} 2\n
# TYPE a gauge\na 1\nb 1\na{z="2"} 1\n
# TYPE a_total counter\na_total -1\n
a 1\n# TYPE a gauge\n
# TYPE 1a gauge\n1a 1\n
# TYPE a gauge\na{__x="1"} 1\n
EOF2
	printf '# HELP a x\\ny\n# TYPE a gauge\na{zone="q\\"\\\\\\n"} 1.5\n' >"$T/good.prom"
	run prom_parse "$T/good.prom"
	assert_success
	[ "$(jq -r '.labels.zone' <<<"$output")" = "$(printf 'q"\\\n')" ]
}
