#!/usr/bin/env bats
# r53apply's batch packing at scale: pk_pack finds each item's request in
# a tree (cmd/r53apply/plan.c, pk_tree) instead of scanning every request;
# the bins must be the scan's, and a large plan must still need exactly
# the lower bound of requests.  No timing here (bench/r53apply.sh).

load test_helper

# changes N: a change stream of N changes (60 % adds, 20 % deletes, 20 %
# updates of A, AAAA, TXT and MX RRsets), the one bench/r53apply.sh plans.
changes() {
	bash "$TOP_DIR/bench/gen-changes.sh" main "$1" ZBENCH >"$T/big.change"
}

@test "pack: the tree gives every item the bin the scan gives" {
	local seed=$((RANDOM * 32768 + RANDOM))
	echo "seed $seed"
	run r53apply_pack_test "$seed"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"200 inputs, 0 differ"* ]]
}

@test "plan: 100,000 changes take exactly the lower bound of requests" {
	changes 100000
	r53apply --dry-run --json --offline --zone-id ZBENCH --force \
		"$T/big.change" >"$T/plan.json"
	python3 - "$T/plan.json" <<-'PYEOF'
	import json, sys
	d = json.load(open(sys.argv[1]))
	print(d["changes"], d["requests"], d["lower_bound"],
	      d["resource_records"], d["value_chars"])
	assert d["changes"] == 100000
	assert d["lower_bound"] > 90
	assert d["requests"] == d["lower_bound"], d["requests"]
	PYEOF
}

@test "plan: r53apply holds at most 250 bytes per change (200,000 changes)" {
	[ -z "${R53M_SANITIZE:-}" ] || skip "sanitizer builds use more memory"
	[ -x /usr/bin/time ] || skip "GNU time (package time) not installed"
	# Each change is kept as its stream text plus a few words (input.c);
	# the Route 53 form of a set exists only while its batch is printed
	# or sent.  The build before that held about 600 bytes per change.
	bash "$TOP_DIR/bench/gen-changes.sh" main 10 ZBENCH >"$T/small.change"
	changes 200000
	/usr/bin/time -f %M -o "$T/m1" r53apply --dry-run --offline \
		--zone-id ZBENCH --force "$T/small.change" >/dev/null
	/usr/bin/time -f %M -o "$T/m2" r53apply --dry-run --offline \
		--zone-id ZBENCH --force "$T/big.change" >"$T/plan.txt"
	m1=$(tail -n 1 "$T/m1") m2=$(tail -n 1 "$T/m2")
	per=$(((m2 - m1) * 1024 / 200000))
	echo "peak RSS: $m1 KiB for 10 changes, $m2 KiB for 200,000: $per bytes per change"
	# the whole plan was made: 240 requests, the lower bound
	assert_equal "$(grep '^requests ' "$T/plan.txt" | cut -d, -f1-2)" \
		"requests 240, lower bound 240 (240000 ResourceRecord elements"
	[ "$per" -le 250 ]
}
