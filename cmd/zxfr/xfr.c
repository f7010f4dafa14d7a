/*
 * xfr.c: the verifying transfer loop.  One TCP connection, one query
 * (AXFR, or IXFR: only the query and the sink differ), then every
 * response message is read with both clocks running, parsed whole,
 * checked (ID, QR, opcode, question, rcode) and TSIG-verified as
 * RFC 8945 section 5.3.1 requires before any of its records reaches the
 * sink.  What the records mean (SOA at both ends, the zone) is the sink's
 * business (axfr.c); this file only knows where the transfer ends
 * because the sink says so.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "exitcodes.h"
#include "log.h"
#include "progress.h"
#include "zxfr.h"

#define MSG_MAX 65535

void
xfr_fail(const struct xfr_req *req, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_msg("%s from %s port %d: %s", req->zone_text,
	    req->srv->addr_text, req->srv->port, buf);
}

int
xfr_check_header(const struct xfr_req *req, const struct wire_msg *m,
    uint16_t id, uint16_t qtype, int tcp, int need_q, char *err,
    size_t errsz)
{
	uint8_t qname[ZXFR_NAME_MAX];
	size_t off = m->q_off, qlen = 0;
	char tb[16];

	if (m->id != id) {
		snprintf(err, errsz, "wrong message ID %u (we sent %u)",
		    m->id, id);
		return -1;
	}
	if (!(m->flags & WIRE_F_QR)) {
		snprintf(err, errsz, "not a response (QR bit clear)");
		return -1;
	}
	if (WIRE_OPCODE(m->flags) != 0) {
		snprintf(err, errsz, "opcode %u, not QUERY",
		    WIRE_OPCODE(m->flags));
		return -1;
	}
	if (tcp && (m->flags & WIRE_F_TC)) {
		snprintf(err, errsz, "truncated (TC bit) over TCP");
		return -1;
	}
	/* an error answer without its question is still reported by its
	 * rcode (it fails anyway); a NOERROR one must be about our query */
	if (m->qd > 1 || (need_q && m->rcode == 0 && m->qd != 1)) {
		snprintf(err, errsz, "%u questions (QDCOUNT), want %s", m->qd,
		    need_q ? "1 (ours)" : "0 or 1");
		return -1;
	}
	if (m->qd == 1) {
		if (wire_name(m->p, m->len, &off, qname, &qlen) == -1) {
			snprintf(err, errsz, "malformed question");
			return -1;
		}
		if (!wire_name_eq(qname, qlen, req->zone, req->zone_len) ||
		    wire_get16(m->p + off) != qtype ||
		    wire_get16(m->p + off + 2) != 1) {
			char n[ZXFR_NAME_MAX * 4 + 2];

			wire_name_text(qname, qlen, n, sizeof(n));
			snprintf(err, errsz, "answers another question (%s "
			    "%s class %u)", n, wire_type_name(wire_get16(
			    m->p + off), tb, sizeof(tb)),
			    wire_get16(m->p + off + 2));
			return -1;
		}
	}
	return 0;
}

/* Why a server answers with an error rcode, as far as one can tell. */
static const char *
rcode_hint(int rcode, int keyed)
{
	switch (rcode) {
	case 1:
		return "the server could not parse the request";
	case 2:
		return "the server failed; zone not loaded?";
	case 3:
		return "no such zone on this server";
	case 4:
		return "the server does not implement this request";
	case 5:
		return keyed ? "the server refuses the transfer to this key "
		    "or address" : "the server refuses the transfer; does it "
		    "require a TSIG key? see -k";
	case 9:
		return keyed ? "the server does not serve this zone, or "
		    "refuses this key for it" : "the server does not serve "
		    "this zone, or requires a TSIG key; see -k";
	default:
		return "error answer";
	}
}

int
xfr_report_rcode(const struct xfr_req *req, const struct wire_msg *m,
    const char *what)
{
	char rb[16];

	xfr_fail(req, "%s: %s (%s)", what,
	    wire_rcode_name(m->rcode, rb, sizeof(rb)),
	    rcode_hint(m->rcode, req->key != NULL));
	return EXIT_REMOTE;
}

/* -v: a line each second and a summary; else one updating line, drawn
 * only on a terminal (or R53M_PROGRESS_FD) and wiped at the end. */
static void
progress(const struct xfr_req *req, const struct xfr_stats *st,
    struct progress *pg, int final)
{
	double el = net_now() - st->started;

	if (req->progress == 1) {
		progress_show(pg, final, "%s: %lu records, %lu messages, "
		    "%.1f MB, %.0f records/s", req->zone_text, st->records,
		    st->messages, (double)st->octets / 1e6,
		    el > 0 ? (double)st->records / el : 0.0);
		return;
	}
	log_msg("%s: %s%lu records, %lu messages (%lu unsigned), %.1f MB in "
	    "%.1f s (%.0f records/s)", req->zone_text, final ? "received " :
	    "", st->records, st->messages, st->unsigned_msgs,
	    (double)st->octets / 1e6, el,
	    el > 0 ? (double)st->records / el : 0.0);
}

