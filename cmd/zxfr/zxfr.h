/*
 * zxfr.h: the modules of zxfr and how they meet.
 *
 *   main.c   options, key loading, output (stream header, commit/abort)
 *   wire.c   DNS message walking: header, names, RR positions (no ldns)
 *   tsig.c   TSIG key files and RFC 8945 signing and verification
 *            (OpenSSL EVP_MAC; every algorithm, hmac-sha384 included)
 *   net.c    TCP and UDP with an overall deadline and a per-read timeout
 *   xfr.c    the verifying transfer loop: one query, every message read,
 *            parsed and TSIG-verified (RFC 8945 5.3.1), each answer RR
 *            handed to a sink; knows nothing about what the RRs mean
 *   axfr.c   the AXFR sink: SOA at both ends, canonical text, zonebuf
 *   ixfr.c   the IXFR sink (RFC 1995) beside it: the base stream in
 *            memory, the difference sequences applied to the RRsets they
 *            touch, the new version merged with the base and written;
 *            says why when the answer cannot be used (AXFR fallback)
 *   probe.c  --serial: one SOA query over UDP, TCP on truncation
 *   notify.c --listen: the NOTIFY listener (RFC 1996) on UDP and TCP;
 *            the zones file, TSIG-verified requests (tsig.c's server
 *            side), a replay cache and a per-source rate limit; one
 *            "ZONE SERIAL" line on stdout per accepted NOTIFY
 *
 * Who calls whom (no cycle): main -> axfr/ixfr/probe/notify;
 * axfr/ixfr/probe -> xfr -> tsig -> wire; notify -> tsig, net, wire.
 *
 * Errors are reported where they are found, as
 * "zxfr: ZONE from ADDR port N: reason", and turned into an exit status
 * of exitcodes.h by the caller.
 */
#ifndef ZXFR_H
#define ZXFR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#define ZXFR_NAME_MAX 255		/* wire octets of a domain name */

/* ---- wire.c ---- */

#define WIRE_HDR 12

/* One resource record located inside a message. */
struct wire_rr {
	size_t off;			/* first octet of the owner */
	size_t owner_off;		/* = off (the owner may be compressed) */
	uint16_t type, class;
	uint32_t ttl;
	size_t rdata_off;		/* first octet of RDATA */
	uint16_t rdlen;
	size_t end;			/* first octet after the RR */
};

/* A parsed message: header fields and where things are. */
struct wire_msg {
	const uint8_t *p;		/* the message (not owned) */
	size_t len;
	uint16_t id, flags, qd, an, ns, ar;
	int rcode;			/* 12 bits with EDNS, else 4 */
	size_t q_off;			/* first question (if qd > 0) */
	size_t an_off;			/* first answer RR */
	int has_tsig;			/* last additional RR is a TSIG */
	struct wire_rr tsig;		/* valid if has_tsig */
};

#define WIRE_F_QR	0x8000
#define WIRE_F_TC	0x0200
#define WIRE_OPCODE(f)	(((f) >> 11) & 0xf)

/*
 * wire_name(p, len, &off, out, &outlen): read the possibly compressed
 * name at *off into OUT (ZXFR_NAME_MAX bytes, uncompressed wire form,
 * case kept), advance *off past it.  OUT may be NULL to only skip.
 * Returns 0, or -1 (bad label type, pointer loop or forward jump out of
 * bounds, name too long, truncated).  name_wire_read() of names.h does
 * the walk (the same rules as canon_rdata_wire's).
 */
int wire_name(const uint8_t *p, size_t len, size_t *off, uint8_t *out,
    size_t *outlen);

/* wire_rr(p, len, &off, &rr): read the RR at *off; advance. 0 or -1. */
int wire_rr(const uint8_t *p, size_t len, size_t *off, struct wire_rr *rr);

/*
 * wire_msg_parse(m, p, len, err, errsz): parse and check the whole
 * structure of message P: every question and RR inside LEN, nothing
 * after the last RR, a TSIG RR only as the last additional RR.  On -1 a
 * reason is in ERR.
 */
