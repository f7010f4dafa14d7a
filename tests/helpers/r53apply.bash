# r53apply.bash: helpers for the r53apply tests (tests/6x-*.bats).
#
#   r53a_stream OUT ZONE_ID [ORIGIN] < change-lines
#       Writes a change stream (format/SPEC.md section 5) to OUT: header,
#       the change lines from stdin sorted into key order (an update's
#       "<" line stays before its ">" line), and a trailer with the right
#       counts.  Environment: R53A_CUR_RRSETS (current-rrsets, default
#       100), R53A_SERIAL (desired-serial, default 2024052002; empty: no
#       serial header), R53A_EXTRA_HEADER (more header lines, verbatim).
#   r53a_adds N PREFIX [TYPE] [RDATA-FORMAT]
#       N "+" lines PREFIX00001.example.com. .. (printf RDATA-FORMAT with
#       the index; default A 10.x.y.z).
#   r53a_txt_value LEN   a canonical TXT RDATA of exactly LEN characters
#       (strings of at most 255 octets, quoted, space separated).
#   r53a_jq FILE JQ-EXPR   print what JQ-EXPR gives for the JSON document in
#       FILE: one value a line, strings raw, other values as compact JSON.
#   apply_ok ZID STREAM [options]   r53apply --zone-id ZID must exit 0
#       (bats run: $output and $status are set, the output is echoed).
#   r53a_mark ZONE_ID   the zone's ownership tag r53mirror:origin (empty
#       when unmarked), read through the emulator's admin API.

r53a_stream() {
	local out="$1" zid="$2" origin="${3:-example.com.}"
	local body adds dels upds n
	body="$(mktemp)"
	LC_ALL=C sort -s -t "$(printf '\t')" -k2,3 >"$body"
	adds=$(grep -c '^+' "$body" || true)
	dels=$(grep -c '^-' "$body" || true)
	upds=$(grep -c '^<' "$body" || true)
	n=$((adds + dels + upds))
	{
		printf '#!r53mirror-change 1\n#origin %s\n#producer rrdiff 0.1.0\n' "$origin"
		printf '#desired-producer zxfr 0.1.0\n'
		if [ -n "${R53A_SERIAL-2024052002}" ]; then
			printf '#desired-serial %s\n' "${R53A_SERIAL-2024052002}"
		fi
		printf '#current-producer r53dump 0.1.0\n'
		if [ -n "$zid" ]; then
			printf '#current-zone-id %s\n' "$zid"
		fi
		if [ -n "${R53A_EXTRA_HEADER:-}" ]; then
			printf '%s\n' "$R53A_EXTRA_HEADER"
		fi
		cat "$body"
		printf '#end changes=%d adds=%d deletes=%d updates=%d desired-rrsets=%d current-rrsets=%d skipped=0\n' \
			"$n" "$adds" "$dels" "$upds" \
			"$(( ${R53A_CUR_RRSETS:-100} + adds - dels ))" \
			"${R53A_CUR_RRSETS:-100}"
	} >"$out"
	rm -f "$body"
}

r53a_adds() {
	local n="$1" prefix="$2" type="${3:-A}" fmt="${4:-}"
	awk -v n="$n" -v p="$prefix" -v t="$type" -v f="$fmt" 'BEGIN {
		for (i = 1; i <= n; i++) {
			if (f == "")
				r = sprintf("10.%d.%d.%d", int(i / 65536) % 256,
				    int(i / 256) % 256, i % 256);
			else
				r = sprintf(f, i);
			printf "+\t%s%05d.example.com.\t%s\t300\t%s\n", p, i, t, r
		}
	}'
}

r53a_txt_value() {
	awk -v len="$1" 'BEGIN {
		# each string: quote + k chars + quote, strings joined by a space
		out = ""; left = len
		while (left > 0) {
			sep = (out == "") ? 0 : 1
			k = left - 2 - sep
			if (k > 255) k = 255
			if (left - sep - 2 - k > 0 && left - sep - 2 - k < 3) k -= 3
			if (k < 0) k = 0
			s = ""
			for (j = 0; j < k; j++) s = s "x"
			out = out (sep ? " " : "") "\"" s "\""
			left = len - length(out)
		}
		print out
	}'
}

r53a_jq() {
	jq -rc "$2" "$1"
}

# r53a_emu [ARGS]: start the emulator for an r53apply test, with short
# retry backoff and no shared rate limit (the emulator does not limit
# unless told to).  The test's teardown must call emu_stop.
r53a_emu() {
	export R53M_RETRY_BASE_MS=5 R53M_RATE=0 R53M_RATE_FILE="$T/ratelimit"
	emu_start "$@"
}

