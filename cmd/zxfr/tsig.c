/*
 * tsig.c: TSIG (RFC 8945) for zxfr: key files, signing the query, and
 * verifying every response of a transfer as section 5.3.1 requires.
 *
 * ldns is not used here: its AXFR loop verifies nothing, its
 * ldns_pkt_tsig_verify_next() cannot cover unsigned messages and its
 * hmac-sha384 is broken (1.8.3).  The MAC is OpenSSL's EVP_MAC "HMAC",
 * fed piece by piece, so unsigned messages are never buffered.
 *
 * Secrets: decoded into a malloc'd buffer owned by struct tsig_key,
 * zeroed by tsig_key_clear(); the key file text is zeroed after parsing.
 * No message ever contains the secret.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "exitcodes.h"
#include "log.h"
#include "zxfr.h"

/* Size of the buffer holding a decoded secret (a key file token of
 * at most 1023 base64 characters decodes to less). */
#define TSIG_SECRET_CAP 1024

/* ---- algorithms ---- */

struct tsig_alg {
	const char *name;		/* as in key files and on the wire */
	const char *digest;		/* OpenSSL name */
	size_t mac_len;
};

#define ALG_SUPPORTED "hmac-md5, hmac-sha1, hmac-sha224, hmac-sha256, " \
	"hmac-sha384, hmac-sha512"

static const struct tsig_alg tsig_algs[] = {
	{ "hmac-md5.sig-alg.reg.int", "MD5", 16 },
	{ "hmac-sha1", "SHA1", 20 },
	{ "hmac-sha224", "SHA224", 28 },
	{ "hmac-sha256", "SHA256", 32 },
	{ "hmac-sha384", "SHA384", 48 },
	{ "hmac-sha512", "SHA512", 64 },
};

/*
 * alg_known_unsupported(name): NAME is a TSIG algorithm that exists but
 * is not supported here: GSS-TSIG, or a truncated HMAC in BIND's
 * "hmac-sha256-128" form.  Only such a name may be echoed in a message:
 * any other token in a key file may be the secret, misplaced.
 */
static int
alg_known_unsupported(const char *name)
{
	static const char *const other[] = { "gss-tsig", "gss.microsoft.com" };
	size_t i, n;

	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		if (strcasecmp(name, other[i]) == 0)
			return 1;
	for (i = 0; i < sizeof(tsig_algs) / sizeof(tsig_algs[0]); i++) {
		const char *t = i == 0 ? "hmac-md5" : tsig_algs[i].name;

		n = strlen(t);
		if (strncasecmp(name, t, n) != 0 || name[n] != '-' ||
		    name[n + 1] == '\0' ||
		    strspn(name + n + 1, "0123456789") != strlen(name + n + 1) ||
		    strlen(name + n + 1) > 3)
			continue;
		return 1;
	}
	return 0;
}

/* text_to_wire(text, out, &len): a plain presentation name (letters,
 * digits, - _ and dots; no escapes: key and algorithm names) into
 * lower-case wire form.  0 or -1. */
static int
text_to_wire(const char *text, uint8_t *out, size_t cap, size_t *len)
{
	size_t n = 0, lab = 0;
	const char *s;

	if (strcmp(text, ".") == 0) {
		out[0] = 0;
		*len = 1;
		return 0;
	}
	for (s = text; ; s++) {
		if (*s == '.' || *s == '\0') {
			size_t l = n - lab;

			if (l == 0) {
				if (*s == '\0' && n > 0)
					break;	/* trailing dot seen */
				return -1;
			}
			if (l > 63 || n + 2 > cap)
				return -1;
			memmove(out + lab + 1, out + lab, l);
			out[lab] = (uint8_t)l;
			n++;
			lab = n;
			if (*s == '\0')
				break;
			continue;
		}
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return -1;
		if (n + 2 > cap)
			return -1;
		out[n++] = (uint8_t)(*s >= 'A' && *s <= 'Z' ? *s + 32 : *s);
	}
	if (n + 1 > cap || n + 1 > ZXFR_NAME_MAX)
		return -1;
	out[n++] = 0;
	*len = n;
	return 0;
}

