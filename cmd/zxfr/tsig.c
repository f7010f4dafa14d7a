/*
 * tsig.c: TSIG (RFC 8945) for zxfr: key files, signing the query, and
 * verifying every response of a transfer as section 5.3.1 requires.
 *
 * ldns is not used here: its AXFR loop verifies nothing, its
 * ldns_pkt_tsig_verify_next() cannot cover unsigned messages and its
 * hmac-sha384 is broken (1.8.3).  The MAC is OpenSSL's EVP_MAC "HMAC",
 * fed piece by piece, so unsigned messages are never buffered.
 *
 * Map: algorithms; key files (BIND's format: k_*; the line formats,
 * Knot's key: section and dig's ALG:NAME:SECRET: kl_*, y_*, d_*;
 * tsig_key_parse picks one by the first line); the MAC; signing the
 * query; verifying the responses.
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

/*
 * key_set_name(key, text): the key's name in wire and message form;
 * key_set_alg(key, a); key_set_secret(key, b64).  The pieces every key
 * file format fills.  -1 on a bad value (the caller reports which).
 */
static int
key_set_name(struct tsig_key *key, const char *text)
{
	if (text_to_wire(text, key->name, sizeof(key->name),
	    &key->name_len) == -1)
		return -1;
	wire_name_text(key->name, key->name_len, key->name_text,
	    sizeof(key->name_text));
	if (strlen(key->name_text) > 1)		/* drop the final dot */
		key->name_text[strlen(key->name_text) - 1] = '\0';
	return 0;
}

static int
key_set_alg(struct tsig_key *key, const struct tsig_alg *a)
{
	key->alg_text = a == &tsig_algs[0] ? "hmac-md5" : a->name;
	key->digest = a->digest;
	key->mac_len = a->mac_len;
	return text_to_wire(a->name, key->alg, sizeof(key->alg),
	    &key->alg_len);
}

static int
key_set_secret(struct tsig_key *key, const char *b64)
{
	if (key->secret == NULL &&
	    (key->secret = malloc(TSIG_SECRET_CAP)) == NULL)
		return -1;
	if (b64_decode(b64, key->secret, TSIG_SECRET_CAP,
	    &key->secret_len) == -1 || key->secret_len == 0)
		return -1;
	return 0;
}

/* alg_lookup(src, line, text): the algorithm TEXT names, or NULL after
 * reporting.  TEXT is shown only if it is a known name: it may be the
 * secret, misplaced. */
static const struct tsig_alg *
alg_lookup(const char *src, unsigned line, const char *text)
{
	const struct tsig_alg *a = alg_find(text);

	if (a != NULL)
		return a;
	if (alg_known_unsupported(text))
		log_at(src, line, "bad TSIG key: unsupported algorithm '%s' "
		    "(%s)", text, ALG_SUPPORTED);
	else
		log_at(src, line, "bad TSIG key: unsupported algorithm (%s)",
		    ALG_SUPPORTED);
	return NULL;
}

/* Parse "key NAME { algorithm A; secret S; };" with nothing else. */
static int
k_parse(struct ktok *k, struct tsig_key *key)
{
	const struct tsig_alg *a = NULL;
	int have_secret = 0, r;

	if (k_next(k) != 0 || strcmp(k->tok, "key") != 0)
		return k_err(k, "expected 'key \"NAME\" { ... };' (BIND), "
		    "'key:' (Knot) or 'ALG:NAME:SECRET' (dig -y)");
	if (k_next(k) != 0 || k->tok[0] == '\0' ||
	    (!k->quoted && strchr("{};", k->tok[0]) != NULL))
		return k_err(k, "missing key name");
	if (key_set_name(key, k->tok) == -1)
		return k_err(k, "key name is not a plain domain name");
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
			a = alg_lookup(k->src, k->line, k->tok);
			explicit_bzero(k->tok, sizeof(k->tok));
			if (a == NULL)
				return -1;
		} else if (strcmp(k->tok, "secret") == 0) {
			if (have_secret)
				return k_err(k, "two secrets");
			if (k_next(k) != 0 || k->tok[0] == '\0')
				return k_err(k, "missing secret");
			r = key_set_secret(key, k->tok);
			explicit_bzero(k->tok, sizeof(k->tok));
			if (r == -1)
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
	if (key_set_alg(key, a) == -1)
		return k_err(k, "internal: algorithm name");
	return 0;
}

