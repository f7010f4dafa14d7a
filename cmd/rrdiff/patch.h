/*
 * patch.h: rrdiff --patch, the reverse of the diff: an RRset stream with
 * a change stream applied (format/SPEC.md section 5.5).
 */
#ifndef R53M_RRDIFF_PATCH_H
#define R53M_RRDIFF_PATCH_H

/* What a patch did, for --stats. */
struct patch_counts {
	unsigned long adds, deletes, updates;
	unsigned long base, written;	/* RRsets read and written */
};

/*
 * patch_run(changes, base, out, producer, &counts): write BASE with
 * CHANGES applied to OUT (NULL or "-": stdout; else atomically).  An exit
 * status: EXIT_OK, or EXIT_BADINPUT after reporting (nothing written with
 * a trailer).
 */
int patch_run(const char *changes, const char *base, const char *out,
    const char *producer, struct patch_counts *counts);

#endif
