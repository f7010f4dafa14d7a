/*
 * sbuf.h: a growable, always NUL-terminated string, and formatting into a
 * caller's fixed error buffer.  Shared by sigv4.c, r53api.c, awscred.c and
 * awshttp.c, which had each grown a private copy.
 *
 * Usage:
 *	struct sbuf b = { 0 };		(empty; nothing allocated yet)
 *	sbuf_str(&b, "a");
 *	sbuf_fmt(&b, "%d", 1);
 *	if ((s = sbuf_done(&b)) == NULL)  (allocation failed)
 *		...
 *	free(s);			(the caller owns the result)
 *
 * An allocation failure is sticky: it sets b.oom, and every later append
 * does nothing, so a caller may append freely and check once at the end.
 * The fields are public: b.s (NULL until the first append, else the
 * string), b.len (bytes, without the NUL), b.oom.  A buffer that is not
 * passed to sbuf_done is released with free(b.s).
 *
 * Growing moves the string with realloc, which does not wipe the old
 * block: text that must be wiped (credential answers) belongs elsewhere;
 * awshttp's response buffer is sized up front for that reason.
 */
#ifndef R53M_SBUF_H
#define R53M_SBUF_H

#include <stddef.h>

struct sbuf {
	char *s;		/* NUL-terminated once anything was added */
	size_t len;		/* bytes in s, without the NUL */
	size_t cap;		/* bytes allocated for s */
	int oom;		/* an allocation failed: appends are ignored */
};

/* sbuf_add(b, p, n): append n bytes of p (which may hold NULs). */
void sbuf_add(struct sbuf *b, const void *p, size_t n);

/* sbuf_str(b, s): append the string s. */
void sbuf_str(struct sbuf *b, const char *s);

/*
 * sbuf_fmt(b, fmt, ...): append printf output.  It is formatted in a
 * 512-byte buffer, so at most 511 bytes are appended: callers bound their
 * %s conversions (e.g. "%.100s") where the text comes from outside.
 */
void sbuf_fmt(struct sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * sbuf_done(b): the string (caller frees; "" if nothing was added), or
 * NULL after an allocation failure (the buffer is then freed).  b must
 * not be used again.
 */
char *sbuf_done(struct sbuf *b);

/*
 * sbuf_seterr(errbuf, errlen, fmt, ...): vsnprintf into errbuf, the
 * "char *errbuf, size_t errlen" pair of the AWS modules; nothing when
 * errbuf is NULL or errlen is 0.
 */
void sbuf_seterr(char *errbuf, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
