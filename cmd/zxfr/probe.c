/*
 * probe.c: zxfr --serial: the SOA serial the server serves, cheaply.
 * One SOA query over UDP (sent up to three times, waiting 2, 4 and 8 s,
 * never past the read timeout or the deadline), again over TCP if the
 * answer is truncated; with a key the query is signed and the
 * answer must be signed and verify (one message: the request MAC chain
 * of RFC 8945 4.3).  The answer must be authoritative, carry exactly our
 * question and hold exactly the zone's SOA.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "exitcodes.h"
#include "log.h"
#include "zxfr.h"

#define UDP_TRIES 3
#define UDP_BUF 65535
#define WIRE_F_AA 0x0400

static int
build(const struct xfr_req *req, struct tsig_state *ts, uint8_t *q,
    size_t cap, uint16_t *id, size_t *len)
{
	if (RAND_bytes((unsigned char *)id, sizeof(*id)) != 1)
		return -1;
	*len = wire_query(q, cap, *id, req->zone, req->zone_len, 6);
	if (*len == 0)
		return -1;
	if (req->key != NULL &&
	    tsig_sign_query(ts, req->key, q, len, cap) == -1)
		return -1;
	return 0;
}

/* Check an answer and take the serial.  Returns an exit status, or -1
 * for "truncated, ask again over TCP". */
static int
answer(const struct xfr_req *req, struct tsig_state *ts, uint16_t id,
    const uint8_t *p, size_t len, int tcp, uint32_t *serial)
{
	struct wire_msg m;
	struct wire_rr rr;
	uint8_t owner[ZXFR_NAME_MAX];
	size_t off, olen, i;
	char err[512];
	int found = 0;

	if (wire_msg_parse(&m, p, len, err, sizeof(err)) == -1 ||
	    xfr_check_header(req, &m, id, 6, tcp, 1, err,
	    sizeof(err)) == -1) {
		xfr_fail(req, "malformed SOA answer: %s", err);
		return EXIT_REMOTE;
	}
	if (!tcp && (m.flags & WIRE_F_TC))
		return -1;
	if (m.rcode != 0) {
		if (req->key != NULL && m.has_tsig &&
		    tsig_verify(ts, &m, err, sizeof(err)) == TSIG_FAIL &&
		    ts->tsig_error != 0) {
			xfr_fail(req, "TSIG: %s", err);
			return EXIT_VERIFY;
		}
		if (m.rcode == 5 || m.rcode == 9) {
			/* not the transfer's REFUSED: an SOA query is
			 * refused when the zone is not served there */
			char rb[16];

			xfr_fail(req, "SOA query: %s (the server is not "
			    "authoritative for the zone, or refuses queries "
			    "from this address)", wire_rcode_name(m.rcode, rb,
			    sizeof(rb)));
			return EXIT_REMOTE;
		}
		return xfr_report_rcode(req, &m, "SOA query");
	}
	if (req->key != NULL &&
	    tsig_verify(ts, &m, err, sizeof(err)) != TSIG_OK) {
		xfr_fail(req, "TSIG verification of the SOA answer failed: %s",
		    m.has_tsig ? err : "the answer is not signed");
		return EXIT_VERIFY;
	}
	if (!(m.flags & WIRE_F_AA)) {
		xfr_fail(req, "the SOA answer is not authoritative (the "
		    "server does not serve the zone)");
		return EXIT_REMOTE;
	}
	off = m.an_off;
	for (i = 0; i < m.an; i++) {
		size_t o2;

		if (wire_rr(m.p, m.len, &off, &rr) == -1)
			break;
		o2 = rr.off;
		if (rr.type != 6 || rr.class != 1 ||
		    wire_name(m.p, m.len, &o2, owner, &olen) == -1 ||
		    !wire_name_eq(owner, olen, req->zone, req->zone_len))
			continue;
		o2 = rr.rdata_off;
		if (wire_name(m.p, m.len, &o2, NULL, NULL) == -1 ||
		    wire_name(m.p, m.len, &o2, NULL, NULL) == -1 ||
		    o2 + 20 != rr.end) {
			xfr_fail(req, "malformed SOA record in the answer");
			return EXIT_REMOTE;
		}
		*serial = wire_get32(m.p + o2);
		found++;
	}
	if (found != 1) {
		xfr_fail(req, found == 0 ? "no SOA record for the zone in the "
		    "answer" : "more than one SOA record in the answer");
		return EXIT_REMOTE;
	}
	return EXIT_OK;
}

