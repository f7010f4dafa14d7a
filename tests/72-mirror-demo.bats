#!/usr/bin/env bats
# 72-mirror-demo.bats: `make demo` (scripts/demo.sh), the README's first
# command, end to end with the commands already built: every step
# succeeds, the runs say what the README says, and nothing it started is
# left behind.

load test_helper

# demo_norm: the parts of a summary line that differ from run to run:
# ids, times, and the request count of the two parallel runs that apply
# (throttling retries, under the account's 5 requests/s, vary).
demo_norm() {
	sed -E -e 's/hosted-zone=([^ ]*\/)?Z[A-Z0-9]+/hosted-zone=\1ZID/' \
		-e 's/seconds=[0-9.]+/seconds=S/' -e 's/since-success=[0-9]+s/since-success=Ns/' \
		-e 's/(check=(full:[^ ]*|incremental) .*) requests=[0-9]+/\1 requests=N/'
}

@test "make demo runs the demo without a wall of compiler lines first" {
	cd "$TOP_DIR"
	run make --no-print-directory -n demo
	assert_success
	assert_output "bash scripts/demo.sh"
}

@test "demo: scripts/demo.sh mirrors, edits, shows the change stream, probes, and cleans up" {
	export TMPDIR="$T/tmp"
	mkdir -p "$TMPDIR"
	run env R53M_BUILD="$R53M_BUILD" timeout 300 bash "$TOP_DIR/scripts/demo.sh"
	assert_success
	refute_output --partial "No such file"
	# The README's sample lines are lines of this run (ids and times apart).
	printf '%s\n' "$output" | demo_norm >"$T/run.norm"
	sed -n '/^## The demo/,/^## Installing/p' "$TOP_DIR/README.md" |
		sed -n 's/^   \(zone=.*\|#end .*\|[-<>+]	.*\)$/\1/p' | demo_norm >"$T/readme.norm"
	[ "$(wc -l <"$T/readme.norm")" -ge 7 ]
	while IFS= read -r l; do
		grep -qxF -- "$l" "$T/run.norm" || { echo "README line not in the demo's output: $l" >&2; return 1; }
	done <"$T/readme.norm"
	# First run: both zones created from nothing.
	assert_output --regexp 'zone=corp.example. hosted-zone=Z[A-Z0-9]+ result=changed status=0 check=full:new-state'
	assert_output --regexp 'zone=2.0.192.in-addr.arpa. hosted-zone=private:vpc-0demo1234/Z[A-Z0-9]+ result=changed status=0'
	# The aws CLI shows the mirrored records.
	assert_output --regexp 'printer.corp.example.[[:space:]]+A[[:space:]]+3600[[:space:]]+192.0.2.131'
	assert_output --regexp '131.2.0.192.in-addr.arpa.[[:space:]]+PTR'
	# Second run: the edit, as a change stream.
	assert_output --partial "changes=3 adds=1 deletes=1 updates=1"
	assert_line "-	intranet.corp.example.	CNAME	3600	www.corp.example."
	assert_line ">	printer.corp.example.	A	3600	192.0.2.132"
	assert_line "+	wiki.corp.example.	A	3600	192.0.2.90"
	assert_line "+	90.2.0.192.in-addr.arpa.	PTR	3600	wiki.corp.example."
	# Third run: nothing changed, one request per zone.
	[ "$(printf '%s\n' "$output" | grep -c 'result=unchanged status=0 check=probe .* requests=1 dns-queries=1 ')" -eq 2 ]
	assert_output --partial '"ListResourceRecordSets":2,"_total":2'
	assert_output --partial '"arn:aws:route53:::change/*"'
	# Nothing left: no folder, no process.
	run find "$TMPDIR" -mindepth 1 -maxdepth 1
	assert_output ""
	run pgrep -f "$TMPDIR"
	assert_failure 1
}
