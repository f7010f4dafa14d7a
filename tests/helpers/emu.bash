# emu.bash: start and drive the Route 53 emulator (tests/r53emu/r53emu.py)
# from bats tests.  Loaded by test_helper.bash for every test.
#
# Stable interface (other topics' tests use it):
#   emu_start [ARGS...]  start r53emu on 127.0.0.1 port 0 with --state
#                        $T/r53emu-state.json (--quiet unless EMU_VERBOSE=1)
#                        plus ARGS (e.g. --pending-seconds 2 --quota 50).
#                        Sets and exports EMU_URL (http://127.0.0.1:PORT),
#                        EMU_PID, EMU_STATE, EMU_LOG ($T/r53emu.log: stderr),
#                        AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (the emulator
#                        key pair AKIDEXAMPLE / wJalrXUtnFEMI/...), unsets
#                        AWS_SESSION_TOKEN/AWS_PROFILE, sets
#                        AWS_DEFAULT_REGION=us-east-1,
#                        AWS_ENDPOINT_URL_ROUTE_53=$EMU_URL, and points
#                        AWS_CONFIG_FILE/AWS_SHARED_CREDENTIALS_FILE at
#                        nonexistent files in $T so no real profile is read.
#                        Waits at most 10 s for the URL; fails otherwise.
#                        Under bats it is forked by the file's fork server
#                        (tests/helpers/emufork.py, started by the first
#                        emu_start): the same r53emu.main() without a
#                        python3 start each time.  EMU_FORK=0 starts
#                        python3 -m r53emu itself, as outside bats.
#   emu_stop             stop it, and any other emulator this shell started
#                        (TERM, then KILL after ~3 s); safe to call twice or
#                        without a running emulator.  Call it in teardown().
#                        The emulator also exits by itself when the shell
#                        that started it is gone (--exit-with-pid), so an
#                        interrupted test run leaves nothing behind.
#   emu_restart [ARGS..] stop and start again on the same state file (new
#                        port: EMU_URL changes).
#   emu_create_zone NAME [--private VPC]
#                        create a hosted zone through the admin API (not
#                        counted as a CreateHostedZone call) and print its
#                        bare Id (Z...).
#   emu_counters         print the per-API request counters (JSON).
#   emu_count API        print the count of one API (0 if never called).
#   emu_reset_counters   zero the counters.
#   emu_faults JSON      merge fault settings, e.g.
#                        emu_faults '{"throttle_rate":0.5,"seed":1}'
#                        emu_faults '{"script":["throttle","500","ok"]}'
#                        emu_faults '{"clear":true}'  (all off)
#   emu_quota N [ZONE]   set the RRset quota (default for all zones, or one)
#   emu_rrsets ZONE      print the stored RRsets of ZONE (JSON, list order)
#   emu_admin get|post PATH [JSON]   any other admin call (tests/r53emu/r53emu.py
#                        documents them)
#   EMU_PY, EMU_DIR      the python3 to use (/usr/bin/python3) and
#                        tests/r53emu (emuctl.py, rawreq.py, boto.py live there)
#   emu_change ZONE FILE  send the change batch FILE (JSON, the aws CLI's
#                        --change-batch form) as one ChangeResourceRecordSets
#                        request, SigV4-signed by curl (--aws-sigv4): the
#                        emulator's rules apply as to any client.  Prints the
#                        answer (XML); fails unless HTTP 2xx.  A tenth of the
#                        aws CLI's CPU: use it where the client is not the
#                        thing under test (tests/40-43 keep the aws CLI).
#   awsr53 ARGS...       aws_cli route53 --endpoint-url "$EMU_URL"
#                        --output json ARGS (the Debian aws CLI v2, never
#                        the first aws on PATH; tests/helpers/aws.bash
#                        says how aws_cli runs it)
#
# Every wait is bounded; nothing here reaches beyond 127.0.0.1.

EMU_DIR="${TESTS_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}/r53emu"
EMU_PY=/usr/bin/python3
[ -x "$EMU_PY" ] || EMU_PY=python3
EMU_AK=AKIDEXAMPLE
EMU_SK='wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'

