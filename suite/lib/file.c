// SPDX-License-Identifier: GPL-2.0-only
/* Results files written under a temporary name and renamed: see pfn/file.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pfn/file.h"

int pfn_file_tmp_name(const char *path, char *tmp, size_t len, struct pfn_err *err)
{
	if ((size_t)snprintf(tmp, len, "%s.tmp.%d", path, (int)getpid()) >= len)
		return pfn_fail(err, ENAMETOOLONG, "%s: path too long", path);
	return 0;
}

int pfn_file_begin(struct pfn_file_tx *tx, const char *path, struct pfn_err *err)
{
	int ret;

	tx->f = NULL;
	if ((size_t)snprintf(tx->path, sizeof(tx->path), "%s", path) >= sizeof(tx->path))
		return pfn_fail(err, ENAMETOOLONG, "%s: path too long", path);
	ret = pfn_file_tmp_name(path, tx->tmp, sizeof(tx->tmp), err);
	if (ret)
		return ret;
	tx->f = fopen(tx->tmp, "wxe");
	if (!tx->f && errno == EEXIST && !unlink(tx->tmp))	/* left by a dead run of this PID */
		tx->f = fopen(tx->tmp, "wxe");
	if (!tx->f)
		return pfn_fail_errno(err, "creating %s", tx->tmp);
	return 0;
}

void pfn_file_abort(struct pfn_file_tx *tx)
{
	if (!tx->f)
		return;
	fclose(tx->f);
	tx->f = NULL;
	unlink(tx->tmp);
}

int pfn_file_publish(const char *tmp, const char *path, struct pfn_err *err)
{
	int ret = 0;

	if (rename(tmp, path)) {
		ret = pfn_fail_errno(err, "renaming %s to %s", tmp, path);
		unlink(tmp);
	}
	return ret;
}

int pfn_file_commit(struct pfn_file_tx *tx, struct pfn_err *err)
{
	FILE *f = tx->f;
	int ret = 0;

	if (!f)
		return pfn_fail(err, EBADF, "%s: not open for writing", tx->path);
	tx->f = NULL;
	errno = 0;
	if (fflush(f) || ferror(f))
		ret = pfn_fail_errno(err, "writing %s", tx->tmp);
	if (fclose(f) && !ret)
		ret = pfn_fail_errno(err, "writing %s", tx->tmp);
	if (ret) {
		unlink(tx->tmp);
		return ret;
	}
	return pfn_file_publish(tx->tmp, tx->path, err);
}
