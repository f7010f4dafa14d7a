#!/usr/bin/env bats
# r53dump's value conversion (canon_from_r53value) parses each stored value
# once, most of them without ldns_rr_new_frm_str (canon.c, "text fast
# path"): its output must stay byte for byte what it was, for many values
# per RRset, long TXT values of many strings, escapes, odd spacing and
# values that cannot be converted.

load test_helper

DT="$FIXTURES/r53dump/dumptool.py"
GEN="$FIXTURES/r53dump/genvalues.py"

setup() {
	emu_start
	export R53M_RATE=0 R53M_RATE_FILE="$T/rate"
}

teardown() {
	emu_stop
}

# load_values SEED: a zone v.example. holding genvalues.py SEED; sets ID.
load_values() {
	ID=$(emu_create_zone v.example)
	python3 "$GEN" "$1" v.example >"$T/values.json"
	python3 "$DT" post "$EMU_URL" "$ID" "$T/values.json"
}

# dump_to FILE [ENV...]: r53dump of zone ID into FILE; fails the test on
# an exit status other than 0 or a sanitizer report.
dump_to() {
	local out=$1
	shift
	env "$@" r53dump --endpoint-url "$EMU_URL" --zone-id "$ID" \
		>"$out" 2>"$out.err" || { cat "$out.err"; return 1; }
	no_sanitizer_report "$out.err"
}

@test "r53dump: many and long values give the same stream as before parse-once" {
	load_values 1
	dump_to "$T/dump"
	# sha256 of the stream r53dump wrote for genvalues.py 1 before values
	# were parsed once (commit f3ff25c, every value through
	# ldns_rr_new_frm_str and back through canon_verify), without what
	# changes from one emulator to the next (zone id, port, apex NS).
	grep -v -e '^#zone-id ' -e '^#source ' -e $'^v\\.example\\.\tNS\t' \
		"$T/dump" >"$T/stable"
	sha256sum "$T/stable"
	[ "$(sha256sum <"$T/stable" | cut -d' ' -f1)" = \
		f4f1dc4bb05d11bb60b702f65fcb1a4ddb47999e780e85f13c2fb6ca1940f707 ]
	[ "$(tail -n 1 "$T/dump")" = "#end rrsets=306" ]
	# the 200 values of one RRset, and a 3.7 KB TXT value, survive whole
	[ "$(grep -c $'^ns\.v\.example\.\tA\t300\t' "$T/dump")" -eq 1 ]
	[ "$(grep $'^ns\.v\.example\.\tA\t' "$T/dump" | tr '\t' '\n' |
		grep -c '^192\.0\.2\.')" -eq 200 ]
	grep $'^long\.v\.example\.\tTXT\t' "$T/dump" | tr '\t' '\n' >"$T/long"
	[ "$(grep -c '^"a\{250\}" "b\{250\}" .* "o\{250\}" "[0-9]*"$' \
		"$T/long")" -eq 40 ]
	# the two values that cannot be converted are reported, not fatal
	[ "$(grep -c 'written without RDATA' "$T/dump.err")" -eq 2 ]
}

@test "r53dump: the text fast path writes what ldns_rr_new_frm_str gives" {
	local seed=$((RANDOM * 32768 + RANDOM))
	echo "genvalues.py seed $seed"
	load_values "$seed"
	dump_to "$T/fast"
	dump_to "$T/slow" R53M_CANON_SLOW=1
	[ "$(wc -l <"$T/fast")" -gt 300 ]
	diff "$T/slow" "$T/fast"
}
