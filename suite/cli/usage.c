// SPDX-License-Identifier: GPL-2.0-only
/* Option errors of the subcommands: one line each (pfn/options.h words them). */
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "pfn/options.h"

int cli_bad_option(const char *cmd, char **argv)
{
	struct pfn_err err;

	pfn_opt_rejected(argv, &err);
	fprintf(stderr, "pfnsuite %s: %s: see 'pfnsuite %s --help'\n", cmd, err.msg, cmd);
	return CLI_EXIT_USAGE;
}

bool cli_parse_count(const char *cmd, const char *opt, const char *arg, unsigned long long min,
		     unsigned long long max, unsigned long long *out)
{
	struct pfn_err err;

	if (!pfn_opt_count(opt, arg, min, max, out, &err))
		return true;
	fprintf(stderr, "pfnsuite %s: %s\n", cmd, err.msg);
	return false;
}

bool cli_results_path(const char *cmd, const char *opt, const char *dir, const char *file,
		      char *path, size_t len)
{
	struct stat st;

	if (stat(dir, &st) || !S_ISDIR(st.st_mode) || access(dir, W_OK | X_OK)) {
		fprintf(stderr, "pfnsuite %s: %s %s is not a writable directory: create it first\n",
			cmd, opt, dir);
		return false;
	}
	if (snprintf(path, len, "%s/%s", dir, file) >= (int)len) {
		fprintf(stderr, "pfnsuite %s: %s %s: path too long\n", cmd, opt, dir);
		return false;
	}
	return true;
}
