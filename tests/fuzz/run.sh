#!/bin/sh
# run.sh NAME...: replay tests/fuzz/regress/NAME/* through build-fuzz/fuzz_NAME,
# then (FUZZ_SECONDS > 0) fuzz it for FUZZ_SECONDS on a fresh seed corpus
# (seeds.py) plus what earlier runs found (build-fuzz/corpus/NAME).  One
# line per target: runs, runs per second, crash or not.  Exit 1 if any
# target crashed (the input is kept in build-fuzz/crashes/ and its
# output in build-fuzz/logs/NAME.log).  Run by make fuzz / fuzz-regress.
set -u
dir=$(cd "$(dirname "$0")" && pwd)
out=${FUZZ_DIR:-build-fuzz}
secs=${FUZZ_SECONDS:-60}
mkdir -p "$out/logs" "$out/crashes"
# The leak in ldns itself that the fuzzers would otherwise stop on
# (lsan.supp says which and why).  halt_on_error: a UBSan finding is a
# crash, as in make check SANITIZE=1.
LSAN_OPTIONS="suppressions=$dir/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
asan=${ASAN_OPTIONS:-}
export LSAN_OPTIONS UBSAN_OPTIONS
# The seeds go to a folder of this run's own: runs of run.sh side by
# side (the test suite runs one per target) must not remove each other's.
seeds=
if [ "$secs" -gt 0 ]; then
	seeds=$(mktemp -d "$out/seeds.XXXXXX") || exit 1
	trap 'rm -rf "$seeds"' EXIT
	python3 "$dir/seeds.py" "$seeds" || exit 1
fi
failed=0
for t in "$@"; do
	bin=$out/fuzz_$t
	log=$out/logs/$t.log
	reg=$dir/regress/$t
	# The canon targets reach ldns's parsers: the suppressions name ldns
	# functions below the allocation, and libldns has no frame pointers,
	# so they need the slow unwinder (10 times slower, so only there).
	case $t in
	canon_*) ASAN_OPTIONS="fast_unwind_on_malloc=0${asan:+:$asan}" ;;
	*) ASAN_OPTIONS=$asan ;;
	esac
	export ASAN_OPTIONS
	if [ -d "$reg" ] && [ -n "$(ls -A "$reg")" ]; then
		if nice -n 19 "$bin" -timeout=10 "$reg"/* >"$log.regress" 2>&1
		then
			echo "fuzz $t: $(find "$reg" -type f | wc -l) regression inputs: ok"
		else
			echo "fuzz $t: a regression input crashes (see $log.regress)"
			failed=1
			continue
		fi
	fi
	[ "$secs" -gt 0 ] || continue
	mkdir -p "$out/corpus/$t" "$seeds/$t"
	nice -n 19 "$bin" -max_total_time="$secs" -timeout=10 \
	    -rss_limit_mb=2048 -close_fd_mask=3 -print_final_stats=1 \
	    -artifact_prefix="$out/crashes/$t-" \
	    "$out/corpus/$t" "$seeds/$t" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	if [ "$rc" -eq 0 ]; then
		echo "fuzz $t: ${runs:-?} runs in ${secs} s (${rate:-?}/s): no crash"
	else
		art=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
		echo "fuzz $t: CRASH after ${runs:-?} runs: ${art:-no input saved}" \
		    "(see $log)"
		failed=1
	fi
done
exit "$failed"
