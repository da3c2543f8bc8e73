/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Expected outcomes per kernel flavour (suite/conform/expect/, one .expect file each):
 * what every case must do on a given kernel, so that a case that SKIPs
 * where it must PASS fails the run instead of slipping through.
 *
 * One case per line:  ID  OUTCOME  [REASON-REGEX]
 *   OUTCOME is pass, skip, finding or fail; REASON-REGEX (POSIX extended,
 *   the rest of the line) must match the case's reason, and is required
 *   for skip and finding.  '#' starts a comment line.
 */
#ifndef PFN_CONFORM_EXPECT_H
#define PFN_CONFORM_EXPECT_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "pfn/error.h"
#include "pfn/ktap.h"

struct expect_entry {
	char id[16];
	enum pfn_result result;
	bool has_regex;
	regex_t regex;
	char pattern[256];
	bool seen;
};

struct expect_set {
	char path[256];
	struct expect_entry *entries;
	size_t count;
};

/**
 * expect_load() - read an expectations file
 * Return: 0, or -errno with @err naming the file and line.
 */
int expect_load(struct expect_set *set, const char *path, struct pfn_err *err);
void expect_free(struct expect_set *set);

/**
 * expect_check() - does a case's outcome match what @set requires?
 * @set: loaded expectations
 * @id: the case
 * @result: its result
 * @reason: its reason line
 * @why: receives the deviation, when there is one
 * @len: size of @why
 *
 * Return: true when it matches.
 */
bool expect_check(struct expect_set *set, const char *id, enum pfn_result result,
		  const char *reason, char *why, size_t len);

#endif /* PFN_CONFORM_EXPECT_H */