int wire_msg_parse(struct wire_msg *m, const uint8_t *p, size_t len,
    char *err, size_t errsz);

/* wire_name_eq(a, alen, b, blen): wire names equal ignoring ASCII case. */
int wire_name_eq(const uint8_t *a, size_t alen, const uint8_t *b,
    size_t blen);

/* wire_name_text(name, len, out, outsz): presentation text (messages). */
void wire_name_text(const uint8_t *name, size_t len, char *out, size_t outsz);

/* wire_rcode_name(rcode): "NOERROR", "REFUSED", ... or "RCODE27". */
const char *wire_rcode_name(int rcode, char *buf, size_t bufsz);

/* wire_type_name(type, buf, sz): "SOA", "TYPE65534" (for messages). */
const char *wire_type_name(uint16_t type, char *buf, size_t bufsz);

/* wire_get16/32: big-endian reads (bounds already checked). */
uint16_t wire_get16(const uint8_t *p);
uint32_t wire_get32(const uint8_t *p);
void wire_put16(uint8_t *p, uint16_t v);

/*
 * wire_query(buf, cap, id, name, nlen, qtype): build a query without RD
 * for NAME/QTYPE/IN into BUF; returns its length or 0 if CAP is short.
 */
size_t wire_query(uint8_t *buf, size_t cap, uint16_t id, const uint8_t *name,
    size_t nlen, uint16_t qtype);

/* ---- tsig.c ---- */

#define TSIG_MAC_MAX 64
#define TSIG_FUDGE 300
#define TSIG_RR_MAX (ZXFR_NAME_MAX * 2 + 10 + 16 + TSIG_MAC_MAX + 6)

/* TSIG error codes (RFC 8945 section 3). */
#define TSIG_BADSIG 16
#define TSIG_BADKEY 17
#define TSIG_BADTIME 18
#define TSIG_BADTRUNC 22

struct tsig_key {
	char name_text[ZXFR_NAME_MAX * 4 + 2];	/* for messages, no final dot */
	uint8_t name[ZXFR_NAME_MAX];	/* canonical (lower-case) wire */
	size_t name_len;
	uint8_t alg[64];		/* algorithm name, canonical wire */
	size_t alg_len;
	const char *alg_text;		/* "hmac-sha256" */
	const char *digest;		/* OpenSSL digest name: "SHA256" */
	size_t mac_len;			/* full MAC length */
	uint8_t *secret;		/* decoded; zeroed and freed by
					 * tsig_key_clear() */
	size_t secret_len;
};

/*
 * tsig_key_parse(text, len, source, key): parse one key in BIND format
 * (`key "name" { algorithm hmac-sha256; secret "base64"; };`, as written
 * by tsig-keygen; comments # // and C-style allowed), Knot's (`key:` /
 * `- id:` / `algorithm:` / `secret:`, as keymgr -t prints it) or dig's
 * -y (`[ALG:]NAME:SECRET`).  SOURCE names the file or variable in
 * messages; the secret is never printed.  Returns 0, or -1 after
 * reporting.
 */
int tsig_key_parse(const char *text, size_t len, const char *source,
    struct tsig_key *key);

/* tsig_key_load(path, key): read PATH and tsig_key_parse() it; warn
 * when other users may read or change PATH. */
int tsig_key_load(const char *path, struct tsig_key *key);

/* tsig_key_clear(key): zero and free the secret. */
void tsig_key_clear(struct tsig_key *key);

/* The state of one signed exchange (a query and all its answers). */
struct tsig_state {
	const struct tsig_key *key;
	uint16_t query_id;
	uint8_t mac[TSIG_MAC_MAX];	/* the last MAC: request's, then each
					 * verified response's */
	size_t mac_len;
	unsigned signed_msgs;		/* responses verified so far */
	unsigned unsigned_run;		/* unsigned responses since then */
	void *ctx;			/* EVP_MAC_CTX covering the unsigned
					 * responses since the last MAC */
	time_t (*now)(void);		/* clock (tests may pin it) */
	int tsig_error;			/* TSIG error code of the last
					 * verified or refused message */
};

