/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Writing a results file without ever losing the previous one.
 *
 * A file is written to "PATH.tmp.PID" next to it and renamed over PATH only
 * once it is complete, so a command that fails (bad input, a crash, a full
 * disk) leaves whatever PATH held before byte-identical:
 *
 *	struct pfn_file_tx tx;
 *
 *	if (pfn_file_begin(&tx, path, &err))
 *		return -err.code;
 *	fprintf(tx.f, ...);
 *	if (something_failed) {
 *		pfn_file_abort(&tx);
 *		return ...;
 *	}
 *	return pfn_file_commit(&tx, &err);
 *
 * A path that is only a name for someone else to write (Google Benchmark's
 * --benchmark_out) uses pfn_file_tmp_name() and pfn_file_publish().
 */
#ifndef PFN_FILE_H
#define PFN_FILE_H

#include <limits.h>
#include <stdio.h>

#include "pfn/error.h"

/**
 * struct pfn_file_tx - a file being written under a temporary name
 * @f: the stream to write to; NULL once committed or aborted
 * @path: the final name
 * @tmp: the temporary name, "@path.tmp.PID"
 */
struct pfn_file_tx {
	FILE *f;
	char path[PATH_MAX];
	char tmp[PATH_MAX];
};

/**
 * pfn_file_tmp_name() - the temporary name pfn_file_begin() uses for @path
 * @path: final name
 * @tmp: receives "@path.tmp.PID"
 * @len: size of @tmp
 * @err: on failure, why
 *
 * Return: 0, or -ENAMETOOLONG.
 */
int pfn_file_tmp_name(const char *path, char *tmp, size_t len, struct pfn_err *err);

/**
 * pfn_file_begin() - create @path's temporary file for writing
 * @tx: filled; @tx->f is the stream
 * @path: the file that pfn_file_commit() will replace
 * @err: on failure, what and why
 *
 * Return: 0 or a negative errno; @path is untouched either way.
 */
int pfn_file_begin(struct pfn_file_tx *tx, const char *path, struct pfn_err *err);

/**
 * pfn_file_commit() - flush and close the temporary file, then rename it
 * over the final name (atomic against a failing command, not a power loss)
 * @tx: from pfn_file_begin()
 * @err: on failure, what and why
 *
 * On failure the temporary file is removed and the final name still holds
 * what it held before.
 *
 * Return: 0 or a negative errno.
 */
int pfn_file_commit(struct pfn_file_tx *tx, struct pfn_err *err);

/** pfn_file_abort() - drop the temporary file; the final name is untouched. */
void pfn_file_abort(struct pfn_file_tx *tx);

/**
 * pfn_file_publish() - rename a complete file @tmp over @path
 * @tmp: a file someone else wrote, e.g. named by pfn_file_tmp_name()
 * @path: final name
 * @err: on failure, what and why
 *
 * Return: 0 or a negative errno (then @tmp is removed, @path untouched).
 */
int pfn_file_publish(const char *tmp, const char *path, struct pfn_err *err);

#endif /* PFN_FILE_H */
