// SPDX-License-Identifier: GPL-2.0-only
/* Command-line option errors, worded once for every command of the suite. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>

#include "pfn/options.h"

int pfn_opt_rejected(char **argv, struct pfn_err *err)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "?";

	/* getopt_long() sets optopt to the option's value when only its argument is missing */
	if (optopt)
		return pfn_fail(err, EINVAL, "option '%s' needs a value", arg);
	return pfn_fail(err, EINVAL, "unknown option '%s'", arg);
}

int pfn_opt_count(const char *opt, const char *arg, unsigned long long min,
		  unsigned long long max, unsigned long long *out, struct pfn_err *err)
{
	char *end;

	if (arg[0] && arg[0] != '-' && arg[0] != '+') {
		errno = 0;
		*out = strtoull(arg, &end, 0);
		if (!*end && !errno && *out >= min && *out <= max)
			return 0;
	}
	return pfn_fail(err, EINVAL, "%s takes a number from %llu to %llu, not '%s'", opt, min, max,
			arg);
}
