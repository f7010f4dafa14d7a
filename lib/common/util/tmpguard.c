/*
 * tmpguard.c: unlink registered temporary files on SIGINT, SIGTERM and
 * SIGHUP, then die of the signal as before.  See tmpguard.h.
 */
#include <sys/stat.h>

#include <signal.h>
#include <stddef.h>
#include <unistd.h>

#include "log.h"
#include "tmpguard.h"

static const int guarded_signals[] = { SIGINT, SIGTERM, SIGHUP };
#define NGUARDED (sizeof(guarded_signals) / sizeof(guarded_signals[0]))

/* The registered paths; a slot is NULL when free.  Written only with the
 * guarded signals blocked, so the handler never sees a torn update. */
static const char *volatile slots[TMPGUARD_MAX];
static int installed;

static void
tmpguard_handler(int sig)
{
	size_t i;

	for (i = 0; i < TMPGUARD_MAX; i++)
		if (slots[i] != NULL)
			(void)unlink(slots[i]);
	/* die of the same signal, so a parent sees "killed by sig" */
	(void)signal(sig, SIG_DFL);
	(void)raise(sig);
}

/* Block the guarded signals around a change of the slots. */
static void
tmpguard_block(sigset_t *old)
{
	sigset_t set;
	size_t i;

	sigemptyset(&set);
	for (i = 0; i < NGUARDED; i++)
		sigaddset(&set, guarded_signals[i]);
	(void)sigprocmask(SIG_BLOCK, &set, old);
}

/* Install the handler for each guarded signal that is not ignored (a
 * signal ignored by our parent, e.g. SIGHUP under nohup, stays ignored). */
static void
tmpguard_install(void)
{
	struct sigaction sa, old;
	size_t i;

	sa.sa_handler = tmpguard_handler;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < NGUARDED; i++)
		sigaddset(&sa.sa_mask, guarded_signals[i]);
	sa.sa_flags = 0;
	for (i = 0; i < NGUARDED; i++) {
		if (sigaction(guarded_signals[i], NULL, &old) == 0 &&
		    old.sa_handler == SIG_IGN)
			continue;
		(void)sigaction(guarded_signals[i], &sa, NULL);
	}
	installed = 1;
}

void
tmpguard_add(const char *path)
{
	sigset_t old;
	size_t i;

	if (path == NULL)
		return;
	tmpguard_block(&old);
	if (!installed)
		tmpguard_install();
	for (i = 0; i < TMPGUARD_MAX; i++) {
		if (slots[i] == NULL) {
			slots[i] = path;
			break;
		}
	}
	(void)sigprocmask(SIG_SETMASK, &old, NULL);
}

void
tmpguard_remove(const char *path)
{
	sigset_t old;
	size_t i;

	if (path == NULL)
		return;
	tmpguard_block(&old);
	for (i = 0; i < TMPGUARD_MAX; i++)
		if (slots[i] == path)
			slots[i] = NULL;
	(void)sigprocmask(SIG_SETMASK, &old, NULL);
}

int
tmpguard_in_place(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && !S_ISREG(st.st_mode);
}

FILE *
tmpguard_fopen(const char *what, const char *path, char *tmp, size_t tmpsz)
{
	FILE *f;

	tmp[0] = '\0';
	if (tmpguard_in_place(path)) {
		if ((f = fopen(path, "w")) == NULL)
			log_errno("%s%s", what, path);
		return f;
	}
	if ((size_t)snprintf(tmp, tmpsz, "%s.tmp.%ld", path,
	    (long)getpid()) >= tmpsz) {
		log_msg("%s%s: path too long", what, path);
		tmp[0] = '\0';
		return NULL;
	}
	if ((f = fopen(tmp, "w")) == NULL) {
		log_errno("%s%s", what, tmp);
		tmp[0] = '\0';
		return NULL;
	}
	tmpguard_add(tmp);	/* a kill now leaves no stray file */
	return f;
}

int
tmpguard_fclose(const char *what, FILE *f, const char *path, char *tmp,
    int ok)
{
	int rc = -1;

	if (tmp[0] == '\0') {	/* in place */
		if (!ok)
			log_errno("%s%s", what, path);
		if (fclose(f) == EOF && ok) {
			log_errno("%s%s", what, path);
			ok = 0;
		}
		return ok ? 0 : -1;
	}
	if (!ok || fflush(f) == EOF || fsync(fileno(f)) == -1) {
		log_errno("%s%s", what, tmp);
		fclose(f);
	} else if (fclose(f) == EOF || rename(tmp, path) == -1) {
		log_errno("%s%s", what, path);
	} else {
		rc = 0;
	}
	if (rc == -1)
		(void)unlink(tmp);
	tmpguard_remove(tmp);
	return rc;
}