/*
 * Line formats: Knot's (keymgr -t NAME ALG prints it; NSD's key: clause
 * reads the same way)
 *	key:
 *	  - id: NAME
 *	    algorithm: hmac-sha256
 *	    secret: BASE64
 * and dig's -y argument on one line: ALG:NAME:SECRET, or NAME:SECRET
 * for hmac-md5 as dig takes it.  Blank lines and # comments are skipped
 * (keymgr's first line is the key in dig's form, as a comment).
 */
struct kline {
	const char *p, *end, *src;
	unsigned line;			/* of the line in buf */
	char buf[1100];
	int indent;			/* the line was indented */
};

/* kl_next(kl): the next line with content, trimmed, comment cut, into
 * kl->buf.  1 there is one, 0 at end, -1 too long (reported). */
static int
kl_next(struct kline *kl)
{
	while (kl->p < kl->end) {
		const char *e = memchr(kl->p, '\n', (size_t)(kl->end - kl->p));
		size_t n, i = 0;
		char *c;

		e = e == NULL ? kl->end : e;
		n = (size_t)(e - kl->p);
		kl->line++;
		if (n >= sizeof(kl->buf)) {
			log_at(kl->src, kl->line, "bad TSIG key: line too long");
			return -1;
		}
		memcpy(kl->buf, kl->p, n);
		kl->buf[n] = '\0';
		kl->p = e < kl->end ? e + 1 : e;
		if ((c = strchr(kl->buf, '#')) != NULL)
			*c = '\0';
		while (kl->buf[i] == ' ' || kl->buf[i] == '\t')
			i++;
		kl->indent = i > 0;
		memmove(kl->buf, kl->buf + i, strlen(kl->buf + i) + 1);
		n = strlen(kl->buf);
		while (n > 0 && strchr(" \t\r", kl->buf[n - 1]) != NULL)
			kl->buf[--n] = '\0';
		if (n > 0)
			return 1;
	}
	return 0;
}

static int
kl_err(struct kline *kl, const char *what)
{
	explicit_bzero(kl->buf, sizeof(kl->buf));
	log_at(kl->src, kl->line, "bad TSIG key: %s", what);
	return -1;
}

/* unquote(v): V without one pair of surrounding quotes, in place. */
static char *
unquote(char *v)
{
	size_t n = strlen(v);

	if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
		v[n - 1] = '\0';
		return v + 1;
	}
	return v;
}

/* One "field: value" line of the key: section. */
static int
y_field(struct kline *kl, struct tsig_key *key, const struct tsig_alg **a,
    int *have)
{
	char *f = kl->buf, *v = strchr(kl->buf, ':');

	if (v == NULL)
		return kl_err(kl, "expected 'FIELD: VALUE' (id, algorithm, "
		    "secret)");
	*v++ = '\0';
	while (*v == ' ' || *v == '\t')
		v++;
	v = unquote(v);
	if (strcmp(f, "id") == 0 || strcmp(f, "name") == 0) {
		if (*v == '\0' || key_set_name(key, v) == -1)
			return kl_err(kl, "id: the key name is not a plain "
			    "domain name");
		have[0] = 1;
	} else if (strcmp(f, "algorithm") == 0) {
		if ((*a = alg_lookup(kl->src, kl->line, v)) == NULL)
			return kl_err(kl, "algorithm: not a TSIG algorithm");
	} else if (strcmp(f, "secret") == 0) {
		if (have[1] || key_set_secret(key, v) == -1)
			return kl_err(kl, have[1] ? "two secrets" :
			    "secret: not valid base64");
		have[1] = 1;
	} else {
		/* not echoed: it may be the secret, misplaced */
		return kl_err(kl, "unknown field (want id, algorithm, "
		    "secret)");
	}
	return 0;
}