/* Result of tsig_verify(). */
enum tsig_result {
	TSIG_OK = 0,			/* signed and verified */
	TSIG_UNSIGNED = 1,		/* no TSIG; covered by the next MAC */
	TSIG_FAIL = -1			/* reported in err */
};

/*
 * tsig_sign_query(st, key, msg, &len, cap): append a TSIG RR to the
 * query MSG (len octets, ARCOUNT incremented) and remember its MAC.
 * Returns 0 or -1 (no room, crypto failure).
 */
int tsig_sign_query(struct tsig_state *st, const struct tsig_key *key,
    uint8_t *msg, size_t *len, size_t cap);

/*
 * tsig_verify(st, m, err, errsz): verify one response of the exchange
 * (RFC 8945 5.3.1): the first response must be signed; an unsigned one
 * is fed into the running MAC and counted (the 100th in a row fails);
 * a signed one must name our key and algorithm, carry no TSIG error,
 * be within its fudge of our clock and have the right MAC over the
 * previous MAC, the unsigned responses since, itself and its timers.
 * On TSIG_FAIL, ERR holds the reason and st->tsig_error the TSIG error
 * code if the server sent one (BADSIG, BADKEY, BADTIME, ...).
 */
enum tsig_result tsig_verify(struct tsig_state *st, const struct wire_msg *m,
    char *err, size_t errsz);

/* tsig_state_clear(st): free the running MAC. */
void tsig_state_clear(struct tsig_state *st);

/* What a signed request carried, for the signed answer (server side). */
struct tsig_reqinfo {
	uint8_t name[ZXFR_NAME_MAX], alg[ZXFR_NAME_MAX];
	size_t name_len, alg_len;
	uint64_t time;
	uint16_t fudge, orig_id;
	uint8_t mac[TSIG_MAC_MAX];	/* set only when the MAC verified */
	size_t mac_len;
};

/*
 * tsig_request_check(key, m, now, ri): verify the TSIG of the request M
 * (RFC 8945 5.2) against KEY (NULL: no key is known for it).  Returns 0
 * (verified, in time), TSIG_BADKEY (no key, or another key or
 * algorithm), TSIG_BADSIG, TSIG_BADTRUNC, TSIG_BADTIME (MAC good, time
 * outside the fudge), or -1 (no or malformed TSIG: FORMERR).  RI gets
 * what the answer needs; its MAC only when the MAC verified.
 */
int tsig_request_check(const struct tsig_key *key, const struct wire_msg *m,
    time_t now, struct tsig_reqinfo *ri);

/*
 * tsig_response_sign(key, ri, error, now, msg, &len, cap): append the
 * TSIG RR of the answer MSG to the request RI: signed with KEY over the
 * request's MAC (RFC 8945 4.3.3), or unsigned (empty MAC, the request's
 * key name) for BADKEY, BADSIG and BADTRUNC.  0, or -1 (no room).
 */
int tsig_response_sign(const struct tsig_key *key,
    const struct tsig_reqinfo *ri, uint16_t error, time_t now, uint8_t *msg,
    size_t *len, size_t cap);

/* tsig_error_name(code): "BADSIG", "BADKEY", ... or NULL. */
const char *tsig_error_name(int code);

/* ---- net.c ---- */

struct zxfr_server {
	struct sockaddr_storage sa;
	socklen_t salen;
	char addr_text[64];		/* numeric address as printed */
	int port;
	int index;			/* 1-based place in the SERVER list */
	char host[256];			/* the name or address as given */
};

/* The addresses to try, in order (a primary's name may give several). */
#define ZXFR_SERVERS_MAX 32
struct zxfr_servers {
	struct zxfr_server srv[ZXFR_SERVERS_MAX];
	size_t n;
};

struct deadline {
	double end;			/* monotonic seconds; overall */
	double read_timeout;		/* seconds per read */
	double overall;			/* the --timeout value, for messages */
};

/* net_now(): monotonic seconds (clock_now; a seam for the fuzz target's
 * fake network, whose time never reaches a deadline). */
