// SPDX-License-Identifier: GPL-2.0-only
/*
 * The pieces every DMA proof stands on: the data pattern (byte-exact, never
 * repeating across seeds), the IOVA allocator (windows inside the IOMMU's
 * ranges, aligned, never reused) and the expected-outcomes files.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../conform/expect.h"
#include "harness.h"
#include "pfn/iova.h"
#include "pfn/pattern.h"

static bool pattern_roundtrip_and_byte_exact(void)
{
	uint8_t buf[4099];

	pfn_pattern_fill(buf, sizeof(buf), 42);
	CHECK_INT(pfn_pattern_diff(buf, sizeof(buf), 42), sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		CHECK_INT(buf[i], pfn_pattern_byte(42, i));
	/* One flipped bit anywhere is seen, at its offset. */
	buf[4098] ^= 1;
	CHECK_INT(pfn_pattern_diff(buf, sizeof(buf), 42), 4098);
	buf[4098] ^= 1;
	buf[5] ^= 0x80;
	CHECK_INT(pfn_pattern_diff(buf, sizeof(buf), 42), 5);
	return true;
}

static bool pattern_seeds_differ_everywhere_that_matters(void)
{
	uint8_t a[4096];
	size_t same = 0;

	/* Neighbouring seeds (the proof's consecutive DMAs) share almost no byte. */
	pfn_pattern_fill(a, sizeof(a), 0x10000000u);
	CHECK(pfn_pattern_diff(a, sizeof(a), 0x10000001u) < 4);
	for (size_t i = 0; i < sizeof(a); i++)
		same += a[i] == pfn_pattern_byte(0x10000001u, i);
	CHECK(same < sizeof(a) / 64);
	/* A canary seed never reads as a DMA pattern and vice versa. */
	CHECK(pfn_pattern_diff(a, sizeof(a), 0xc0000001u) < 4);
	/* All-zero and all-ones memory (a dead BAR) matches no seed. */
	memset(a, 0, sizeof(a));
	CHECK(pfn_pattern_diff(a, sizeof(a), 0x10000000u) < 4);
	memset(a, 0xff, sizeof(a));
	CHECK(pfn_pattern_diff(a, sizeof(a), 0xc0000001u) < 4);
	return true;
}

static bool iova_alloc_respects_ranges_and_alignment(void)
{
	/* As intel-iommu reports it: everything below 39 bits except the MSI window. */
	const uint64_t start[2] = { 0, 0xfef00000ull };
	const uint64_t last[2] = { 0xfedfffffull, (1ull << 39) - 1 };
	struct pfn_iova_space s;
	struct pfn_err err;
	uint64_t a, b, c;

	CHECK_INT(pfn_iova_space_set(&s, start, last, 2), 0);
	CHECK_INT(pfn_iova_alloc(&s, 2ull << 20, 2ull << 20, &a, &err), 0);
	CHECK(a >= (1ull << 20) && a % (2ull << 20) == 0);
	CHECK_INT(pfn_iova_alloc(&s, 4096, 4096, &b, &err), 0);
	CHECK(b >= a + (2ull << 20));	/* never reused, never overlapping */
	/* 1 GiB aligned windows skip the hole and land in range 2. */
	CHECK_INT(pfn_iova_alloc(&s, 1ull << 30, 1ull << 30, &c, &err), 0);
	CHECK(c % (1ull << 30) == 0 && c + (1ull << 30) - 1 <= last[1]);
	CHECK(!(c <= 0xfee00000ull && c + (1ull << 30) > 0xfee00000ull));
	/* Too big for what is left: ENOSPC, with the size in the message. */
	CHECK_INT(pfn_iova_alloc(&s, 1ull << 40, 4096, &c, &err), -ENOSPC);
	CHECK_CONTAINS(err.msg, "no usable IOVA range");
	return true;
}

static bool iova_alloc_rejects_bad_requests(void)
{
	const uint64_t start[1] = { 0 }, last[1] = { (1ull << 32) - 1 };
	struct pfn_iova_space s;
	struct pfn_err err;
	uint64_t a;

	CHECK_INT(pfn_iova_space_set(&s, start, last, 1), 0);
	CHECK_INT(pfn_iova_alloc(&s, 0, 4096, &a, &err), -EINVAL);
	CHECK_INT(pfn_iova_alloc(&s, 4096, 3000, &a, &err), -EINVAL);
	CHECK_INT(pfn_iova_alloc(&s, 4096, 1024, &a, &err), -EINVAL);
	/* A range whose end is below its start is refused when set. */
	CHECK_INT(pfn_iova_space_set(&s, last, start, 1), -EINVAL);
	/* The top of the space: a window ending at the last IOVA fits, one more byte not. */
	CHECK_INT(pfn_iova_space_set(&s, start, last, 1), 0);
	s.cursor = (1ull << 32) - 8192;
	CHECK_INT(pfn_iova_alloc(&s, 8192, 4096, &a, &err), 0);
	CHECK_INT(pfn_iova_alloc(&s, 4096, 4096, &a, &err), -ENOSPC);
	return true;
}