static const struct tsig_alg *
alg_find(const char *name)
{
	size_t i, n = strlen(name);

	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n == 8 && strncasecmp(name, "hmac-md5", 8) == 0)
		return &tsig_algs[0];
	for (i = 0; i < sizeof(tsig_algs) / sizeof(tsig_algs[0]); i++)
		if (strlen(tsig_algs[i].name) == n &&
		    strncasecmp(name, tsig_algs[i].name, n) == 0)
			return &tsig_algs[i];
	return NULL;
}

/* ---- key files ---- */

/* A tiny tokenizer for the BIND key syntax. */
struct ktok {
	const char *p, *end;
	const char *src;
	unsigned line;
	char tok[1024];
	int quoted;
};

static void
k_skip(struct ktok *k)
{
	while (k->p < k->end) {
		if (*k->p == '\n') {
			k->line++;
			k->p++;
		} else if (*k->p == ' ' || *k->p == '\t' || *k->p == '\r') {
			k->p++;
		} else if (*k->p == '#' || (*k->p == '/' && k->p + 1 < k->end &&
		    k->p[1] == '/')) {
			while (k->p < k->end && *k->p != '\n')
				k->p++;
		} else if (*k->p == '/' && k->p + 1 < k->end && k->p[1] == '*') {
			k->p += 2;
			while (k->p + 1 < k->end &&
			    !(k->p[0] == '*' && k->p[1] == '/')) {
				if (*k->p == '\n')
					k->line++;
				k->p++;
			}
			k->p = k->p + 1 < k->end ? k->p + 2 : k->end;
		} else {
			break;
		}
	}
}

/* k_next(k): next token into k->tok; 0, 1 at end, -1 on error. */
static int
k_next(struct ktok *k)
{
	size_t n = 0;

	k_skip(k);
	k->quoted = 0;
	k->tok[0] = '\0';
	if (k->p >= k->end)
		return 1;
	if (*k->p == '{' || *k->p == '}' || *k->p == ';') {
		k->tok[0] = *k->p++;
		k->tok[1] = '\0';
		return 0;
	}
	if (*k->p == '"') {
		k->quoted = 1;
		k->p++;
		while (k->p < k->end && *k->p != '"' && *k->p != '\n') {
			if (n + 1 >= sizeof(k->tok))
				return -1;
			k->tok[n++] = *k->p++;
		}
		if (k->p >= k->end || *k->p != '"')
			return -1;
		k->p++;
		k->tok[n] = '\0';
		return 0;
	}
	while (k->p < k->end && strchr(" \t\r\n{};\"#", *k->p) == NULL) {
		if (n + 1 >= sizeof(k->tok))
			return -1;
		k->tok[n++] = *k->p++;
	}
	k->tok[n] = '\0';
	return 0;
}

static int
k_err(struct ktok *k, const char *what)
{
	log_at(k->src, k->line, "bad TSIG key: %s", what);
	return -1;
}

