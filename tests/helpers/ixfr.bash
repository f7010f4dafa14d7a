# ixfr.bash: zone versions for the IXFR tests (tests/26-zxfr-ixfr.bats).
#
#   ixfr_zone V        print version V (1..6) of the zone ixfr.test: each
#                      version is the one before with one kind of edit,
#                      so IXFR between any two carries exactly those:
#                        2  records added (a new RRset, a record to an
#                           existing RRset, a new type at an owner)
#                        3  records deleted (a whole RRset, one record of
#                           an RRset)
#                        4  TTLs changed (a one-record and a two-record
#                           RRset)
#                        5  only the SOA changed (serial and refresh)
#                        6  a record replaced (delete and add at one owner)
#                      The serial of version V is 2026120100 + V.
#   ixfr_serial V      that serial
#   ixfr_set V         copy version V over the current server's zone file
#                      and reload (server_update: waits for the serial)

ixfr_serial() {
	echo $((2026120100 + $1))
}

ixfr_zone() {
	local v=$1 refresh=3600 wttl=300 tttl=300 i
	[ "$v" -ge 5 ] && refresh=7200
	[ "$v" -ge 4 ] && wttl=600 && tttl=900
	# shellcheck disable=SC2016  # a zone file's $TTL, not a variable
	echo '$TTL 300'
	printf '@ IN SOA ns1.ixfr.test. hostmaster.ixfr.test. %s %s 600 604800 300\n' \
		"$(ixfr_serial "$v")" "$refresh"
	printf '@ IN NS ns1.ixfr.test.\n@ IN NS ns2.ixfr.test.\n'
	printf 'ns1 IN A 192.0.2.1\nns2 IN A 192.0.2.2\n'
	printf '@ IN MX 10 mail.ixfr.test.\nmail IN A 192.0.2.25\n'
	printf 'www %s IN A 192.0.2.80\n' "$wttl"
	[ "$v" = 2 ] && printf 'www %s IN A 192.0.2.81\n' "$wttl"
	printf 'txt %s IN TXT "v=spf1 -all" "two strings"\n' "$tttl"
	printf 'dual %s IN A 192.0.2.90\ndual %s IN A 192.0.2.91\n' "$wttl" "$wttl"
	for i in $(seq 1 300); do
		[ "$v" -ge 3 ] && [ "$i" = 5 ] && continue
		printf 'h%d IN A 10.0.%d.%d\n' "$i" $((i / 256)) $((i % 256))
	done
	if [ "$v" -ge 2 ]; then
		printf 'new IN A 198.51.100.1\nnew IN AAAA 2001:db8::1\n'
		printf 'ns1 IN AAAA 2001:db8::53\n'
	fi
	if [ "$v" -ge 6 ]; then
		printf 'cname IN CNAME www.ixfr.test.\n'
	else
		printf 'cname IN CNAME mail.ixfr.test.\n'
	fi
}

ixfr_set() {
	ixfr_zone "$1" >"$T/ixfr-v$1.zone"
	server_update ixfr.test "$T/ixfr-v$1.zone"
}
