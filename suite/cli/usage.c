// SPDX-License-Identifier: GPL-2.0-only
/* Option errors of the subcommands: one line each (pfn/options.h words them). */
#include <stdio.h>

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
