/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Minimal host unit-test harness: each case is a function returning true on
 * success; CHECK* print what was expected and what was seen, then fail the
 * case.  Results are KTAP, closed by "N passed, N failed".
 */
#ifndef PFN_UNIT_HARNESS_H
#define PFN_UNIT_HARNESS_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "pfn/ktap.h"

struct unit_case {
	const char *name;
	bool (*fn)(void);
};

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			printf("# %s:%d: CHECK(%s) failed\n",		\
			       __FILE__, __LINE__, #cond);		\
			return false;					\
		}							\
	} while (0)

#define CHECK_INT(got, want)						\
	do {								\
		long long g_ = (long long)(got), w_ = (long long)(want);	\
		if (g_ != w_) {						\
			printf("# %s:%d: %s is %lld, expected %lld\n",	\
			       __FILE__, __LINE__, #got, g_, w_);	\
			return false;					\
		}							\
	} while (0)

#define CHECK_STR(got, want)						\
	do {								\
		const char *g_ = (got), *w_ = (want);			\
		if (strcmp(g_, w_)) {					\
			printf("# %s:%d: %s is \"%s\", expected \"%s\"\n", \
			       __FILE__, __LINE__, #got, g_, w_);	\
			return false;					\
		}							\
	} while (0)

#define CHECK_CONTAINS(hay, needle)					\
	do {								\
		const char *h_ = (hay), *n_ = (needle);			\
		if (!strstr(h_, n_)) {					\
			printf("# %s:%d: \"%s\" does not contain \"%s\"\n", \
			       __FILE__, __LINE__, h_, n_);		\
			return false;					\
		}							\
	} while (0)

static inline int unit_run(const char *suite, const struct unit_case *cases, size_t n)
{
	struct pfn_ktap k;

	pfn_ktap_begin(&k, stdout, (int)n);
	pfn_ktap_diag(&k, "%s", suite);
	for (size_t i = 0; i < n; i++)
		pfn_ktap_result(&k, cases[i].fn() ? PFN_PASS : PFN_FAIL, cases[i].name, NULL);
	return pfn_ktap_end(&k);
}

#define UNIT_MAIN(suite, cases)						\
	int main(void)							\
	{								\
		return unit_run(suite, cases, sizeof(cases) / sizeof(cases[0])); \
	}

#endif /* PFN_UNIT_HARNESS_H */