/* The sink's phrase for where a broken transfer stopped. */
static void
where(const struct xfr_sink *sink, const struct xfr_stats *st, char *buf,
    size_t sz)
{
	if (sink->where != NULL)
		sink->where(sink->arg, buf, sz);
	else
		snprintf(buf, sz, "after %lu records", st->records);
}

/* Name a NET_* error for messages. */
static const char *
net_reason(int r, const struct xfr_req *req, char *buf, size_t sz)
{
	switch (r) {
	case NET_EOF:
		return "connection closed by the server";
	case NET_TIMEOUT:
		snprintf(buf, sz, "timed out: no data for %g s",
		    req->dl.read_timeout);
		return buf;
	case NET_DEADLINE:
		snprintf(buf, sz, "timed out: overall deadline of %g s "
		    "exceeded", req->dl.overall);
		return buf;
	default:
		snprintf(buf, sz, "%s", strerror(errno));
		return buf;
	}
}

/* build the query: AXFR, or IXFR with the SOA in the authority section */
static int
make_query(const struct xfr_req *req, struct tsig_state *ts, uint8_t *q,
    size_t cap, uint16_t *idp, size_t *lenp)
{
	uint16_t id;
	size_t len;

	if (RAND_bytes((unsigned char *)&id, sizeof(id)) != 1)
		return -1;
	len = wire_query(q + 2, cap - 2, id, req->zone, req->zone_len,
	    req->qtype);
	if (len == 0)
		return -1;
	if (req->extra_rr != NULL) {
		if (len + req->extra_len > cap - 2)
			return -1;
		memcpy(q + 2 + len, req->extra_rr, req->extra_len);
		len += req->extra_len;
		wire_put16(q + 2 + 8, 1);		/* NSCOUNT */
	}
	if (req->key != NULL &&
	    tsig_sign_query(ts, req->key, q + 2, &len, cap - 2) == -1)
		return -1;
	wire_put16(q, (uint16_t)len);
	*idp = id;
	*lenp = len + 2;
	return 0;
}

/* one response: header, rcode, TSIG; then its answer RRs to the sink */
static int
one_message(const struct xfr_req *req, const struct xfr_sink *sink,
    struct xfr_stats *st, struct tsig_state *ts, uint16_t id,
    const uint8_t *buf, size_t len, int *done)
{
	struct wire_msg m;
	struct wire_rr rr;
	enum tsig_result tr = TSIG_UNSIGNED;
	char err[512];
	size_t off, i;

	if (wire_msg_parse(&m, buf, len, err, sizeof(err)) == -1 ||
	    xfr_check_header(req, &m, id, req->qtype, 1, st->messages == 1,
	    err, sizeof(err)) == -1) {
		char w[128];

		where(sink, st, w, sizeof(w));
		xfr_fail(req, "malformed response (message %lu, %s): %s",
		    st->messages, w, err);
		return EXIT_REMOTE;
	}
	if (m.rcode != 0) {
		char what[64];

		/* a TSIG error from the server says more than the rcode */
		if (req->key != NULL && m.has_tsig &&
		    tsig_verify(ts, &m, err, sizeof(err)) == TSIG_FAIL &&
		    ts->tsig_error != 0) {
			xfr_fail(req, "TSIG: %s", err);
			return EXIT_VERIFY;
		}
		if (sink->rcode != NULL &&
		    sink->rcode(sink->arg, &m, st->messages))
			return EXIT_REMOTE;
		snprintf(what, sizeof(what), st->messages == 1 ? "answer" :
		    "message %lu", st->messages);
		return xfr_report_rcode(req, &m, what);
	}
	if (req->key != NULL) {
		tr = tsig_verify(ts, &m, err, sizeof(err));
		if (tr == TSIG_FAIL) {
			xfr_fail(req, "TSIG verification failed on message "
			    "%lu: %s", st->messages, err);
			return EXIT_VERIFY;
		}
		if (tr == TSIG_UNSIGNED)
			st->unsigned_msgs++;
	}
	off = m.an_off;
	for (i = 0; i < m.an; i++) {
		enum xfr_sink_ret sr;

		if (wire_rr(m.p, m.len, &off, &rr) == -1) {
			xfr_fail(req, "malformed record in message %lu",
			    st->messages);
			return EXIT_REMOTE;
		}
		sr = sink->rr(sink->arg, &m, &rr, st);
		if (sr == XFR_ABORT)
			return EXIT_REMOTE;
		st->records++;
		if (sr == XFR_DONE) {
			if (i + 1 != m.an) {
				xfr_fail(req, "%u record(s) after the closing "
				    "SOA in message %lu", m.an - (unsigned)i - 1,
				    st->messages);
				return EXIT_REMOTE;
			}
			if (req->key != NULL && tr != TSIG_OK) {
				xfr_fail(req, "TSIG: the last message (%lu) is "
				    "not signed; RFC 8945 requires it to be",
				    st->messages);
				return EXIT_VERIFY;
			}
			*done = 1;
		}
	}
	if (m.an == 0 && st->messages == 1) {
		xfr_fail(req, "the first message holds no records (no SOA)");
		return EXIT_REMOTE;
	}
	return EXIT_OK;
}

