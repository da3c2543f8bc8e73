// SPDX-License-Identifier: GPL-2.0-only
/* Expected outcomes per kernel flavour: see expect.h. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"

static const char *outcome_name(enum pfn_result r)
{
	switch (r) {
	case PFN_PASS:
		return "pass";
	case PFN_SKIP:
		return "skip";
	case PFN_XFAIL:
		return "finding";
	case PFN_FAIL:
		break;
	}
	return "fail";
}

static int parse_outcome(const char *s, enum pfn_result *r)
{
	static const enum pfn_result all[] = { PFN_PASS, PFN_SKIP, PFN_XFAIL, PFN_FAIL };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(s, outcome_name(all[i]))) {
			*r = all[i];
			return 0;
		}
	return -EINVAL;
}

static int parse_line(struct expect_entry *e, char *line, struct pfn_err *err,
		      const char *path, int lineno)
{
	char id[32], outcome[32];
	int used = 0;
	char *rest;

	if (sscanf(line, "%31s %31s %n", id, outcome, &used) < 2)
		return pfn_fail(err, EINVAL, "%s:%d: want 'ID OUTCOME [REASON-REGEX]'", path, lineno);
	if (strlen(id) >= sizeof(e->id))
		return pfn_fail(err, EINVAL, "%s:%d: case ID '%s' is too long", path, lineno, id);
	memcpy(e->id, id, strlen(id) + 1);
	if (parse_outcome(outcome, &e->result))
		return pfn_fail(err, EINVAL,
				"%s:%d: outcome '%s' is not pass, skip, finding or fail", path,
				lineno, outcome);
	rest = line + used;
	rest[strcspn(rest, "\n")] = '\0';
	for (char *end = rest + strlen(rest); end > rest && isspace((unsigned char)end[-1]);)
		*--end = '\0';
	if (!*rest && (e->result == PFN_SKIP || e->result == PFN_XFAIL))
		return pfn_fail(err, EINVAL,
				"%s:%d: a %s needs a reason pattern, so that another skip or finding does not pass for it",
				path, lineno, outcome);
	if (*rest) {
		if (strlen(rest) >= sizeof(e->pattern))
			return pfn_fail(err, EINVAL, "%s:%d: reason pattern too long", path, lineno);
		snprintf(e->pattern, sizeof(e->pattern), "%s", rest);
		if (regcomp(&e->regex, rest, REG_EXTENDED | REG_NOSUB))
			return pfn_fail(err, EINVAL, "%s:%d: '%s' is not a valid extended regex",
					path, lineno, rest);
		e->has_regex = true;
	}
	return 0;
}

int expect_load(struct expect_set *set, const char *path, struct pfn_err *err)
{
	char line[512];
	int lineno = 0, ret = 0;
	FILE *f;

	memset(set, 0, sizeof(*set));
	snprintf(set->path, sizeof(set->path), "%s", path);
	f = fopen(path, "re");
	if (!f)
		return pfn_fail_errno(err, "--expect %s", path);
	while (fgets(line, sizeof(line), f)) {
		struct expect_entry *grown;
		char *p = line;

		lineno++;
		while (isspace((unsigned char)*p))
			p++;
		if (!*p || *p == '#')
			continue;
		grown = realloc(set->entries, (set->count + 1) * sizeof(*grown));
		if (!grown) {
			ret = pfn_fail(err, ENOMEM, "reading %s", path);
			break;
		}
		set->entries = grown;
		memset(&grown[set->count], 0, sizeof(grown[0]));
		ret = parse_line(&grown[set->count], p, err, path, lineno);
		if (ret)
			break;
		for (size_t i = 0; i < set->count; i++)
			if (!strcmp(set->entries[i].id, grown[set->count].id)) {
				ret = pfn_fail(err, EINVAL, "%s:%d: %s is listed twice", path,
					       lineno, grown[set->count].id);
				break;
			}
		set->count++;
		if (ret)
			break;
	}
	fclose(f);
	if (!ret && !set->count)
		ret = pfn_fail(err, EINVAL, "%s lists no case", path);
	if (ret)
		expect_free(set);
	return ret;
}

void expect_free(struct expect_set *set)
{
	for (size_t i = 0; i < set->count; i++)
		if (set->entries[i].has_regex)
			regfree(&set->entries[i].regex);
	free(set->entries);
	set->entries = NULL;
	set->count = 0;
}

bool expect_check(struct expect_set *set, const char *id, enum pfn_result result,
		  const char *reason, char *why, size_t len)
{
	for (size_t i = 0; i < set->count; i++) {
		struct expect_entry *e = &set->entries[i];

		if (strcmp(e->id, id))
			continue;
		e->seen = true;
		if (e->result != result) {
			snprintf(why, len, "%s: expected %s, got %s (%s)", id, outcome_name(e->result),
				 outcome_name(result), reason[0] ? reason : "no reason given");
			return false;
		}
		if (e->has_regex && regexec(&e->regex, reason, 0, NULL, 0)) {
			snprintf(why, len, "%s: %s as expected, but its reason does not match /%s/: %s",
				 id, outcome_name(result), e->pattern, reason);
			return false;
		}
		return true;
	}
	snprintf(why, len, "%s: not in %s (got %s): every case needs an expectation", id,
		 set->path, outcome_name(result));
	return false;
}
