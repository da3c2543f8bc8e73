// SPDX-License-Identifier: GPL-2.0-only
/* Conformance outcome helpers: a case must be able to fail, and say why. */
#include <errno.h>

#include "../../conform/conform.h"
#include "harness.h"

static struct conform_result fresh(void)
{
	struct conform_result r;

	memset(&r, 0, sizeof(r));
	r.result = PFN_PASS;
	return r;
}

static bool expect_errno_match_keeps_pass(void)
{
	struct conform_result r = fresh();

	CHECK(conform_expect_errno(&r, "x", -EINVAL, EINVAL));
	CHECK(conform_expect_errno(&r, "y", 0, 0));
	CHECK(conform_expect_errno(&r, "fd", 7, 0));
	CHECK_INT(r.result, PFN_PASS);
	CHECK_STR(r.reason, "");
	return true;
}

static bool reason_codes_first_failure_wins(void)
{
	struct conform_result r = fresh();

	CHECK(!conform_fail_as(&r, CONFORM_REASON_RIG_BROKEN, "control: %s", "nothing landed"));
	CHECK(!conform_fail_as(&r, CONFORM_REASON_LANDED, "later"));
	CHECK(!conform_fail(&r, "later still"));
	CHECK_INT(r.result, PFN_FAIL);
	CHECK_INT(r.code, CONFORM_REASON_RIG_BROKEN);
	CHECK_STR(conform_reason_name(r.code), "rig_broken");
	CHECK_STR(r.reason, "control: nothing landed");
	/* A failed control after a finding turns it into a failure. */
	r = fresh();
	conform_finding(&r, CONFORM_REASON_LANDED, "survived");
	CHECK_INT(r.result, PFN_XFAIL);
	conform_fail_as(&r, CONFORM_REASON_RIG_BROKEN, "no landing through a fresh mapping");
	CHECK_INT(r.result, PFN_FAIL);
	CHECK_INT(r.code, CONFORM_REASON_RIG_BROKEN);
	/* Plain failures say "check"; every code has a name. */
	r = fresh();
	conform_fail(&r, "x");
	CHECK_STR(conform_reason_name(r.code), "check");
	for (int c = CONFORM_REASON_NONE; c <= CONFORM_REASON_SETUP; c++)
		CHECK(strcmp(conform_reason_name((enum conform_reason)c), "unknown"));
	return true;
}

static bool expect_errno_wrong_errno_fails(void)
{
	struct conform_result r = fresh();

	CHECK(!conform_expect_errno(&r, "export", -ENODEV, EINVAL));
	CHECK_INT(r.result, PFN_FAIL);
	CHECK_STR(r.reason, "export failed with ENODEV, expected EINVAL");
	return true;
}

static bool expect_errno_unexpected_success_fails(void)
{
	struct conform_result r = fresh();

	CHECK(!conform_expect_errno(&r, "map", 3, EOPNOTSUPP));
	CHECK_INT(r.result, PFN_FAIL);
	CHECK_STR(r.reason, "map succeeded, expected EOPNOTSUPP");
	return true;
}

static bool expect_errno_unexpected_failure_fails(void)
{
	struct conform_result r = fresh();

	CHECK(!conform_expect_errno(&r, "unmap", -EBUSY, 0));
	CHECK_INT(r.result, PFN_FAIL);
	CHECK_CONTAINS(r.reason, "unmap failed with EBUSY");
	return true;
}

static bool first_failure_is_kept(void)
{
	struct conform_result r = fresh();

	conform_fail(&r, "first %d", 1);
	conform_fail(&r, "second");
	conform_skip(&r, "a skip cannot hide a failure");
	CHECK_INT(r.result, PFN_FAIL);
	CHECK_STR(r.reason, "first 1");
	return true;
}

static bool finding_is_an_expected_failure(void)
{
	struct conform_result r = fresh();

	conform_finding(&r, CONFORM_REASON_LANDED, "type1 mapping survived");
	CHECK_INT(r.result, PFN_XFAIL);
	CHECK(r.finding);
	conform_fail(&r, "a real failure after the finding");
	CHECK_INT(r.result, PFN_FAIL);	/* a finding cannot hide a failure */
	return true;
}

static bool skip_records_reason(void)
{
	struct conform_result r = fresh();

	conform_skip(&r, "no %s", "IOMMU");
	CHECK_INT(r.result, PFN_SKIP);
	CHECK_STR(r.reason, "no IOMMU");
	return true;
}

static bool notes_accumulate_lines(void)
{
	struct conform_result r = fresh();

	conform_note(&r, "a=%d", 1);
	conform_note(&r, "b");
	CHECK_STR(r.notes, "a=1\nb");
	for (int i = 0; i < 500; i++)
		conform_note(&r, "filler line %d", i);	/* must not overflow */
	CHECK(strlen(r.notes) < sizeof(r.notes));
	return true;
}

static const struct unit_case cases[] = {
	{ "reason_codes_first_failure_wins", reason_codes_first_failure_wins },
	{ "expect_errno_match_keeps_pass", expect_errno_match_keeps_pass },
	{ "expect_errno_wrong_errno_fails", expect_errno_wrong_errno_fails },
	{ "expect_errno_unexpected_success_fails", expect_errno_unexpected_success_fails },
	{ "expect_errno_unexpected_failure_fails", expect_errno_unexpected_failure_fails },
	{ "first_failure_is_kept", first_failure_is_kept },
	{ "finding_is_an_expected_failure", finding_is_an_expected_failure },
	{ "skip_records_reason", skip_records_reason },
	{ "notes_accumulate_lines", notes_accumulate_lines },
};

UNIT_MAIN("conformance outcomes", cases)
