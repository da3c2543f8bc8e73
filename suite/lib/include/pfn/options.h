/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Command-line option errors, worded once for every command of the suite
 * (pfnsuite, pfn-kvm): the caller prints "PROG: <message>" as its one line.
 */
#ifndef PFN_OPTIONS_H
#define PFN_OPTIONS_H

#include <stdbool.h>

#include "pfn/error.h"

/**
 * pfn_opt_rejected() - what was wrong with the option getopt_long() just
 * rejected ('?' returned, with opterr = 0): unknown, or missing its value
 * @argv: the argv given to getopt_long()
 * @err: receives the message
 *
 * Return: -EINVAL.
 */
int pfn_opt_rejected(char **argv, struct pfn_err *err);

/**
 * pfn_opt_count() - an option's whole-number value in [@min, @max]
 * @opt: the option, e.g. "--iterations"
 * @arg: its text (decimal, 0x-hex or 0-octal; a sign is refused, since
 *	 strtoull() would take "-1" as 2^64 - 1)
 * @min: smallest value allowed
 * @max: largest value allowed
 * @out: receives the value
 * @err: on failure, what the option takes
 *
 * Return: 0 or -EINVAL.
 */
int pfn_opt_count(const char *opt, const char *arg, unsigned long long min,
		  unsigned long long max, unsigned long long *out, struct pfn_err *err);

#endif /* PFN_OPTIONS_H */
