#!/bin/sh
# genzone.sh ZONE NRECORDS: print a zone file of about NRECORDS records
# (A, AAAA, TXT, MX, CNAME, SRV, NS delegations) for bench/zxfr.sh.
# Deterministic: the same arguments give the same file.
set -eu
zone=${1:?usage: genzone.sh ZONE NRECORDS}
n=${2:?usage: genzone.sh ZONE NRECORDS}
awk -v zone="$zone" -v n="$n" 'BEGIN {
	printf "$ORIGIN %s.\n$TTL 3600\n", zone
	printf "@ IN SOA ns1 hostmaster 2026112601 7200 900 1209600 300\n"
	printf "@ IN NS ns1\n@ IN NS ns2\nns1 IN A 192.0.2.1\nns2 IN A 192.0.2.2\n"
	c = 5; i = 0
	while (c < n) {
		h = sprintf("host%d", i)
		printf "%s 300 IN A 10.%d.%d.%d\n", h, int(i / 65536) % 256, int(i / 256) % 256, i % 256; c++
		if (i % 2 == 0) { printf "%s IN AAAA 2001:db8:%x::%x\n", h, int(i / 65536), i % 65536; c++ }
		if (i % 4 == 0) { printf "%s IN TXT \"v=spf1 ip4:10.%d.0.0/16 -all\" \"id=%d\"\n", h, i % 256, i; c++ }
		if (i % 8 == 0) { printf "%s IN MX %d mail%d.%s.\n", h, i % 50, i % 16, zone; c++ }
		if (i % 8 == 1) { printf "www.%s IN CNAME %s\n", h, h; c++ }
		if (i % 16 == 3) { printf "_sip._tcp.%s IN SRV 10 5 5060 %s\n", h, h; c++ }
		if (i % 64 == 5) { printf "sub%d IN NS ns.%s\n", i, h; c++ }
		i++
	}
}'