# wait_file FILE [PID [TRIES]]: wait until FILE is not empty, polling
# every 0.05 s at most TRIES times (default 200: 10 s); fail at once when
# process PID (if given) is gone without writing it.
# wait_line FILE [PID [TRIES]]: the same, until FILE's first line is
# whole; REPLY=that line.  The one bounded wait for the port or URL a
# helper's server writes when it is up: a line may arrive in two writes
# (python3's print with PYTHONUNBUFFERED set writes the newline apart),
# and read(1) fails on the half written.
# They live here, not in test_helper.bash: scripts/demo.sh loads this
# file (and servers.bash) alone.
wait_file() { _wait_for size "$@"; }
wait_line() { _wait_for line "$@"; }

_wait_for() {
	local how=$1 i
	shift
	for ((i = 0; i < ${3:-200}; i++)); do
		_wait_ready "$how" "$1" && return 0
		if [ -n "${2:-}" ] && ! kill -0 "$2" 2>/dev/null; then
			_wait_ready "$how" "$1"
			return
		fi
		sleep 0.05
	done
	return 1
}

_wait_ready() {
	case $1 in
	line) IFS= read -r REPLY <"$2" ;;
	*) [ -s "$2" ] ;;
	esac
} 2>/dev/null

# tcp_ask ADDR PORT SECONDS FORMAT [ARGS...]: one request to a loopback
# helper server: printf FORMAT ARGS on a new connection, then REPLY=the
# answer up to its first NUL octet or the end of the stream, waited for
# at most SECONDS.  Fails when the connection is refused (bash says so on
# stderr).  The one client of the emulator's admin API, its fork server
# and the aws CLI daemon: no process is started.
tcp_ask() {
	local fd
	REPLY=
	exec {fd}<>"/dev/tcp/$1/$2" || return 1
	# shellcheck disable=SC2059  # the caller's format
	printf "${@:4}" >&"$fd"
	IFS= read -r -d '' -t "$3" -u "$fd" REPLY || :
	exec {fd}>&-
}

emu_start() {
	local out quiet=--quiet
	[ "${EMU_VERBOSE:-0}" = 1 ] && quiet=
	EMU_STATE="${EMU_STATE:-$T/r53emu-state.json}"
	EMU_LOG="$T/r53emu.log"
	out="$T/r53emu.url.$$.$RANDOM"
	: >"$out"
	# shellcheck disable=SC2086
	set -- --listen 127.0.0.1:0 --exit-with-pid "$BASHPID" \
		--state "$EMU_STATE" $quiet "$@"
	if [ "${EMU_FORK:-1}" = 1 ] && _emu_fork_port &&
		_emu_fork "$REPLY" "$out" "$@"; then
		:
	else
		# As a module (-m), its bytecode cached in the build folder: a
		# script run as a file is compiled at every start (0.07 CPU-s
		# for these 2,200 lines).
		PYTHONPATH="$EMU_DIR" PYTHONDONTWRITEBYTECODE='' \
			PYTHONPYCACHEPREFIX="$R53M_BUILD/pycache" \
			"$EMU_PY" -m r53emu "$@" \
			>"$out" 2>>"$EMU_LOG" 3>&- &
		EMU_PID=$!
	fi
	EMU_PIDS="${EMU_PIDS:-} $EMU_PID"
	EMU_URL=
	[ -n "$EMU_PID" ] && wait_line "$out" "$EMU_PID" && EMU_URL=$REPLY
	rm -f "$out"
	if [ -z "$EMU_URL" ]; then
		echo "emu_start: r53emu did not start:" >&2
		cat "$EMU_LOG" >&2
		emu_stop
		return 1
	fi
	export EMU_URL EMU_PID EMU_STATE EMU_LOG
	export AWS_ACCESS_KEY_ID="$EMU_AK" AWS_SECRET_ACCESS_KEY="$EMU_SK"
	export AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1
	export AWS_ENDPOINT_URL_ROUTE_53="$EMU_URL"
	export AWS_CONFIG_FILE="$T/no-aws-config"
	export AWS_SHARED_CREDENTIALS_FILE="$T/no-aws-credentials"
	export AWS_EC2_METADATA_DISABLED=true AWS_PAGER=
	unset AWS_SESSION_TOKEN AWS_PROFILE
}