/* Knot's key: section, one key. */
static int
y_parse(struct kline *kl, struct tsig_key *key)
{
	const struct tsig_alg *a = NULL;
	int have[2] = { 0, 0 }, items = 0, r;

	if (kl_next(kl) != 1 || strcmp(kl->buf, "key:") != 0)
		return kl_err(kl, "expected 'key:'");
	while ((r = kl_next(kl)) == 1) {
		if (!kl->indent)
			return kl_err(kl, "text after the key: section");
		if (kl->buf[0] == '-') {
			if (++items > 1)
				return kl_err(kl, "more than one key in the "
				    "file");
			memmove(kl->buf, kl->buf + 1, strlen(kl->buf));
			while (kl->buf[0] == ' ' || kl->buf[0] == '\t')
				memmove(kl->buf, kl->buf + 1, strlen(kl->buf));
		}
		if (y_field(kl, key, &a, have) == -1)
			return -1;
	}
	explicit_bzero(kl->buf, sizeof(kl->buf));
	if (r == -1)
		return -1;
	if (!have[0])
		return kl_err(kl, "no id (the key name)");
	if (a == NULL)
		return kl_err(kl, "no algorithm");
	if (!have[1])
		return kl_err(kl, "no secret");
	return key_set_alg(key, a) == -1 ? kl_err(kl, "internal") : 0;
}

/* dig's [ALG:]NAME:SECRET on one line. */
static int
d_parse(struct kline *kl, struct tsig_key *key)
{
	const struct tsig_alg *a = &tsig_algs[0];	/* dig: hmac-md5 */
	char *name, *secret, *c;
	int r;

	if (kl_next(kl) != 1)
		return kl_err(kl, "empty key file");
	if ((c = strchr(kl->buf, ':')) == NULL)
		return kl_err(kl, "expected ALG:NAME:SECRET (dig -y)");
	*c = '\0';
	name = kl->buf;
	secret = c + 1;
	if ((c = strchr(secret, ':')) != NULL) {
		*c = '\0';
		if (strchr(c + 1, ':') != NULL)
			return kl_err(kl, "expected ALG:NAME:SECRET (dig -y)");
		if ((a = alg_lookup(kl->src, kl->line, kl->buf)) == NULL)
			return kl_err(kl, "ALG: not a TSIG algorithm");
		name = secret;
		secret = c + 1;
	}
	if (key_set_name(key, name) == -1)
		return kl_err(kl, "NAME: the key name is not a plain domain "
		    "name");
	if (key_set_secret(key, secret) == -1)
		return kl_err(kl, "SECRET: not valid base64");
	explicit_bzero(kl->buf, sizeof(kl->buf));
	if ((r = kl_next(kl)) != 0)
		return r == -1 ? -1 : kl_err(kl, "more than one line (one "
		    "key, ALG:NAME:SECRET)");
	return key_set_alg(key, a) == -1 ? kl_err(kl, "internal") : 0;
}

/* key_format(text, len): 'b' BIND, 'k' Knot's key:, 'd' dig's line,
 * from the first line with content. */
static int
key_format(const char *text, size_t len)
{
	struct ktok k;
	const char *e;

	memset(&k, 0, sizeof(k));
	k.p = text;
	k.end = text + len;
	k_skip(&k);
	if (k.end - k.p >= 4 && strncmp(k.p, "key:", 4) == 0 &&
	    (k.end - k.p == 4 || strchr(" \t\r\n#", k.p[4]) != NULL))
		return 'k';
	if (k.end - k.p >= 3 && strncmp(k.p, "key", 3) == 0 &&
	    (k.end - k.p == 3 || strchr(" \t\r\n\"{", k.p[3]) != NULL))
		return 'b';
	e = memchr(k.p, '\n', (size_t)(k.end - k.p));
	if (memchr(k.p, ':', (size_t)((e != NULL ? e : k.end) - k.p)) != NULL)
		return 'd';
	return 'b';
}

int
tsig_key_parse(const char *text, size_t len, const char *source,
    struct tsig_key *key)
{
	struct ktok k;
	struct kline kl;
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
	switch (key_format(text, len)) {
	case 'k':
	case 'd':
		memset(&kl, 0, sizeof(kl));
		kl.p = text;
		kl.end = text + len;
		kl.src = source;
		r = key_format(text, len) == 'k' ? y_parse(&kl, key) :
		    d_parse(&kl, key);
		explicit_bzero(kl.buf, sizeof(kl.buf));
		break;
	default:
		r = k_parse(&k, key);
		explicit_bzero(k.tok, sizeof(k.tok));
	}
	if (r == -1)
		tsig_key_clear(key);
	return r;
}