double net_now(void);

/*
 * net_server(addr, port, srv): parse a numeric IPv4 or IPv6 address.
 * Returns 0, or -1 (not a numeric address).
 */
int net_server(const char *addr, int port, struct zxfr_server *srv);

/*
 * net_servers(spec, port, port_set, list): SPEC is one primary or
 * several separated by commas, each ADDR, NAME, ADDR:PORT, NAME:PORT,
 * [IPv6] or [IPv6]:PORT; PORT (-p) where none is given.  A name gives
 * every address getaddrinfo() returns, in its order.  EXIT_OK,
 * EXIT_USAGE (bad syntax, a port given twice and different) or
 * EXIT_REMOTE (no name resolves), reported.
 */
int net_servers(const char *spec, int port, int port_set,
    struct zxfr_servers *list);

/* net_port(s, &port): S is a port number 1..65535, digits only (no
 * sign or space), as in SERVER:PORT and --listen ADDR:PORT.  0 or -1. */
int net_port(const char *s, int *port);

/* Results of the net_* reads, beside a length >= 0. */
#define NET_EOF		(-1)		/* peer closed */
#define NET_TIMEOUT	(-2)		/* per-read timeout */
#define NET_DEADLINE	(-3)		/* overall deadline */
#define NET_ERROR	(-4)		/* errno set */

/* net_tcp_connect(srv, dl): a connected socket, or a NET_* error. */
int net_tcp_connect(const struct zxfr_server *srv, const struct deadline *dl);

/* net_write_all(fd, buf, len, dl): 0 or a NET_* error. */
int net_write_all(int fd, const uint8_t *buf, size_t len,
    const struct deadline *dl);

/*
 * net_read_full(fd, buf, len, dl, &got): read exactly LEN octets; *got
 * tells how many arrived before an error.  0 or a NET_* error (NET_EOF
 * also when the peer closed part way).  The overall deadline is checked
 * before every recv(), so a server that never pauses cannot outrun it.
 */
int net_read_full(int fd, uint8_t *buf, size_t len, const struct deadline *dl,
    size_t *got);

/* net_udp_socket(srv): a connected UDP socket, or -1. */
int net_udp_socket(const struct zxfr_server *srv);

/* net_udp_recv(fd, buf, cap, wait, dl): one datagram, waiting at most
 * WAIT seconds (and not past the deadline).  Length or a NET_* error. */
int net_udp_recv(int fd, uint8_t *buf, size_t cap, double wait,
    const struct deadline *dl);

/* ---- xfr.c ---- */

/* What a transfer is about, for the loop and for messages. */
struct xfr_req {
	uint8_t zone[ZXFR_NAME_MAX];	/* wire, as given */
	size_t zone_len;
	const char *zone_text;		/* canonical text, for messages */
	uint16_t qtype;			/* LDNS_RR_TYPE_AXFR (IXFR later) */
	const uint8_t *extra_rr;	/* IXFR: the SOA for the authority
					 * section; NULL for AXFR */
	size_t extra_len;
	const struct zxfr_server *srv;
	const struct tsig_key *key;	/* NULL: no TSIG */
	struct deadline dl;
	unsigned long max_records;	/* --max-records: the most records
					 * the sink may hold (0: no limit) */
	int progress;			/* 2 (-v): progress and a summary on
					 * stderr; 1: one updating line, when
					 * stderr is a terminal or
					 * R53M_PROGRESS_FD is set (progress.h) */
};

/* Counters shown in messages and progress. */
struct xfr_stats {
	unsigned long messages;
	unsigned long records;		/* answer RRs handed to the sink */
	unsigned long long octets;
	unsigned long unsigned_msgs;	/* responses covered by a later MAC */
	double started;
};

/*
 * The sink: xfr_run() calls rr() for every answer RR in order.  It
 * returns XFR_MORE to go on, XFR_DONE when this RR completed the
 * transfer (the loop then checks that nothing follows and that the
 * message was signed), or XFR_ABORT after reporting.
 */
enum xfr_sink_ret { XFR_ABORT = -1, XFR_MORE = 0, XFR_DONE = 1 };