static int
probe_udp(const struct xfr_req *req, uint8_t *buf, uint32_t *serial)
{
	struct tsig_state ts;
	uint8_t q[512 + TSIG_RR_MAX];
	uint16_t id;
	size_t qlen;
	double wait = req->dl.read_timeout < 2.0 ? req->dl.read_timeout : 2.0;
	int fd = -1, rc = EXIT_REMOTE, n = 0, try;

	memset(&ts, 0, sizeof(ts));
	if (build(req, &ts, q, sizeof(q), &id, &qlen) == -1) {
		xfr_fail(req, "cannot build or sign the query");
		rc = EXIT_BADINPUT;
		goto out;
	}
	if ((fd = net_udp_socket(req->srv)) == -1) {
		xfr_fail(req, "UDP socket: %s", strerror(errno));
		goto out;
	}
	for (try = 0; try < UDP_TRIES; try++) {
		if (send(fd, q, qlen, 0) == -1) {
			xfr_fail(req, "cannot send the SOA query: %s",
			    strerror(errno));
			goto out;
		}
		/* replies to our ID only; stray datagrams are skipped */
		do {
			n = net_udp_recv(fd, buf, UDP_BUF, wait, &req->dl);
		} while (n >= 2 && wire_get16(buf) != id);
		if (n >= 0 || n == NET_DEADLINE || n == NET_EOF ||
		    n == NET_ERROR)
			break;
		wait *= 2;
	}
	if (n < 0) {
		xfr_fail(req, "SOA query over UDP: %s", n == NET_EOF ?
		    "connection refused (ICMP)" : n == NET_DEADLINE ?
		    "timed out: overall deadline exceeded" : n == NET_ERROR ?
		    strerror(errno) : "timed out: no answer");
		goto out;
	}
	rc = answer(req, &ts, id, buf, (size_t)n, 0, serial);
out:
	if (fd >= 0)
		close(fd);
	tsig_state_clear(&ts);
	return rc;
}

static int
probe_tcp(const struct xfr_req *req, uint8_t *buf, uint32_t *serial)
{
	struct tsig_state ts;
	uint8_t q[2 + 512 + TSIG_RR_MAX];
	uint16_t id;
	size_t qlen, got, mlen;
	int fd = -1, rc = EXIT_REMOTE, r;

	memset(&ts, 0, sizeof(ts));
	if (build(req, &ts, q + 2, sizeof(q) - 2, &id, &qlen) == -1) {
		xfr_fail(req, "cannot build or sign the query");
		rc = EXIT_BADINPUT;
		goto out;
	}
	wire_put16(q, (uint16_t)qlen);
	if ((fd = net_tcp_connect(req->srv, &req->dl)) < 0) {
		xfr_fail(req, "cannot connect over TCP: %s", fd == NET_ERROR ?
		    strerror(errno) : "timed out");
		goto out;
	}
	if ((r = net_write_all(fd, q, qlen + 2, &req->dl)) != 0 ||
	    (r = net_read_full(fd, buf, 2, &req->dl, &got)) != 0 ||
	    (mlen = wire_get16(buf),
	    r = net_read_full(fd, buf, mlen, &req->dl, &got)) != 0) {
		xfr_fail(req, "SOA query over TCP: %s", r == NET_EOF ?
		    "connection closed by the server" : r == NET_ERROR ?
		    strerror(errno) : "timed out");
		goto out;
	}
	rc = answer(req, &ts, id, buf, mlen, 1, serial);
out:
	if (fd >= 0)
		close(fd);
	tsig_state_clear(&ts);
	return rc;
}

int
probe_serial(const struct xfr_req *req, uint32_t *serial)
{
	uint8_t *buf = NULL;
	int rc;

	if ((buf = malloc(UDP_BUF)) == NULL) {
		log_msg("out of memory");
		return EXIT_BADINPUT;
	}
	rc = probe_udp(req, buf, serial);
	if (rc == -1) {
		log_debug(1, "%s: UDP answer truncated; asking over TCP",
		    req->zone_text);
		rc = probe_tcp(req, buf, serial);
	}
	free(buf);
	return rc;
}