/* b64_decode(in, out, &outlen): strict RFC 4648 with padding. */
static int
b64_decode(const char *in, uint8_t *out, size_t cap, size_t *outlen)
{
	size_t n = strlen(in), i, o = 0;
	uint32_t acc = 0;
	int bits = 0, pad = 0;

	if (n == 0 || n % 4 != 0)
		return -1;
	for (i = 0; i < n; i++) {
		int v;
		char c = in[i];

		if (c >= 'A' && c <= 'Z')
			v = c - 'A';
		else if (c >= 'a' && c <= 'z')
			v = c - 'a' + 26;
		else if (c >= '0' && c <= '9')
			v = c - '0' + 52;
		else if (c == '+')
			v = 62;
		else if (c == '/')
			v = 63;
		else if (c == '=' && i >= n - 2) {
			pad++;
			continue;
		} else
			return -1;
		if (pad > 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= cap)
				return -1;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	*outlen = o;
	return 0;
}

/* Parse "key NAME { algorithm A; secret S; };" with nothing else. */
static int
k_parse(struct ktok *k, struct tsig_key *key)
{
	char name[sizeof(k->tok)] = "";
	const struct tsig_alg *a = NULL;
	int have_secret = 0, r;

	if (k_next(k) != 0 || strcmp(k->tok, "key") != 0)
		return k_err(k, "expected 'key \"NAME\" { ... };'");
	if (k_next(k) != 0 || k->tok[0] == '\0' ||
	    (!k->quoted && strchr("{};", k->tok[0]) != NULL))
		return k_err(k, "missing key name");
	snprintf(name, sizeof(name), "%s", k->tok);
	if (text_to_wire(name, key->name, sizeof(key->name),
	    &key->name_len) == -1)
		return k_err(k, "key name is not a plain domain name");
	wire_name_text(key->name, key->name_len, key->name_text,
	    sizeof(key->name_text));
	if (strlen(key->name_text) > 1)		/* drop the final dot */
		key->name_text[strlen(key->name_text) - 1] = '\0';
	if (k_next(k) != 0 || strcmp(k->tok, "{") != 0)
		return k_err(k, "expected '{' after the key name");
	for (;;) {
		if (k_next(k) != 0)
			return k_err(k, "missing '};' at the end");
		if (strcmp(k->tok, "}") == 0)
			break;
		if (strcmp(k->tok, "algorithm") == 0) {
			if (k_next(k) != 0 || k->tok[0] == '\0')
				return k_err(k, "missing algorithm");
			if ((a = alg_find(k->tok)) == NULL) {
				/* the token is shown only if it is a known
				 * name: it may be the secret, misplaced */
				if (alg_known_unsupported(k->tok))
					log_at(k->src, k->line, "bad TSIG key: "
					    "unsupported algorithm '%s' (%s)",
					    k->tok, ALG_SUPPORTED);
				else
					log_at(k->src, k->line, "bad TSIG key: "
					    "unsupported algorithm (%s)",
					    ALG_SUPPORTED);
				explicit_bzero(k->tok, sizeof(k->tok));
				return -1;
			}
		} else if (strcmp(k->tok, "secret") == 0) {
			if (have_secret)
				return k_err(k, "two secrets");
			if (k_next(k) != 0 || k->tok[0] == '\0')
				return k_err(k, "missing secret");
			key->secret = malloc(TSIG_SECRET_CAP);
			if (key->secret == NULL)
				return k_err(k, "out of memory");
			r = b64_decode(k->tok, key->secret, TSIG_SECRET_CAP,
			    &key->secret_len);
			explicit_bzero(k->tok, sizeof(k->tok));
			if (r == -1 || key->secret_len == 0)
				return k_err(k, "secret is not valid base64");
			have_secret = 1;
		} else {
			/* not echoed: it may be the secret, misplaced */
			explicit_bzero(k->tok, sizeof(k->tok));
			return k_err(k, "unknown statement (want 'algorithm' "
			    "or 'secret')");
		}
		if (k_next(k) != 0 || strcmp(k->tok, ";") != 0)
			return k_err(k, "missing ';'");
	}
	if (k_next(k) != 0 || strcmp(k->tok, ";") != 0)
		return k_err(k, "missing ';' after '}'");
	if ((r = k_next(k)) != 1)
		return k_err(k, r == 0 && strcmp(k->tok, "key") == 0 ?
		    "more than one key in the file" : "text after the key");
	if (a == NULL)
		return k_err(k, "no algorithm");
	if (!have_secret)
		return k_err(k, "no secret");
	key->alg_text = a->name;
	key->digest = a->digest;
	key->mac_len = a->mac_len;
	if (text_to_wire(a->name, key->alg, sizeof(key->alg),
	    &key->alg_len) == -1)
		return k_err(k, "internal: algorithm name");
	if (a == &tsig_algs[0])
		key->alg_text = "hmac-md5";
	return 0;
}

int
tsig_key_parse(const char *text, size_t len, const char *source,
    struct tsig_key *key)
{
	struct ktok k;
	int r;

	memset(key, 0, sizeof(*key));
	memset(&k, 0, sizeof(k));
	k.p = text;
	k.end = text + len;
	k.src = source;
	k.line = 1;
	if (memchr(text, '\0', len) != NULL) {
		log_at(source, 0, "bad TSIG key: NUL octet in the key text");
		return -1;
	}
	r = k_parse(&k, key);
	explicit_bzero(k.tok, sizeof(k.tok));
	if (r == -1)
		tsig_key_clear(key);
	return r;
}

int
tsig_key_load(const char *path, struct tsig_key *key)
{
	char *buf = NULL;
	size_t n = 0, cap = 4096;
	ssize_t r;
	int fd = -1, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		log_errno("cannot open TSIG key file %s", path);
		goto fail;
	}
	if ((buf = malloc(cap)) == NULL) {
		log_msg("out of memory");
		goto fail;
	}
	for (;;) {
		if (n == cap) {
			log_at(path, 0, "bad TSIG key: file larger than "
			    "%zu octets", cap);
			goto fail;
		}
		r = read(fd, buf + n, cap - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			log_errno("cannot read TSIG key file %s", path);
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	rc = tsig_key_parse(buf, n, path, key);
fail:
	if (buf != NULL) {
		explicit_bzero(buf, cap);
		free(buf);
	}
	if (fd != -1)
		close(fd);
	return rc;
}

void
tsig_key_clear(struct tsig_key *key)
{
	if (key->secret != NULL) {
		explicit_bzero(key->secret, TSIG_SECRET_CAP);
		free(key->secret);
	}
	explicit_bzero(key, sizeof(*key));
}

const char *
tsig_error_name(int code)
{
	switch (code) {
	case TSIG_BADSIG: return "BADSIG";
	case TSIG_BADKEY: return "BADKEY";
	case TSIG_BADTIME: return "BADTIME";
	case 19: return "BADMODE";
	case 20: return "BADNAME";
	case 21: return "BADALG";
	case TSIG_BADTRUNC: return "BADTRUNC";
	default: return NULL;
	}
}

/* ---- MAC ---- */

static EVP_MAC_CTX *
mac_new(const struct tsig_key *key)
{
	EVP_MAC *mac = NULL;
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM params[2];

	if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		return NULL;
	ctx = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac);		/* the context holds a reference */
	if (ctx == NULL)
		return NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)key->digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_init(ctx, key->secret, key->secret_len, params)) {
		EVP_MAC_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

static int
mac_add(EVP_MAC_CTX *ctx, const void *p, size_t n)
{
	return EVP_MAC_update(ctx, p, n) ? 0 : -1;
}

static void
put48(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 5; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

static uint64_t
get48(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 6; i++)
		v = (v << 8) | p[i];
	return v;
}

static time_t
now_real(void)
{
	return time(NULL);
}

/* tsig_vars(key name, alg, timers, error, other, out): the TSIG variables
 * of RFC 8945 4.3.3 (name, class ANY, TTL 0, algorithm, time, fudge,
 * error, other) into OUT; returns their length. */
static size_t
tsig_vars(const uint8_t *name, size_t nlen, const uint8_t *alg, size_t alen,
    uint64_t t, uint16_t fudge, uint16_t error, const uint8_t *other,
    uint16_t olen, uint8_t *out)
{
	size_t v = 0;

	memcpy(out, name, nlen);
	v = nlen;
	wire_put16(out + v, 255);
	memset(out + v + 2, 0, 4);
	v += 6;
	memcpy(out + v, alg, alen);
	v += alen;
	put48(out + v, t);
	wire_put16(out + v + 6, fudge);
	wire_put16(out + v + 8, error);
	wire_put16(out + v + 10, olen);
	v += 12;
	if (olen > 0)
		memcpy(out + v, other, olen);
	return v + olen;
}

/* put_tsig_rr(ri, t, error, mac, maclen, other, olen, msg, len, cap):
 * append the TSIG RR and count it in ARCOUNT. */
static int
put_tsig_rr(const struct tsig_reqinfo *ri, uint64_t t, uint16_t error,
    const uint8_t *mac, size_t maclen, const uint8_t *other, uint16_t olen,
    uint8_t *msg, size_t *len, size_t cap)
{
	size_t rdlen = ri->alg_len + 10 + maclen + 6 + olen;
	uint8_t *p = msg + *len;

	if (*len + ri->name_len + 10 + rdlen > cap)
		return -1;
	memcpy(p, ri->name, ri->name_len);
	p += ri->name_len;
	wire_put16(p, 250);
	wire_put16(p + 2, 255);
	memset(p + 4, 0, 4);
	wire_put16(p + 8, (uint16_t)rdlen);
	p += 10;
	memcpy(p, ri->alg, ri->alg_len);
	p += ri->alg_len;
	put48(p, t);
	wire_put16(p + 6, TSIG_FUDGE);
	wire_put16(p + 8, (uint16_t)maclen);
	if (maclen > 0)
		memcpy(p + 10, mac, maclen);
	p += 10 + maclen;
	wire_put16(p, ri->orig_id);
	wire_put16(p + 2, error);
	wire_put16(p + 4, olen);
	if (olen > 0)
		memcpy(p + 6, other, olen);
	p += 6 + olen;
	*len = (size_t)(p - msg);
	wire_put16(msg + 10, (uint16_t)(wire_get16(msg + 10) + 1));
	return 0;
}

int
tsig_sign_query(struct tsig_state *st, const struct tsig_key *key,
    uint8_t *msg, size_t *len, size_t cap)
{
	struct tsig_reqinfo ri;
	EVP_MAC_CTX *ctx = NULL;
	uint8_t vars[ZXFR_NAME_MAX * 2 + 32];
	size_t vlen, maclen = 0;
	uint64_t t;
	int rc = -1;

	memset(st, 0, sizeof(*st));
	st->key = key;
	st->query_id = wire_get16(msg);
	if (st->now == NULL)
		st->now = now_real;
	t = (uint64_t)st->now();
	if (*len + key->name_len + 10 + key->alg_len + 16 + key->mac_len >
	    cap)
		return -1;
	vlen = tsig_vars(key->name, key->name_len, key->alg, key->alg_len, t,
	    TSIG_FUDGE, 0, NULL, 0, vars);
	if ((ctx = mac_new(key)) == NULL || mac_add(ctx, msg, *len) == -1 ||
	    mac_add(ctx, vars, vlen) == -1 ||
	    !EVP_MAC_final(ctx, st->mac, &maclen, sizeof(st->mac)) ||
	    maclen != key->mac_len)
		goto fail;
	st->mac_len = maclen;
	memset(&ri, 0, sizeof(ri));
	memcpy(ri.name, key->name, key->name_len);
	ri.name_len = key->name_len;
	memcpy(ri.alg, key->alg, key->alg_len);
	ri.alg_len = key->alg_len;
	ri.orig_id = st->query_id;
	rc = put_tsig_rr(&ri, t, 0, st->mac, maclen, NULL, 0, msg, len, cap);
fail:
	EVP_MAC_CTX_free(ctx);
	return rc;
}

/* The fields of a received TSIG RR. */
struct tsig_rr {
	uint8_t name[ZXFR_NAME_MAX], alg[ZXFR_NAME_MAX];
	size_t name_len, alg_len;
	uint64_t time;
	uint16_t fudge, mac_len, orig_id, error, other_len;
	const uint8_t *mac, *other;
	size_t timers_off;		/* offset of "time signed" */
};

static int
tsig_rr_parse(const struct wire_msg *m, struct tsig_rr *t)
{
	size_t off = m->tsig.off, end = m->tsig.end;

	if (wire_name(m->p, m->len, &off, t->name, &t->name_len) == -1)
		return -1;
	off = m->tsig.rdata_off;
	if (wire_name(m->p, end, &off, t->alg, &t->alg_len) == -1)
		return -1;
	if (off + 10 > end)
		return -1;
	t->timers_off = off;
	t->time = get48(m->p + off);
	t->fudge = wire_get16(m->p + off + 6);
	t->mac_len = wire_get16(m->p + off + 8);
	off += 10;
	if (off + t->mac_len + 6 > end)
		return -1;
	t->mac = m->p + off;
	off += t->mac_len;
	t->orig_id = wire_get16(m->p + off);
	t->error = wire_get16(m->p + off + 2);
	t->other_len = wire_get16(m->p + off + 4);
	off += 6;
	if (off + t->other_len != end)
		return -1;
	t->other = m->p + off;
	return 0;
}

static enum tsig_result
v_fail(char *err, size_t errsz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum tsig_result
v_fail(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
	return TSIG_FAIL;
}

/* Start the MAC of the next response: prior MAC length and MAC. */
static int
chain_start(struct tsig_state *st)
{
	uint8_t l[2];

	EVP_MAC_CTX_free(st->ctx);
	if ((st->ctx = mac_new(st->key)) == NULL)
		return -1;
	wire_put16(l, (uint16_t)st->mac_len);
	if (mac_add(st->ctx, l, 2) == -1 ||
	    mac_add(st->ctx, st->mac, st->mac_len) == -1)
		return -1;
	return 0;
}

enum tsig_result
tsig_verify(struct tsig_state *st, const struct wire_msg *m, char *err,
    size_t errsz)
{
	struct tsig_rr t;
	const struct tsig_key *key = st->key;
	uint8_t hdr[WIRE_HDR], vars[ZXFR_NAME_MAX * 2 + 32], mac[TSIG_MAC_MAX];
	size_t vlen = 0, maclen = 0;
	int64_t skew;
	uint64_t now;

	st->tsig_error = 0;
	if (st->ctx == NULL && chain_start(st) == -1)
		return v_fail(err, errsz, "cannot compute HMAC (OpenSSL)");
	if (!m->has_tsig) {
		if (st->signed_msgs == 0)
			return v_fail(err, errsz, "first response is not "
			    "signed (TSIG missing)");
		if (++st->unsigned_run > 99)
			return v_fail(err, errsz, "%u unsigned messages in a "
			    "row (RFC 8945 allows 99)", st->unsigned_run);
		if (mac_add(st->ctx, m->p, m->len) == -1)
			return v_fail(err, errsz, "cannot compute HMAC");
		return TSIG_UNSIGNED;
	}
	if (tsig_rr_parse(m, &t) == -1)
		return v_fail(err, errsz, "malformed TSIG record");
	if (!wire_name_eq(t.name, t.name_len, key->name, key->name_len)) {
		char n[ZXFR_NAME_MAX * 4 + 2];

		wire_name_text(t.name, t.name_len, n, sizeof(n));
		return v_fail(err, errsz, "response signed with key %s, "
		    "not %s", n, key->name_text);
	}
	if (!wire_name_eq(t.alg, t.alg_len, key->alg, key->alg_len)) {
		char n[ZXFR_NAME_MAX * 4 + 2];

		wire_name_text(t.alg, t.alg_len, n, sizeof(n));
		return v_fail(err, errsz, "response signed with algorithm "
		    "%s, not %s", n, key->alg_text);
	}
	if (m->tsig.class != 255 || m->tsig.ttl != 0)
		return v_fail(err, errsz, "malformed TSIG record (class or "
		    "TTL)");
	if (t.error != 0) {
		const char *en = tsig_error_name(t.error);

		st->tsig_error = t.error;
		if (t.error == TSIG_BADKEY)
			return v_fail(err, errsz, "BADKEY: the server does not "
			    "know key %s with algorithm %s", key->name_text,
			    key->alg_text);
		if (t.error == TSIG_BADSIG)
			return v_fail(err, errsz, "BADSIG: the server rejected "
			    "our signature (wrong secret for key %s?)",
			    key->name_text);
		if (t.error == TSIG_BADTIME)
			return v_fail(err, errsz, "BADTIME: the server's clock "
			    "and ours differ by more than the fudge (%u s)",
			    TSIG_FUDGE);
		if (en != NULL)
			return v_fail(err, errsz, "TSIG error %s", en);
		return v_fail(err, errsz, "TSIG error %u", t.error);
	}
	if (t.mac_len != key->mac_len)
		return v_fail(err, errsz, "MAC of %u octets, expected %zu "
		    "(truncated MACs are not accepted)", t.mac_len,
		    key->mac_len);
	/* the message as it was before signing: original ID, ARCOUNT - 1 */
	memcpy(hdr, m->p, WIRE_HDR);
	wire_put16(hdr, t.orig_id);
	wire_put16(hdr + 10, (uint16_t)(m->ar - 1));
	if (mac_add(st->ctx, hdr, WIRE_HDR) == -1 ||
	    mac_add(st->ctx, m->p + WIRE_HDR, m->tsig.off - WIRE_HDR) == -1)
		return v_fail(err, errsz, "cannot compute HMAC");
	if (st->signed_msgs == 0) {
		/* first response: all TSIG variables (RFC 8945 4.3.3) */
		memcpy(vars, key->name, key->name_len);
		vlen = key->name_len;
		wire_put16(vars + vlen, 255);
		memset(vars + vlen + 2, 0, 4);
		vlen += 6;
		memcpy(vars + vlen, key->alg, key->alg_len);
		vlen += key->alg_len;
		memcpy(vars + vlen, m->p + t.timers_off, 8);
		vlen += 8;
		wire_put16(vars + vlen, t.error);
		wire_put16(vars + vlen + 2, t.other_len);
		vlen += 4;
		if (mac_add(st->ctx, vars, vlen) == -1 ||
		    mac_add(st->ctx, t.other, t.other_len) == -1)
			return v_fail(err, errsz, "cannot compute HMAC");
	} else {
		/* later responses: timers only (RFC 8945 5.3.1) */
		if (mac_add(st->ctx, m->p + t.timers_off, 8) == -1)
			return v_fail(err, errsz, "cannot compute HMAC");
	}
	if (!EVP_MAC_final(st->ctx, mac, &maclen, sizeof(mac)) ||
	    maclen != key->mac_len)
		return v_fail(err, errsz, "cannot compute HMAC");
	EVP_MAC_CTX_free(st->ctx);
	st->ctx = NULL;
	if (CRYPTO_memcmp(mac, t.mac, maclen) != 0) {
		return v_fail(err, errsz, "BADSIG: MAC of response %u does not "
		    "verify with key %s (altered, replayed or forged%s)",
		    st->signed_msgs + st->unsigned_run + 1, key->name_text,
		    st->signed_msgs == 0 ? ", or a wrong secret" : "");
	}
	now = (uint64_t)st->now();
	skew = (int64_t)(now - t.time);
	if (skew > (int64_t)t.fudge || skew < -(int64_t)t.fudge) {
		return v_fail(err, errsz, "BADTIME: response signed at %llu, "
		    "%lld s from our clock, outside its fudge of %u s",
		    (unsigned long long)t.time, (long long)skew, t.fudge);
	}
	memcpy(st->mac, mac, maclen);
	st->mac_len = maclen;
	st->signed_msgs++;
	st->unsigned_run = 0;
	if (chain_start(st) == -1)
		return v_fail(err, errsz, "cannot compute HMAC");
	return TSIG_OK;
}

void
tsig_state_clear(struct tsig_state *st)
{
	EVP_MAC_CTX_free(st->ctx);
	st->ctx = NULL;
	explicit_bzero(st->mac, sizeof(st->mac));
}

/* ---- requests (NOTIFY): RFC 8945 5.2 (server side) ---- */

int
tsig_request_check(const struct tsig_key *key, const struct wire_msg *m,
    time_t now, struct tsig_reqinfo *ri)
{
	struct tsig_rr t;
	uint8_t hdr[WIRE_HDR], vars[ZXFR_NAME_MAX * 2 + 32 + 6];
	uint8_t mac[TSIG_MAC_MAX];
	EVP_MAC_CTX *ctx = NULL;
	size_t vlen, maclen = 0, minlen;
	int64_t skew;
	int ok;

	memset(ri, 0, sizeof(*ri));
	if (!m->has_tsig || tsig_rr_parse(m, &t) == -1 ||
	    m->tsig.class != 255 || m->tsig.ttl != 0 || t.other_len > 6)
		return -1;
	memcpy(ri->name, t.name, t.name_len);
	ri->name_len = t.name_len;
	memcpy(ri->alg, t.alg, t.alg_len);
	ri->alg_len = t.alg_len;
	ri->time = t.time;
	ri->fudge = t.fudge;
	ri->orig_id = t.orig_id;
	if (key == NULL ||
	    !wire_name_eq(t.name, t.name_len, key->name, key->name_len) ||
	    !wire_name_eq(t.alg, t.alg_len, key->alg, key->alg_len))
		return TSIG_BADKEY;
	/* RFC 8945 5.2.2.1: a MAC longer than the digest, or shorter than
	 * half of it (and 10 octets), is a format error; a truncated MAC
	 * is not accepted here */
	minlen = key->mac_len / 2 > 10 ? key->mac_len / 2 : 10;
	if (t.mac_len > key->mac_len || t.mac_len < minlen)
		return -1;
	if (t.mac_len != key->mac_len)
		return TSIG_BADTRUNC;
	memcpy(hdr, m->p, WIRE_HDR);
	wire_put16(hdr, t.orig_id);
	wire_put16(hdr + 10, (uint16_t)(m->ar - 1));
	vlen = tsig_vars(t.name, t.name_len, t.alg, t.alg_len, t.time,
	    t.fudge, t.error, t.other, t.other_len, vars);
	ok = (ctx = mac_new(key)) != NULL &&
	    mac_add(ctx, hdr, WIRE_HDR) == 0 &&
	    mac_add(ctx, m->p + WIRE_HDR, m->tsig.off - WIRE_HDR) == 0 &&
	    mac_add(ctx, vars, vlen) == 0 &&
	    EVP_MAC_final(ctx, mac, &maclen, sizeof(mac)) &&
	    maclen == key->mac_len;
	EVP_MAC_CTX_free(ctx);
	if (!ok || CRYPTO_memcmp(mac, t.mac, maclen) != 0)
		return TSIG_BADSIG;
	memcpy(ri->mac, t.mac, maclen);
	ri->mac_len = maclen;
	skew = (int64_t)((uint64_t)now - t.time);
	if (skew > (int64_t)t.fudge || skew < -(int64_t)t.fudge)
		return TSIG_BADTIME;
	return 0;
}

int
tsig_response_sign(const struct tsig_key *key, const struct tsig_reqinfo *ri,
    uint16_t error, time_t now, uint8_t *msg, size_t *len, size_t cap)
{
	uint8_t vars[ZXFR_NAME_MAX * 2 + 32 + 6], other[6], l[2];
	uint8_t mac[TSIG_MAC_MAX];
	EVP_MAC_CTX *ctx = NULL;
	uint64_t t = (uint64_t)now;
	uint16_t olen = 0;
	size_t vlen, maclen = 0;
	int ok;

	/* BADKEY, BADSIG, BADTRUNC: the request's MAC is not trusted,
	 * the answer is unsigned (RFC 8945 5.3.2) */
	if (key == NULL || ri->mac_len == 0 || error == TSIG_BADKEY ||
	    error == TSIG_BADSIG || error == TSIG_BADTRUNC)
		return put_tsig_rr(ri, t, error, NULL, 0, NULL, 0, msg, len,
		    cap);
	if (error == TSIG_BADTIME) {
		/* the request's time signed, ours in Other Data (5.2.3) */
		put48(other, t);
		olen = 6;
		t = ri->time;
	}
	vlen = tsig_vars(key->name, key->name_len, key->alg, key->alg_len, t,
	    TSIG_FUDGE, error, other, olen, vars);
	wire_put16(l, (uint16_t)ri->mac_len);
	ok = (ctx = mac_new(key)) != NULL && mac_add(ctx, l, 2) == 0 &&
	    mac_add(ctx, ri->mac, ri->mac_len) == 0 &&
	    mac_add(ctx, msg, *len) == 0 && mac_add(ctx, vars, vlen) == 0 &&
	    EVP_MAC_final(ctx, mac, &maclen, sizeof(mac)) &&
	    maclen == key->mac_len;
	EVP_MAC_CTX_free(ctx);
	if (!ok)
		return -1;
	return put_tsig_rr(ri, t, error, mac, maclen, other, olen, msg, len,
	    cap);
}