static bool write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return false;
	fputs(text, f);
	return fclose(f) == 0;
}

static bool expect_file_holds_a_run_to_it(void)
{
	char path[] = "/tmp/pfn-expect-XXXXXX", why[512];
	struct expect_set set;
	struct pfn_err err;
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	close(fd);
	CHECK(write_file(path, "# comment\n\nREV-001 pass\nIMP-018 skip ^the kernel maps only\n"
			       "FIND-001 finding type1 .* survived\n"));
	CHECK_INT(expect_load(&set, path, &err), 0);
	CHECK(expect_check(&set, "REV-001", PFN_PASS, "", why, sizeof(why)));
	/* A silent SKIP where a pass is required is a deviation. */
	CHECK(!expect_check(&set, "REV-001", PFN_SKIP, "not available", why, sizeof(why)));
	CHECK_CONTAINS(why, "expected pass, got skip");
	CHECK(expect_check(&set, "IMP-018", PFN_SKIP, "the kernel maps only single-range", why,
			   sizeof(why)));
	/* A skip for another reason is a deviation too. */
	CHECK(!expect_check(&set, "IMP-018", PFN_SKIP, "BAR smaller than four pages", why,
			    sizeof(why)));
	CHECK_CONTAINS(why, "does not match");
	CHECK(expect_check(&set, "FIND-001", PFN_XFAIL, "type1 IOMMU mapping survived it", why,
			   sizeof(why)));
	CHECK(!expect_check(&set, "FIND-001", PFN_PASS, "", why, sizeof(why)));
	CHECK(!expect_check(&set, "NEW-001", PFN_PASS, "", why, sizeof(why)));
	CHECK_CONTAINS(why, "every case needs an expectation");
	expect_free(&set);
	unlink(path);
	return true;
}

static bool expect_file_errors_name_the_line(void)
{
	char path[] = "/tmp/pfn-expect-XXXXXX";
	struct expect_set set;
	struct pfn_err err;
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	close(fd);
	CHECK(write_file(path, "REV-001 pass\nREV-002 maybe\n"));
	CHECK_INT(expect_load(&set, path, &err), -EINVAL);
	CHECK_CONTAINS(err.msg, ":2: outcome 'maybe'");
	CHECK(write_file(path, "REV-001 skip\n"));
	CHECK_INT(expect_load(&set, path, &err), -EINVAL);
	CHECK_CONTAINS(err.msg, "needs a reason pattern");
	CHECK(write_file(path, "REV-001 pass\nREV-001 pass\n"));
	CHECK_INT(expect_load(&set, path, &err), -EINVAL);
	CHECK_CONTAINS(err.msg, "listed twice");
	CHECK(write_file(path, "REV-001 skip ([unclosed\n"));
	CHECK_INT(expect_load(&set, path, &err), -EINVAL);
	CHECK_CONTAINS(err.msg, "not a valid extended regex");
	CHECK(write_file(path, "# nothing\n"));
	CHECK_INT(expect_load(&set, path, &err), -EINVAL);
	unlink(path);
	CHECK(expect_load(&set, path, &err) < 0);
	CHECK_CONTAINS(err.msg, path);
	return true;
}

static const struct unit_case cases[] = {
	{ "pattern_roundtrip_and_byte_exact", pattern_roundtrip_and_byte_exact },
	{ "pattern_seeds_differ_everywhere_that_matters",
	  pattern_seeds_differ_everywhere_that_matters },
	{ "iova_alloc_respects_ranges_and_alignment", iova_alloc_respects_ranges_and_alignment },
	{ "iova_alloc_rejects_bad_requests", iova_alloc_rejects_bad_requests },
	{ "expect_file_holds_a_run_to_it", expect_file_holds_a_run_to_it },
	{ "expect_file_errors_name_the_line", expect_file_errors_name_the_line },
};

UNIT_MAIN("proof primitives: pattern, IOVA allocator, expected outcomes", cases)