# r53a_list ZONE_ID: the zone as "NAME TYPE[/SETID] TTL VALUE|VALUE..."
# lines (values sorted; alias records "alias DNSNAME").  Read from the
# emulator's own store (GET /_emu/zones/ID/rrsets, in listing order): what
# ListResourceRecordSets would answer, since the emulator writes stored
# RRsets out verbatim (tests/40 proves that listing with the aws CLI).
# curl and jq instead of an aws CLI call per check: the CLI's start-up
# was the largest CPU cost of the whole suite (about 1.4 s a call).
r53a_list() {
	curl -sSf "$EMU_URL/_emu/zones/${1#/hostedzone/}/rrsets" | jq -r '
	    .[] | (.Type + if .SetIdentifier then "/" + .SetIdentifier
	                   else "" end) as $t
	    | if .AliasTarget then "\(.Name) \($t) alias \(.AliasTarget.DNSName)"
	      else "\(.Name) \($t) \(.TTL // "None") \(.ResourceRecords // []
	            | sort | join("|"))" end'
}

# r53a_serial ZONE_ID: the serial of the zone's SOA.
r53a_serial() {
	r53a_list "$1" | awk '$2 == "SOA" { split($0, f, " "); print f[6] }'
}

# r53a_batch_file FILE ACTION NAME TYPE TTL VALUE...: a change batch (the
# aws CLI's --change-batch JSON) for emu_change or the aws CLI.
r53a_batch_file() {
	local f="$1" action="$2" name="$3" type="$4" ttl="$5"
	shift 5
	jq -n --arg a "$action" --arg n "$name" --arg t "$type" \
		--argjson ttl "$ttl" '{Changes: [{Action: $a, ResourceRecordSet:
		    {Name: $n, Type: $t, TTL: $ttl,
		     ResourceRecords: [$ARGS.positional[] | {Value: .}]}}]}' \
		--args "$@" >"$f"
}

# r53a_aws_create ZONE_ID NAME TYPE TTL VALUE...: create one RRset through
# the API (a signed ChangeResourceRecordSets, emu_change), as a person
# would with the aws CLI: text kept exactly as given.
r53a_aws_create() {
	local zid="$1"
	shift
	r53a_batch_file "$T/awsbatch.json" CREATE "$@"
	emu_change "$zid" "$T/awsbatch.json" >/dev/null
}

# r53a_count API: the emulator's counter for API (0 when never called).
r53a_count() {
	emu_count "$1"
}

# r53a_desired OUT [ORIGIN] < rrset-lines: an RRset stream (as zxfr would
# write it) from RRset lines (sorted here), with #serial R53A_SERIAL.
r53a_desired() {
	local out="$1" origin="${2:-example.com.}" body n
	body="$(mktemp)"
	LC_ALL=C sort -t "$(printf '\t')" -k1,2 >"$body"
	n=$(wc -l <"$body")
	{
		printf '#!r53mirror-rrset 1\n#origin %s\n' "$origin"
		printf '#serial %s\n#producer zxfr 0.1.0\n' "${R53A_SERIAL:-2024052002}"
		cat "$body"
		printf '#end rrsets=%d\n' "$n"
	} >"$out"
	rm -f "$body"
}

# r53a_pipeline ZONE_ID DESIRED [r53apply options]: r53dump | rrdiff |
# r53apply, as scripts/mirror.sh runs them; sets $output/$status of the
# r53apply step (bats run) and leaves the change stream in $T/pipe.change.
r53a_pipeline() {
	local zid="$1" des="$2"
	shift 2
	local rc=0
	r53dump --zone-id "$zid" -o "$T/pipe.cur" || return 1
	rrdiff -o "$T/pipe.change" "$des" "$T/pipe.cur" 2>"$T/pipe.err" || rc=$?
	cat "$T/pipe.err" >&2	# rrdiff's warnings, kept in $T/pipe.err
	case $rc in 0|1) ;; *) return 1 ;; esac
	run r53apply --zone-id "$zid" "$@" "$T/pipe.change"
}

# r53a_converged ZONE_ID DESIRED: r53dump then rrdiff shows no difference.
r53a_converged() {
	r53dump --zone-id "$1" -o "$T/conv.cur" || return 1
	rrdiff -o "$T/conv.change" "$2" "$T/conv.cur" || {
		cat "$T/conv.change" >&2
		return 1
	}
}

# r53a_mark ZONE_ID: the value of the zone's ownership tag r53mirror:origin
# (nothing when it has none), from the emulator's admin listing (no API
# request counted).
r53a_mark() {
	emu_admin get zones | jq -r --arg id "$1" \
		'.[] | select(.id == $id) | .tags["r53mirror:origin"] // empty'
}

apply_ok() {
	local zid="$1" s="$2"
	shift 2
	run r53apply --zone-id "$zid" "$@" "$s"
	# shellcheck disable=SC2154  # output is set by bats' run
	echo "$output"
	assert_success
}