/* send_query(req, q, qlen, &fd): connect and send the query; *fd is the
 * socket (the caller closes it).  0, or -1 after reporting. */
static int
send_query(const struct xfr_req *req, const uint8_t *q, size_t qlen,
    int *fd)
{
	char rb[256];
	int r;

	if ((*fd = net_tcp_connect(req->srv, &req->dl)) < 0) {
		xfr_fail(req, "cannot connect: %s", *fd == NET_TIMEOUT ?
		    "timed out" : net_reason(*fd, req, rb, sizeof(rb)));
		return -1;
	}
	if ((r = net_write_all(*fd, q, qlen, &req->dl)) != 0) {
		xfr_fail(req, "cannot send the query: %s",
		    net_reason(r, req, rb, sizeof(rb)));
		return -1;
	}
	return 0;
}

/*
 * read_message(req, sink, st, fd, buf, &mlen): the next message of the
 * TCP stream (2-octet length, then the message) into BUF (MSG_MAX
 * octets).  0, or -1 after saying where the transfer stopped.
 */
static int
read_message(const struct xfr_req *req, const struct xfr_sink *sink,
    const struct xfr_stats *st, int fd, uint8_t *buf, size_t *mlen)
{
	uint8_t lb[2];
	size_t got;
	char rb[256], w[128];
	int r;

	r = net_read_full(fd, lb, 2, &req->dl, &got);
	if (r == 0) {
		*mlen = wire_get16(lb);
		r = net_read_full(fd, buf, *mlen, &req->dl, &got);
		if (r != 0)
			got += 2;
	}
	if (r == 0)
		return 0;
	where(sink, st, w, sizeof(w));
	if (st->messages == 0 && got == 0 && r == NET_EOF)
		xfr_fail(req, "connection closed by the server without an "
		    "answer");
	else if (got > 0)
		xfr_fail(req, "%s in the middle of message %lu: transfer "
		    "truncated %s", net_reason(r, req, rb, sizeof(rb)),
		    st->messages + 1, w);
	else
		xfr_fail(req, "%s: transfer truncated %s",
		    net_reason(r, req, rb, sizeof(rb)), w);
	return -1;
}

int
xfr_run(const struct xfr_req *req, const struct xfr_sink *sink,
    struct xfr_stats *st)
{
	struct tsig_state ts;
	uint8_t q[512 + TSIG_RR_MAX + 2 * ZXFR_NAME_MAX];
	uint8_t *buf = NULL;
	uint16_t id = 0;
	size_t qlen = 0, mlen = 0;
	double next_progress;
	struct progress pg;
	int fd = -1, rc = EXIT_REMOTE, done = 0;

	memset(&ts, 0, sizeof(ts));
	memset(st, 0, sizeof(*st));
	progress_init(&pg, 0);
	st->started = net_now();
	next_progress = st->started + 1.0;
	if (make_query(req, &ts, q, sizeof(q), &id, &qlen) == -1) {
		xfr_fail(req, "cannot build or sign the query");
		rc = EXIT_BADINPUT;
		goto out;
	}
	if ((buf = malloc(MSG_MAX)) == NULL) {
		log_msg("out of memory");
		rc = EXIT_BADINPUT;
		goto out;
	}
	if (send_query(req, q, qlen, &fd) == -1)
		goto out;
	while (!done) {
		if (read_message(req, sink, st, fd, buf, &mlen) == -1)
			goto out;
		st->messages++;
		st->octets += mlen + 2;
		rc = one_message(req, sink, st, &ts, id, buf, mlen, &done);
		if (rc != EXIT_OK)
			goto out;
		rc = EXIT_REMOTE;
		if (req->progress && net_now() >= next_progress) {
			progress(req, st, &pg, 0);
			next_progress = net_now() + 1.0;
		}
	}
	if (req->progress > 1 || (req->progress && st->started + 1.0 <
	    next_progress))
		progress(req, st, &pg, 1);
	rc = EXIT_OK;
out:
	progress_end(&pg);
	if (fd >= 0)
		close(fd);
	free(buf);
	tsig_state_clear(&ts);
	return rc;
}
