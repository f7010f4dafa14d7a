# stream.bash: helpers for tests/10-stream.bats and tests/11-rrdiff.bats
# (the RRset and change stream library and rrdiff).
# status, output and stderr are set by bats' run.
# shellcheck disable=SC2154

# expected_line TABLE NAME: the expected stderr line for NAME in TABLE
# ("NAME TAB message" per line).  Fails if there is none, so a missing
# golden line cannot pass.
expected_line() {
	local e
	e=$(awk -F'\t' -v n="$2" '$1 == n { print $2 }' "$1")
	[ -n "$e" ] || { echo "no expected line for $2 in $1" >&2; return 1; }
	printf '%s\n' "$e"
}

# reject KIND NAME: the reader must refuse tests/fixtures/stream/bad/NAME
# (KIND rrset) or badchange/NAME (KIND change) with exit 2, the exact
# golden message on stderr and nothing on stdout but the partial header.
reject() {
	local kind=$1 name=$2 dir file cmd exp
	if [ "$kind" = rrset ]; then
		dir=bad file=$name.rrset cmd=cat
	else
		dir=badchange file=$name.changes cmd=catchange
	fi
	exp=$(expected_line "$FIXTURES/stream/$dir.expected" "$name") || return 1
	cd "$FIXTURES/stream/$dir" || return 1
	run --separate-stderr stream_test "$cmd" "$file"
	assert_equal "$status" 2
	assert_equal "$stderr" "$exp"
	# the writer was aborted: no trailer reached stdout
	refute_output --partial '#end'
}

# keys_sorted FILE: record lines sorted and keys unique, with standard
# tools (SPEC 2.2); change lines without their kind prefix.
keys_sorted() {
	grep -v '^#' "$1" | sed 's/^[-+<>]\t//' | LC_ALL=C sort -c -s -t "$(printf "\t")" -k1,2 || return 1
}

# rrdiff_case NAME: run rrdiff with tests/fixtures/rrdiff/NAME/args on
# its desired.rrset and current.rrset; stdout, stderr and the exit status
# must equal expected.out, expected.err and expected.rc (the producer
# version is masked).  A complete output must also read back as a change
# stream and be in key order.
rrdiff_case() {
	local d="$FIXTURES/rrdiff/$1" args
	[ -s "$d/expected.out" ] || { echo "no golden output for $1" >&2; return 1; }
	read -r -a args <"$d/args" || true
	cd "$d" || return 1
	run --separate-stderr rrdiff "${args[@]}" desired.rrset current.rrset
	assert_equal "$status" "$(cat expected.rc)"
	diff -u <(sed 's/^#producer rrdiff .*/#producer rrdiff V/' expected.out) \
	    <(printf '%s\n' "$output" | sed 's/^#producer rrdiff .*/#producer rrdiff V/')
	diff -u expected.err <(printf '%s' "$stderr"; [ -z "$stderr" ] || echo)
	printf '%s\n' "$output" >"$T/changes"
	stream_test catchange "$T/changes" | cmp - "$T/changes"
	keys_sorted "$T/changes"
}