struct xfr_sink {
	enum xfr_sink_ret (*rr)(void *arg, const struct wire_msg *m,
	    const struct wire_rr *rr, const struct xfr_stats *st);
	/* Called when the stream stops early: a phrase for messages, e.g.
	 * "after the first SOA" or "after 1234 records". */
	void (*where)(void *arg, char *buf, size_t bufsz);
	/* Optional: called with an answer whose rcode is not NOERROR
	 * (after any TSIG error was reported); returning 1 means the
	 * sink takes it as an answer (the IXFR fallback) and xfr_run()
	 * returns EXIT_REMOTE without a message. */
	int (*rcode)(void *arg, const struct wire_msg *m,
	    unsigned long msgno);
	void *arg;
};

/*
 * xfr_run(req, sink, stats): run the transfer.  Returns an exit status
 * of exitcodes.h: EXIT_OK after the sink said XFR_DONE on a verified
 * message, EXIT_REMOTE (closed, timeout, rcode, malformed), EXIT_VERIFY
 * (TSIG), EXIT_BADINPUT (the sink failed locally).  Reported.
 */
int xfr_run(const struct xfr_req *req, const struct xfr_sink *sink,
    struct xfr_stats *stats);

/* xfr_fail(req, fmt, ...): "zxfr: ZONE from ADDR port N: ..." */
void xfr_fail(const struct xfr_req *req, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- axfr.c ---- */

struct zonebuf;

/* Owners with raw non-ASCII octets warned about one by one. */
#define AXFR_HIGH_WARN_MAX 10
/* Type mnemonics below this are cached by the sink. */
#define AXFR_TYPE_CACHE 300

/* State of the AXFR sink; see axfr.c. */
struct axfr {
	const struct xfr_req *req;
	struct zonebuf *zb;
	uint32_t serial;
	int have_soa;
	int apex_ns;			/* an NS record at the zone apex seen */
	unsigned long records;		/* RRs taken (closing SOA excluded) */
	unsigned long high_owners;	/* owners with raw non-ASCII octets */
	unsigned long big_ttls;		/* TTLs above 2^31-1, set to 0 */
	uint8_t last_high[ZXFR_NAME_MAX];	/* last warned owner */
	size_t last_high_len;
	void *cbuf;			/* struct canon_buf */
	int failed;
	int slow;			/* R53M_ZXFR_SLOW=1: ldns path only */
	char type_names[AXFR_TYPE_CACHE][16];	/* "" until first use */
};

/* One record as canonical text (axfr_record, axfr_record_data). */
struct axfr_rec {
	uint8_t owner[ZXFR_NAME_MAX];
	size_t olen;
	char otext[1024];		/* >= NAME_CANON_MAX */
	unsigned flags;			/* NAME_F_* of the owner */
	const char *type;		/* mnemonic (cached or tbuf) */
	char tbuf[16];
	int is_soa;			/* the zone's SOA; serial is set */
	uint32_t serial;
	long ttl;			/* set by axfr_record_data */
	const char *rdata;		/* canonical RDATA, in a->cbuf until
					 * the next record */
};

/*
 * axfr_record(a, m, rr, r): owner, type and class of RR (class IN
 * required), and whether it is the zone's SOA (with its serial).
 * axfr_record_data(a, m, rr, r): the rest: no meta type, owner inside
 * the zone, TTL (RFC 2181 8), --max-records against a->records, the
 * canonical RDATA.  Both return 0, or -1 after reporting.
 */
int axfr_record(struct axfr *a, const struct wire_msg *m,
    const struct wire_rr *rr, struct axfr_rec *r);
int axfr_record_data(struct axfr *a, const struct wire_msg *m,
    const struct wire_rr *rr, struct axfr_rec *r);

/* axfr_init(a, req): an empty AXFR sink for REQ.  0 or -1 (reported). */
int axfr_init(struct axfr *a, const struct xfr_req *req);
void axfr_free(struct axfr *a);
/* axfr_sink(a, sink): fill SINK to feed A. */
void axfr_sink(struct axfr *a, struct xfr_sink *sink);

/* ---- ixfr.c ---- */

struct ixfr;
struct strm_writer;

/* ixfr_new(req): an IXFR sink for REQ, NULL if out of memory (reported).
 * Free with ixfr_free(). */
struct ixfr *ixfr_new(const struct xfr_req *req);
void ixfr_free(struct ixfr *ix);

/*
 * ixfr_load_base(ix, path): read the base stream PATH (a complete
 * stream of REQ's zone written by zxfr: #serial, one SOA with that
 * serial, no Route 53 fields).  Returns EXIT_OK, or EXIT_BADINPUT after
 * reporting "zxfr: PATH[:LINE]: reason".
 */
int ixfr_load_base(struct ixfr *ix, const char *path);

/*
 * ixfr_transfer(ix, req): ask IXFR from the base's serial (REQ's qtype
 * and extra_rr are set for the call and restored) and apply the answer
 * to the base in memory.  Returns an exit status as xfr_run() does; when
 * it is not EXIT_OK and ixfr_fallback() is not NULL, the answer cannot
 * be used as differences (nothing was reported) and an AXFR should run.
 */
int ixfr_transfer(struct ixfr *ix, struct xfr_req *req);
const char *ixfr_fallback(const struct ixfr *ix);

/* The base's serial; the new version's (the base's if up to date). */
uint32_t ixfr_base_serial(const struct ixfr *ix);
uint32_t ixfr_serial(const struct ixfr *ix);

/*
 * ixfr_write(ix, w, &n): after ixfr_transfer(), every RRset line of the
 * new version in stream order (the caller writes the header and
 * commits); the same lines an AXFR of that version gives.  0 or -1.
 */
int ixfr_write(struct ixfr *ix, struct strm_writer *w,
    unsigned long *nrrsets);

/*
 * ixfr_write_log(ix, path, source, producer): the net effect of the
 * answer as a change stream (format/SPEC.md 5.4) at PATH, atomically.
 * 0, or -1 after reporting.
 */
int ixfr_write_log(const struct ixfr *ix, const char *path,
    const char *source, const char *producer);

/* ---- probe.c ---- */

/*
 * probe_serial(req, &serial): one SOA query over UDP, again over TCP if
 * truncated, TSIG-verified with a key.  Returns an exit status.
 */
int probe_serial(const struct xfr_req *req, uint32_t *serial);

/* ---- notify.c ---- */

/* The options of --listen, from main.c. */
struct notify_opts {
	const char *listen;		/* ADDR:PORT or [V6]:PORT */
	const char *zones_file;		/* --notify-zones */
	const char *stats;		/* --stats FILE, or NULL */
	int verbose;
};

/*
 * notify_listen(o): serve NOTIFYs until SIGTERM/SIGINT (EXIT_OK) or
 * stdout is closed (EXIT_BADINPUT); writes the stats file at the end.
 * EXIT_USAGE when the address or the zones file is unusable (no valid
 * line), EXIT_BADINPUT when the sockets cannot be set up.  Reported.
 */
int notify_listen(const struct notify_opts *o);

/* ---- shared by xfr.c and probe.c ---- */

/*
 * xfr_check_header(req, m, id, qtype, tcp, need_q, err, errsz): checks
 * every response shares: QR set, opcode QUERY, ID, no TC (TCP), the
 * question (if any) is ours.  NEED_Q: exactly one question is required
 * in a NOERROR answer (the first AXFR response, the SOA answer); later
 * AXFR messages may carry none (RFC 5936 2.2).  Returns 0, or -1 with a reason in ERR.
 */
int xfr_check_header(const struct xfr_req *req, const struct wire_msg *m,
    uint16_t id, uint16_t qtype, int tcp, int need_q, char *err,
    size_t errsz);

/*
 * xfr_report_failure(req, m, tsig_rc, err): report a response with an
 * error rcode or TSIG error; returns the exit status.
 */
int xfr_report_rcode(const struct xfr_req *req, const struct wire_msg *m,
    const char *what);

#endif
