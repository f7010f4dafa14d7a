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