/*
 * key_file_mode(fd, path): warn when other users may read or change
 * the key (tsig-keygen > file under the usual umask 022 gives 0644).
 * Group read is left alone: root:bind 0640 is how BIND's keys are kept.
 */
static void
key_file_mode(int fd, const char *path)
{
	struct stat st;

	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode))
		return;
	if (st.st_mode & (S_IRWXO | S_IWGRP))
		log_warn("TSIG key file %s is %s by other users (mode %04o); "
		    "chmod o-rwx,g-w it", path, st.st_mode & S_IROTH ?
		    "readable" : "writable", (unsigned)(st.st_mode & 07777));
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
	key_file_mode(fd, path);
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
 * error, other) into OUT; returns their length.  OTHER NULL: only its
 * length OLEN is written, and the caller feeds the OLEN octets to the
 * MAC itself (a response's Other Data may be far longer than OUT). */
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
	if (other == NULL)
		return v;
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

/* An unsigned response: allowed after the first signed one, fed into
 * the running MAC, at most 99 in a row (RFC 8945 5.3.1). */
static enum tsig_result
verify_unsigned(struct tsig_state *st, const struct wire_msg *m, char *err,
    size_t errsz)
{
	if (st->signed_msgs == 0)
		return v_fail(err, errsz, "first response is not signed "
		    "(TSIG missing)");
	if (++st->unsigned_run > 99)
		return v_fail(err, errsz, "%u unsigned messages in a row "
		    "(RFC 8945 allows 99)", st->unsigned_run);
	if (mac_add(st->ctx, m->p, m->len) == -1)
		return v_fail(err, errsz, "cannot compute HMAC");
	return TSIG_UNSIGNED;
}

/* The server's TSIG error in a response, kept in st->tsig_error and
 * explained for the common ones. */
static enum tsig_result
server_error(struct tsig_state *st, uint16_t error, char *err, size_t errsz)
{
	const struct tsig_key *key = st->key;
	const char *en = tsig_error_name(error);

	st->tsig_error = error;
	if (error == TSIG_BADKEY)
		return v_fail(err, errsz, "BADKEY: the server does not know "
		    "key %s with algorithm %s", key->name_text, key->alg_text);
	if (error == TSIG_BADSIG)
		return v_fail(err, errsz, "BADSIG: the server rejected our "
		    "signature (wrong secret for key %s?)", key->name_text);
	if (error == TSIG_BADTIME)
		return v_fail(err, errsz, "BADTIME: the server's clock and "
		    "ours differ by more than the fudge (%u s)", TSIG_FUDGE);
	if (en != NULL)
		return v_fail(err, errsz, "TSIG error %s", en);
	return v_fail(err, errsz, "TSIG error %u", error);
}

/* Before any MAC: our key and algorithm, class ANY and TTL 0, no TSIG
 * error, a MAC of the full length.  TSIG_OK or TSIG_FAIL. */
static enum tsig_result
check_tsig_fields(struct tsig_state *st, const struct wire_msg *m,
    const struct tsig_rr *t, char *err, size_t errsz)
{
	const struct tsig_key *key = st->key;
	char n[ZXFR_NAME_MAX * 4 + 2];

	if (!wire_name_eq(t->name, t->name_len, key->name, key->name_len)) {
		wire_name_text(t->name, t->name_len, n, sizeof(n));
		return v_fail(err, errsz, "response signed with key %s, "
		    "not %s", n, key->name_text);
	}
	if (!wire_name_eq(t->alg, t->alg_len, key->alg, key->alg_len)) {
		wire_name_text(t->alg, t->alg_len, n, sizeof(n));
		return v_fail(err, errsz, "response signed with algorithm "
		    "%s, not %s", n, key->alg_text);
	}
	if (m->tsig.class != 255 || m->tsig.ttl != 0)
		return v_fail(err, errsz, "malformed TSIG record (class or "
		    "TTL)");
	if (t->error != 0)
		return server_error(st, t->error, err, errsz);
	if (t->mac_len != key->mac_len)
		return v_fail(err, errsz, "MAC of %u octets, expected %zu "
		    "(truncated MACs are not accepted)", t->mac_len,
		    key->mac_len);
	return TSIG_OK;
}

/*
 * The TSIG variables after the message: all of them for the first
 * response (RFC 8945 4.3.3), the timers only for later ones (5.3.1).
 * Other Data is fed from the message, not copied: it may be long.
 */
static int
mac_add_vars(struct tsig_state *st, const struct wire_msg *m,
    const struct tsig_rr *t)
{
	const struct tsig_key *key = st->key;
	uint8_t vars[ZXFR_NAME_MAX * 2 + 32];
	size_t vlen;

	if (st->signed_msgs > 0)
		return mac_add(st->ctx, m->p + t->timers_off, 8);
	vlen = tsig_vars(key->name, key->name_len, key->alg, key->alg_len,
	    t->time, t->fudge, t->error, NULL, t->other_len, vars);
	if (mac_add(st->ctx, vars, vlen) == -1 ||
	    mac_add(st->ctx, t->other, t->other_len) == -1)
		return -1;
	return 0;
}

/*
 * response_mac(st, m, t, mac, &maclen): finish the running MAC with the
 * response as it was before signing (original ID, ARCOUNT - 1, no TSIG
 * RR) and its TSIG variables; the running MAC is then freed.  0 or -1.
 */
static int
response_mac(struct tsig_state *st, const struct wire_msg *m,
    const struct tsig_rr *t, uint8_t *mac, size_t *maclen)
{
	uint8_t hdr[WIRE_HDR];

	memcpy(hdr, m->p, WIRE_HDR);
	wire_put16(hdr, t->orig_id);
	wire_put16(hdr + 10, (uint16_t)(m->ar - 1));
	if (mac_add(st->ctx, hdr, WIRE_HDR) == -1 ||
	    mac_add(st->ctx, m->p + WIRE_HDR, m->tsig.off - WIRE_HDR) == -1 ||
	    mac_add_vars(st, m, t) == -1)
		return -1;
	if (!EVP_MAC_final(st->ctx, mac, maclen, TSIG_MAC_MAX) ||
	    *maclen != st->key->mac_len)
		return -1;
	EVP_MAC_CTX_free(st->ctx);
	st->ctx = NULL;
	return 0;
}

/* A verified response must have been signed within its fudge of our
 * clock. */
static enum tsig_result
check_time(const struct tsig_state *st, const struct tsig_rr *t, char *err,
    size_t errsz)
{
	uint64_t now = (uint64_t)st->now();
	int64_t skew = (int64_t)(now - t->time);

	if (skew > (int64_t)t->fudge || skew < -(int64_t)t->fudge)
		return v_fail(err, errsz, "BADTIME: response signed at %llu, "
		    "%lld s from our clock, outside its fudge of %u s",
		    (unsigned long long)t->time, (long long)skew, t->fudge);
	return TSIG_OK;
}

/* The fields first, then the MAC, then the time (a time is believed only
 * under a good MAC, RFC 8945 5.2.3); only a response that passes them all
 * gives the prior MAC of the next one. */
enum tsig_result
tsig_verify(struct tsig_state *st, const struct wire_msg *m, char *err,
    size_t errsz)
{
	const struct tsig_key *key = st->key;
	struct tsig_rr t;
	uint8_t mac[TSIG_MAC_MAX];
	size_t maclen = 0;
	enum tsig_result r;

	st->tsig_error = 0;
	if (st->ctx == NULL && chain_start(st) == -1)
		return v_fail(err, errsz, "cannot compute HMAC (OpenSSL)");
	if (!m->has_tsig)
		return verify_unsigned(st, m, err, errsz);
	if (tsig_rr_parse(m, &t) == -1)
		return v_fail(err, errsz, "malformed TSIG record");
	if ((r = check_tsig_fields(st, m, &t, err, errsz)) != TSIG_OK)
		return r;
	if (response_mac(st, m, &t, mac, &maclen) == -1)
		return v_fail(err, errsz, "cannot compute HMAC");
	if (CRYPTO_memcmp(mac, t.mac, maclen) != 0) {
		return v_fail(err, errsz, "BADSIG: MAC of response %u does not "
		    "verify with key %s (altered, replayed or forged%s)",
		    st->signed_msgs + st->unsigned_run + 1, key->name_text,
		    st->signed_msgs == 0 ? ", or a wrong secret" : "");
	}
	if ((r = check_time(st, &t, err, errsz)) != TSIG_OK)
		return r;
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