# _emu_fork_port: REPLY=the port of this bats file's fork server
# (tests/helpers/emufork.py), started by the file's first emu_start; fails
# outside bats (scripts/demo.sh), where emu_start runs python3 itself.
_emu_fork_port() {
	[ -n "${BATS_FILE_TMPDIR:-}" ] || return 1
	local dir="$BATS_FILE_TMPDIR/emufork"
	if mkdir "$dir" 2>/dev/null; then
		PYTHONPATH="$EMU_DIR" PYTHONDONTWRITEBYTECODE='' \
			PYTHONPYCACHEPREFIX="$R53M_BUILD/pycache" \
			"$EMU_PY" "${EMU_DIR%/*}/helpers/emufork.py" "$dir" \
			</dev/null >"$dir/log" 2>&1 3>&- &
	fi
	wait_line "$dir/port" "" 400 && return
	echo "emu_start: tests/helpers/emufork.py did not start:" >&2
	cat "$dir/log" >&2
	return 1
}

# _emu_fork PORT OUT ARGS...: one emulator forked by the fork server on
# PORT, stdout to OUT, stderr appended to EMU_LOG; EMU_PID=its pid.  Fails
# when the server does not answer (gone after 600 s idle): emu_start then
# starts python3 itself.
_emu_fork() {
	local port=$1 out=$2
	shift 2
	EMU_PID=
	tcp_ask 127.0.0.1 "$port" 30 '%s\0' emufork1 "$PWD" "$out" "$EMU_LOG" \
		"$#" "$@" 2>/dev/null || return 1
	[ "${REPLY:-0}" -gt 0 ] 2>/dev/null && EMU_PID=$REPLY
}

emu_stop() {
	local i p
	# Every emulator this shell started (emu_start twice without a stop
	# must not leak the first one).
	for p in ${EMU_PIDS:-} ${EMU_PID:-}; do
		kill "$p" 2>/dev/null || continue
		for ((i = 0; i < 60; i++)); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.05
		done
		# Only if still there: a forked emulator is reaped by the fork
		# server the moment it exits, and its pid is free again.
		[ "$i" -lt 60 ] || kill -9 "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	EMU_PID=
	EMU_PIDS=
}

emu_restart() {
	emu_stop
	emu_start "$@"
}

# emu_admin get|post|count ...: emuctl.py's calls (same output, same exit
# status: 0 on HTTP 2xx, else 1) made by bash itself over /dev/tcp,
# because the suite makes thousands of them: a python3 start each was,
# after the aws CLI, its largest CPU cost, and curl's start with its
# libraries was still the next.  emuctl.py stays for "wait" and for tests.
emu_admin() {
	local cmd="$1" path="${2:-}" data="${3:-"{}"}"
	case $cmd in
	get) _emu_http GET "/_emu/${path#/}" ;;
	post) _emu_http POST "/_emu/${path#/}" "$data" ;;
	count) _emu_http GET "/_emu/counters/$path" && REPLY=${REPLY%$'\n'} ;;
	*) "$EMU_PY" "$EMU_DIR/emuctl.py" "$EMU_URL" "$@"; return ;;
	esac
	local rc=$?
	printf '%s\n' "$REPLY"
	return "$rc"
}

