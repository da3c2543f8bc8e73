/* SPDX-License-Identifier: GPL-2.0-only */
/* Small file helpers for host unit tests: write, read back, compare. */
#ifndef PFN_UNIT_FILE_UTIL_H
#define PFN_UNIT_FILE_UTIL_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static inline bool put_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return false;
	fputs(text, f);
	return fclose(f) == 0;
}

/* The whole file, NUL-terminated (malloc'd), or NULL when unreadable. */
static inline char *get_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;
	FILE *m;
	int c;

	if (!f)
		return NULL;
	m = open_memstream(&buf, &len);
	if (!m) {
		fclose(f);
		return NULL;
	}
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(f);
	fclose(m);
	return buf;
}

/* Does @path hold exactly @text? */
static inline bool same_text(const char *path, const char *text)
{
	char *got = get_text(path);
	bool same = got && !strcmp(got, text);

	if (!same)
		printf("# %s holds \"%.80s\", expected \"%.80s\"\n", path, got ? got : "(unreadable)",
		       text);
	free(got);
	return same;
}

/*
 * Run @cases with @dir (a mkdtemp() template, "...XXXXXX") created for
 * them, then remove it; Return: unit_run()'s status.
 */
static inline int unit_run_in_tmpdir(char *dir, const char *suite, const struct unit_case *cases,
				     size_t n)
{
	char cmd[PATH_MAX + 16];
	int ret;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	ret = unit_run(suite, cases, n);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		printf("# could not remove %s\n", dir);
	return ret;
}

#endif /* PFN_UNIT_FILE_UTIL_H */
