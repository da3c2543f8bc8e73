// SPDX-License-Identifier: GPL-2.0-only
/* The IOMMU op counter's trace parser and page-size split (no tracefs needed). */
#include <errno.h>

#include "../../bench/iommu_ops.h"
#include "harness.h"

#define SZ_4K (1ull << 12)
#define SZ_2M (1ull << 21)
#define SZ_1G (1ull << 30)
#define ALL (SZ_4K | SZ_2M | SZ_1G)

static const char trace_ok[] =
	"# tracer: nop\n"
	"#\n"
	"# entries-in-buffer/entries-written: 4/4   #P:2\n"
	"#\n"
	"#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION\n"
	"        pfnsuite-301     [001] .....    12.000001: map: IOMMU: iova=0x0000000040000000 - 0x0000000080000000 paddr=0x0000004000000000 size=1073741824\n"
	"        pfnsuite-301     [001] .....    12.000002: unmap: IOMMU: iova=0x0000000040000000 - 0x0000000080000000 size=1073741824 unmapped_size=1073741824\n"
	"        pfnsuite-301     [001] .....    12.000003: map: IOMMU: iova=0x0000000040000000 - 0x0000000040201000 paddr=0x0000004000000000 size=2101248\n"
	"        pfnsuite-301     [001] .....    12.000004: sched_switch: prev_comm=map: IOMMU: iova=nothing\n";

static bool parse_counts_ops_bytes_and_pages(void)
{
	struct iommu_ops_counts c;
	struct pfn_err err = { 0 };

	CHECK_INT(iommu_ops_parse(trace_ok, ALL, &c, &err), 0);
	CHECK_INT(c.map_ops, 2);
	CHECK_INT(c.map_bytes, SZ_1G + SZ_2M + SZ_4K);
	CHECK_INT(c.map_bytes_by_pgsize[IOMMU_PGSIZE_1G], SZ_1G);
	CHECK_INT(c.map_bytes_by_pgsize[IOMMU_PGSIZE_2M], SZ_2M);
	CHECK_INT(c.map_bytes_by_pgsize[IOMMU_PGSIZE_4K], SZ_4K);
	CHECK_INT(c.map_pages[IOMMU_PGSIZE_1G], 1);
	CHECK_INT(c.unmap_ops, 1);
	CHECK_INT(c.unmap_bytes, SZ_1G);
	return true;
}

static bool parse_lost_events_is_overflow(void)
{
	static const char lost[] = "# entries-in-buffer/entries-written: 3/9   #P:2\n";
	struct iommu_ops_counts c;
	struct pfn_err err = { 0 };

	CHECK_INT(iommu_ops_parse(lost, ALL, &c, &err), -EOVERFLOW);
	CHECK_CONTAINS(err.msg, "lost 6 of 9");
	return true;
}

static bool parse_bad_event_line_is_einval(void)
{
	static const char bad[] = "  x-1 [000] ..... 1.0: map: IOMMU: iova=zz\n";
	struct iommu_ops_counts c;
	struct pfn_err err = { 0 };

	CHECK_INT(iommu_ops_parse(bad, ALL, &c, &err), -EINVAL);
	CHECK_CONTAINS(err.msg, "unreadable iommu:map line");
	return true;
}

static bool split_follows_alignment_of_iova_and_paddr(void)
{
	struct iommu_ops_counts c = { 0 };

	/* 1G at a 2M-aligned IOVA: 512 2M pages, never a 1G one. */
	iommu_ops_split(SZ_2M, 0, SZ_1G, ALL, &c);
	CHECK_INT(c.map_pages[IOMMU_PGSIZE_2M], 512);
	CHECK_INT(c.map_pages[IOMMU_PGSIZE_1G], 0);
	/* A 4K-aligned physical address forces 4K pages throughout. */
	memset(&c, 0, sizeof(c));
	iommu_ops_split(0, SZ_4K, SZ_2M, ALL, &c);
	CHECK_INT(c.map_pages[IOMMU_PGSIZE_4K], 512);
	/* Without superpages every page is 4K. */
	memset(&c, 0, sizeof(c));
	iommu_ops_split(0, 0, SZ_1G, SZ_4K, &c);
	CHECK_INT(c.map_pages[IOMMU_PGSIZE_4K], 262144);
	CHECK_INT(c.map_bytes_by_pgsize[IOMMU_PGSIZE_4K], SZ_1G);
	return true;
}

static bool parse_refuses_empty_bitmap(void)
{
	struct iommu_ops_counts c;
	struct pfn_err err = { 0 };

	CHECK_INT(iommu_ops_parse(trace_ok, 0, &c, &err), -EINVAL);
	return true;
}

static const struct unit_case cases[] = {
	{ "parse_counts_ops_bytes_and_pages", parse_counts_ops_bytes_and_pages },
	{ "parse_lost_events_is_overflow", parse_lost_events_is_overflow },
	{ "parse_bad_event_line_is_einval", parse_bad_event_line_is_einval },
	{ "split_follows_alignment_of_iova_and_paddr", split_follows_alignment_of_iova_and_paddr },
	{ "parse_refuses_empty_bitmap", parse_refuses_empty_bitmap },
};

UNIT_MAIN("iommu_ops: trace parser and page-size split", cases)