# _emu_http METHOD PATH [BODY]: one HTTP/1.0 request to the emulator at
# EMU_URL; REPLY=the answer's body.  Status 0 on HTTP 2xx, 1 otherwise
# (the reason on stderr when there is no answer).  Bounded: 10 s.
_emu_http() {
	local LC_ALL=C hp=${EMU_URL#http://} code
	hp=${hp%%/*}
	# The answer ends at end of stream (HTTP/1.0): a JSON body has no NUL.
	tcp_ask "${hp%:*}" "${hp##*:}" 10 '%s %s HTTP/1.0\r\nHost: %s\r\n%s\r\n%s' \
		"$1" "$2" "$hp" \
		"${3+Content-Type: application/json$'\r\n'Content-Length: ${#3}$'\r\n'}" \
		"${3-}" || return 1
	if [[ $REPLY != HTTP/1.?\ [0-9][0-9][0-9]* ]]; then
		echo "emu_admin: no answer from $EMU_URL to $1 $2" >&2
		REPLY=
		return 1
	fi
	code=${REPLY:9:3}
	REPLY=${REPLY#*$'\r\n\r\n'}
	[ "${code:0:1}" = 2 ]
}

emu_create_zone() {
	local name="$1" json
	shift
	if [ "${1:-}" = --private ]; then
		printf -v json '{"name":"%s","private":true,"vpc":"%s"}' \
			"$name" "${2:?emu_create_zone: --private needs a VPC id}"
	else
		printf -v json '{"name":"%s"}' "$name"
	fi
	emu_admin post zones "$json" >/dev/null || return
	[[ $REPLY =~ \"id\":\ \"([^\"]+)\" ]] || return 1
	printf '%s\n' "${BASH_REMATCH[1]}"
}

emu_counters() {
	emu_admin get counters
}

emu_count() {
	emu_admin count "$1"
}

emu_reset_counters() {
	emu_admin post reset-counters >/dev/null
}

emu_faults() {
	emu_admin post faults "$1" >/dev/null
}

emu_quota() {
	if [ -n "${2:-}" ]; then
		emu_admin post quota "{\"limit\":$1,\"zone\":\"$2\"}" >/dev/null
	else
		emu_admin post quota "{\"limit\":$1}" >/dev/null
	fi
}

emu_rrsets() {
	emu_admin get "zones/$1/rrsets"
}

# The aws CLI's JSON change batch as Route 53's XML body: elements in the
# XSD's order (the emulator checks it), values XML-escaped.
# shellcheck disable=SC2016  # jq code, not shell
EMU_BATCH_JQ='
def order: {
  "ChangeBatch": ["Comment", "Changes"],
  "Change": ["Action", "ResourceRecordSet"],
  "ResourceRecordSet": ["Name", "Type", "SetIdentifier", "Weight", "Region",
    "GeoLocation", "Failover", "MultiValueAnswer", "TTL", "ResourceRecords",
    "AliasTarget", "HealthCheckId", "TrafficPolicyInstanceId",
    "CidrRoutingConfig", "GeoProximityLocation"],
  "AliasTarget": ["HostedZoneId", "DNSName", "EvaluateTargetHealth"],
  "GeoLocation": ["ContinentCode", "CountryCode", "SubdivisionCode"],
  "CidrRoutingConfig": ["CollectionId", "LocationName"],
  "GeoProximityLocation": ["AWSRegion", "LocalZoneGroup", "Coordinates",
    "Bias"],
  "Coordinates": ["Latitude", "Longitude"]};
def item: {"Changes": "Change", "ResourceRecords": "ResourceRecord"};
def x($n):
  if type == "object" then
    "<\($n)>" + ([(order[$n] // keys_unsorted)[] as $k | select(has($k))
                  | .[$k] | x($k)] | join("")) + "</\($n)>"
  elif type == "array" then
    "<\($n)>" + ([.[] | x(item[$n])] | join("")) + "</\($n)>"
  else "<\($n)>\(tostring | @html)</\($n)>" end;
"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
+ "<ChangeResourceRecordSetsRequest xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\">"
+ x("ChangeBatch") + "</ChangeResourceRecordSetsRequest>"'

emu_change() {
	local zid="${1#/hostedzone/}" file="$2" out code
	out=$(jq -r "$EMU_BATCH_JQ" "$file" |
		curl -sS -m 30 -w '\n%{http_code}' \
			--aws-sigv4 "aws:amz:${AWS_DEFAULT_REGION:-us-east-1}:route53" \
			-K <(printf 'user = "%s:%s"\n' "$AWS_ACCESS_KEY_ID" \
				"$AWS_SECRET_ACCESS_KEY") \
			-H 'Content-Type: text/xml' --data-binary @- \
			"$EMU_URL/2013-04-01/hostedzone/$zid/rrset/")
	code=${out##*$'\n'}
	printf '%s\n' "${out%$'\n'*}"
	[ "${code:0:1}" = 2 ]
}

awsr53() {
	aws_cli route53 --endpoint-url "$EMU_URL" --output json "$@"
}
