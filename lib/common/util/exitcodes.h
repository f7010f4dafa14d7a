/*
 * exitcodes.h: the one set of exit statuses shared by every r53mirror
 * command (zxfr, r53dump, rrdiff, r53apply; scripts/mirror.sh adds its own
 * above 9).  Documented in README.md, format/SPEC.md and each man page.
 */
#ifndef R53M_EXITCODES_H
#define R53M_EXITCODES_H

enum r53m_exit {
	EXIT_OK = 0,		/* success; rrdiff: no differences */
	EXIT_DIFF = 1,		/* rrdiff: changes written; r53apply: applied,
				 * but some RRsets were skipped or rejected */
	EXIT_BADINPUT = 2,	/* malformed or truncated input, I/O error,
				 * internal error: nothing was acted on */
	EXIT_USAGE = 3,		/* bad command line */
	EXIT_REFUSED = 4,	/* a safety check refused the work (threshold,
				 * zone mismatch, serial ahead, quota): nothing
				 * was sent */
	EXIT_REMOTE = 5,	/* the DNS server or Route 53 failed, refused,
				 * timed out or was unreachable (after retries) */
	EXIT_VERIFY = 6,	/* authentication or verification failed: TSIG,
				 * credentials, signature */
	EXIT_PARTIAL = 7	/* stopped after some batches were applied */
};

#endif
