// SPDX-License-Identifier: GPL-2.0-only
/* Results files written under a temporary name and renamed (pfn/file.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file_util.h"
#include "harness.h"
#include "pfn/file.h"

static char dir[] = "/tmp/pfn-unit-file.XXXXXX";

static void path_in(char *buf, const char *name)
{
	snprintf(buf, PATH_MAX, "%s/%s", dir, name);
}

static bool commit_replaces(void)
{
	char path[PATH_MAX];
	struct pfn_file_tx tx;
	struct pfn_err err;

	path_in(path, "commit.json");
	CHECK(put_text(path, "old\n"));
	CHECK_INT(pfn_file_begin(&tx, path, &err), 0);
	fputs("new\n", tx.f);
	CHECK(same_text(path, "old\n"));	/* nothing visible before the commit */
	CHECK_INT(pfn_file_commit(&tx, &err), 0);
	CHECK(same_text(path, "new\n"));
	CHECK(access(tx.tmp, F_OK) != 0);
	return true;
}

static bool abort_keeps_old(void)
{
	char path[PATH_MAX];
	struct pfn_file_tx tx;
	struct pfn_err err;

	path_in(path, "abort.json");
	CHECK(put_text(path, "old\n"));
	CHECK_INT(pfn_file_begin(&tx, path, &err), 0);
	fputs("half a resu", tx.f);
	pfn_file_abort(&tx);
	CHECK(same_text(path, "old\n"));
	CHECK(access(tx.tmp, F_OK) != 0);
	return true;
}

static bool commit_creates(void)
{
	char path[PATH_MAX];
	struct pfn_file_tx tx;
	struct pfn_err err;

	path_in(path, "fresh.json");
	CHECK_INT(pfn_file_begin(&tx, path, &err), 0);
	fputs("{}\n", tx.f);
	CHECK_INT(pfn_file_commit(&tx, &err), 0);
	CHECK(same_text(path, "{}\n"));
	return true;
}

static bool unwritable_dir_fails_cleanly(void)
{
	struct pfn_file_tx tx;
	struct pfn_err err;

	CHECK_INT(pfn_file_begin(&tx, "/nonexistent-dir/x.json", &err), -ENOENT);
	CHECK_CONTAINS(err.msg, "/nonexistent-dir/x.json.tmp.");
	return true;
}

static bool failed_rename_keeps_old(void)
{
	char path[PATH_MAX], sub[PATH_MAX];
	struct pfn_file_tx tx;
	struct pfn_err err;

	/* A directory in the way: rename() of a file over it fails. */
	path_in(path, "isdir");
	CHECK(mkdir(path, 0755) == 0);
	path_in(sub, "isdir/keep");
	CHECK(put_text(sub, "old\n"));
	CHECK_INT(pfn_file_begin(&tx, path, &err), 0);
	fputs("new\n", tx.f);
	CHECK(pfn_file_commit(&tx, &err) < 0);
	CHECK_CONTAINS(err.msg, "renaming");
	CHECK(same_text(sub, "old\n"));
	CHECK(access(tx.tmp, F_OK) != 0);
	unlink(sub);
	rmdir(path);
	return true;
}

static bool tmp_name_is_per_process(void)
{
	char tmp[PATH_MAX], want[PATH_MAX];

	CHECK_INT(pfn_file_tmp_name("/r/bench.json", tmp, sizeof(tmp), NULL), 0);
	snprintf(want, sizeof(want), "/r/bench.json.tmp.%d", (int)getpid());
	CHECK_STR(tmp, want);
	CHECK_INT(pfn_file_tmp_name("/r/bench.json", tmp, 8, NULL), -ENAMETOOLONG);
	return true;
}

static const struct unit_case cases[] = {
	{ "file_commit_replaces", commit_replaces },
	{ "file_abort_keeps_old", abort_keeps_old },
	{ "file_commit_creates", commit_creates },
	{ "file_unwritable_dir_fails_cleanly", unwritable_dir_fails_cleanly },
	{ "file_failed_rename_keeps_old", failed_rename_keeps_old },
	{ "file_tmp_name_is_per_process", tmp_name_is_per_process },
};

int main(void)
{
	return unit_run_in_tmpdir(dir, "pfn_file: temp + rename", cases,
				  sizeof(cases) / sizeof(cases[0]));
}
