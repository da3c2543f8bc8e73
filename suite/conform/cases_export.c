// SPDX-License-Identifier: GPL-2.0-only
/*
 * EXP: VFIO_DEVICE_FEATURE_DMA_BUF export of BAR slices, valid and invalid.
 * Expected errnos are those of drivers/vfio/pci/vfio_pci_dmabuf.c and
 * vfio_check_feature() in Linux 7.3 (see SPEC.md, EXP-*).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "conform.h"

/* A raw export request with room for a few ranges. */
struct raw_export {
	struct vfio_device_feature_dma_buf hdr;
	struct vfio_region_dma_range ranges[4];
};

static int raw_export(struct conform_fixture *fx, const struct raw_export *req,
		      unsigned int nranges, uint32_t feature_flags, int argsz_delta)
{
	size_t size = sizeof(req->hdr) + nranges * sizeof(req->ranges[0]);

	return pfn_vfio_feature(&fx->target, feature_flags, VFIO_DEVICE_FEATURE_DMA_BUF,
				req, size, argsz_delta, NULL);
}

/* The dma-buf's size as the kernel reports it in /proc/self/fdinfo. */
static long long dmabuf_fdinfo_size(int fd)
{
	char path[64], line[256];
	long long size = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "size: %lld", &size) == 1)
			break;
	fclose(f);
	return size;
}

/*
 * Run one invalid request on a fresh fixture and expect @want.  A success
 * (a dma-buf fd) is closed so nothing leaks into the next case.
 */
static void expect_export_errno(const struct conform_ctx *ctx, struct conform_result *res,
				const char *what, const struct raw_export *req,
				unsigned int nranges, uint32_t feature_flags,
				int argsz_delta, int want)
{
	struct conform_fixture fx;
	int ret;

	if (!conform_fixture_open(ctx, &fx, res))
		return;
	ret = raw_export(&fx, req, nranges, feature_flags, argsz_delta);
	if (ret >= 0)
		close(ret);
	conform_expect_errno(res, what, ret, want);
	conform_fixture_close(&fx);
}

static struct raw_export one_range(const struct conform_ctx *ctx, uint64_t offset,
				   uint64_t length)
{
	struct raw_export req = {
		.hdr = { .region_index = ctx->target_bar, .open_flags = O_RDWR | O_CLOEXEC,
			 .nr_ranges = 1 },
		.ranges = { { .offset = offset, .length = length } },
	};

	return req;
}

/* ---- valid exports ------------------------------------------------------ */

static void export_sized(const struct conform_ctx *ctx, struct conform_result *res,
			 const struct pfn_range *ranges, unsigned int n)
{
	struct conform_fixture fx;
	struct pfn_err err;
	uint64_t want = 0;
	long long size;
	int fd;

	if (!conform_fixture_open(ctx, &fx, res))
		return;
	for (unsigned int i = 0; i < n; i++)
		want += ranges[i].length;
	fd = pfn_vfio_dmabuf_export(&fx.target, ctx->target_bar, ranges, n,
				    O_RDWR | O_CLOEXEC, &err);
	if (fd == -ENOTTY || fd == -EOPNOTSUPP) {
		conform_skip(res, "the kernel has no vfio dma-buf export: %s", err.msg);
	} else if (fd < 0) {
		conform_fail(res, "%s", err.msg);
	} else {
		size = dmabuf_fdinfo_size(fd);
		if (size != (long long)want)
			conform_fail(res, "fdinfo size %lld, expected %llu", size,
				     (unsigned long long)want);
		close(fd);
	}
	conform_fixture_close(&fx);
}

static void exp_whole_bar(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct pfn_range r = { 0, ctx->target_bar_size };

	export_sized(ctx, res, &r, 1);
}

static void exp_slice(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct pfn_range r = { ctx->page, ctx->page };

	if (ctx->target_bar_size < 2 * ctx->page) {
		conform_skip(res, "BAR of %llu bytes is smaller than two pages",
			     (unsigned long long)ctx->target_bar_size);
		return;
	}
	export_sized(ctx, res, &r, 1);
}

static void exp_multi_range(const struct conform_ctx *ctx, struct conform_result *res)
{
	uint64_t p = ctx->page;
	struct pfn_range r[3] = { { 0, p }, { 4 * p, 2 * p }, { 2 * p, p } };

	if (ctx->target_bar_size < 6 * p) {
		conform_skip(res, "BAR smaller than six pages");
		return;
	}
	export_sized(ctx, res, r, 3);
}

static void exp_probe(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct conform_fixture fx;
	int ret;

	if (!conform_fixture_open(ctx, &fx, res))
		return;
	ret = pfn_vfio_feature(&fx.target, VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_GET,
			       VFIO_DEVICE_FEATURE_DMA_BUF, NULL, 0, 0, NULL);
	if (ret == -ENOTTY || ret == -EOPNOTSUPP)
		conform_skip(res, "the kernel has no vfio dma-buf export (PROBE: %s)",
			     strerrorname_np(-ret));
	else
		conform_expect_errno(res, "PROBE|GET of DMA_BUF", ret, 0);
	conform_fixture_close(&fx);
}

static void exp_cloexec_honoured(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct pfn_range r = { 0, ctx->page };
	struct conform_fixture fx;
	int with, without, fl1 = -1, fl2 = -1;

	if (!conform_fixture_open(ctx, &fx, res))
		return;
	with = pfn_vfio_dmabuf_export(&fx.target, ctx->target_bar, &r, 1, O_RDWR | O_CLOEXEC,
				      NULL);
	without = pfn_vfio_dmabuf_export(&fx.target, ctx->target_bar, &r, 1, O_RDWR, NULL);
	if (with >= 0)
		fl1 = fcntl(with, F_GETFD);
	if (without >= 0)
		fl2 = fcntl(without, F_GETFD);
	if (with < 0 || without < 0)
		conform_fail(res, "export failed: %s / %s",
			     with < 0 ? strerrorname_np(-with) : "ok",
			     without < 0 ? strerrorname_np(-without) : "ok");
	else if (!(fl1 & FD_CLOEXEC) || (fl2 & FD_CLOEXEC))
		conform_fail(res, "FD_CLOEXEC is %d with O_CLOEXEC and %d without",
			     !!(fl1 & FD_CLOEXEC), !!(fl2 & FD_CLOEXEC));
	if (with >= 0)
		close(with);
	if (without >= 0)
		close(without);
	conform_fixture_close(&fx);
}

static void exp_no_cpu_mmap(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct conform_fixture fx;
	void *p;
	int fd;

	if (!conform_fixture_open(ctx, &fx, res))
		return;
	fd = conform_export(ctx, &fx, 0, ctx->page, res);
	if (fd >= 0) {
		p = mmap(NULL, ctx->page, PROT_READ, MAP_SHARED, fd, 0);
		if (p != MAP_FAILED) {
			munmap(p, ctx->page);
			conform_fail(res, "mmap of the vfio dma-buf succeeded; 7.3 has no CPU mmap on it");
		} else {
			conform_expect_errno(res, "mmap of the dma-buf", -errno, EINVAL);
		}
		close(fd);
	}
	conform_fixture_close(&fx);
}

/* ---- invalid exports: exact errno --------------------------------------- */

static void exp_flags_nonzero(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct raw_export req = one_range(ctx, 0, ctx->page);

	req.hdr.flags = 1;
	expect_export_errno(ctx, res, "export with flags=1", &req, 1,
			    VFIO_DEVICE_FEATURE_GET, 0, EINVAL);
}

static void exp_nr_ranges_zero(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct raw_export req = one_range(ctx, 0, ctx->page);

	req.hdr.nr_ranges = 0;
	expect_export_errno(ctx, res, "export with nr_ranges=0", &req, 0,
			    VFIO_DEVICE_FEATURE_GET, 0, EINVAL);
}

static void exp_nr_ranges_huge(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct raw_export req = one_range(ctx, 0, ctx->page);

	/* 2^32-1 ranges of 16 bytes: the kernel cannot copy them in (64 GiB). */
	req.hdr.nr_ranges = UINT32_MAX;
	expect_export_errno(ctx, res, "export with nr_ranges=0xffffffff", &req, 1,
			    VFIO_DEVICE_FEATURE_GET, 0, ENOMEM);
}

static void exp_region_config(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct raw_export req = one_range(ctx, 0, ctx->page);

	req.hdr.region_index = VFIO_PCI_CONFIG_REGION_INDEX;
	expect_export_errno(ctx, res, "export of the config-space region", &req, 1,
			    VFIO_DEVICE_FEATURE_GET, 0, ENODEV);
}

static void exp_region_rom(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct raw_export req = one_range(ctx, 0, ctx->page);

	req.hdr.region_index = VFIO_PCI_ROM_REGION_INDEX;
	expect_export_errno(ctx, res, "export of the ROM region", &req, 1,
			    VFIO_DEVICE_FEATURE_GET, 0, ENODEV);
}

static void exp_region_huge_index(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct raw_export req = one_range(ctx, 0, ctx->page);

	req.hdr.region_index = 0x7fffffff;
	expect_export_errno(ctx, res, "export of region 0x7fffffff", &req, 1,
			    VFIO_DEVICE_FEATURE_GET, 0, ENODEV);
}

static void exp_absent_bar(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct raw_export req = one_range(ctx, 0, ctx->page);
	struct conform_fixture fx;
	struct pfn_region region;
	int absent = -1;

	if (!conform_fixture_open(ctx, &fx, res))
		return;
	for (int i = 0; i < PFN_NUM_BARS && absent < 0; i++)
		if (pfn_vfio_region(&fx.target, (uint32_t)i, &region, NULL) == 0 && !region.size)
			absent = i;
	conform_fixture_close(&fx);
	if (absent < 0) {
		conform_skip(res, "%s implements all six BARs", ctx->target_bdf);
		return;
	}
	req.hdr.region_index = (uint32_t)absent;
	conform_note(res, "BAR%d is not implemented by %s", absent, ctx->target_bdf);
	expect_export_errno(ctx, res, "export of an unimplemented BAR", &req, 1,
			    VFIO_DEVICE_FEATURE_GET, 0, ENODEV);
}

static void exp_zero_length(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct raw_export req = one_range(ctx, 0, 0);

	expect_export_errno(ctx, res, "export of a zero-length range", &req, 1,
			    VFIO_DEVICE_FEATURE_GET, 0, EINVAL);
}

static void exp_unaligned_offset(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct raw_export req = one_range(ctx, 512, ctx->page);

	expect_export_errno(ctx, res, "export at offset 512", &req, 1,
			    VFIO_DEVICE_FEATURE_GET, 0, EINVAL);
}

static void exp_unaligned_length(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct raw_export req = one_range(ctx, 0, ctx->page + 512);

	expect_export_errno(ctx, res, "export of page+512 bytes", &req, 1,
			    VFIO_DEVICE_FEATURE_GET, 0, EINVAL);
}

static void exp_past_bar_end(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct raw_export req = one_range(ctx, ctx->target_bar_size - ctx->page, 2 * ctx->page);

	expect_export_errno(ctx, res, "export crossing the BAR's end", &req, 1,
			    VFIO_DEVICE_FEATURE_GET, 0, EINVAL);
}

static void exp_offset_overflow(const struct conform_ctx *ctx, struct conform_result *res)
{
	/* BAR start + offset wraps around 2^64 */
	struct raw_export req = one_range(ctx, UINT64_MAX - ctx->page + 1, ctx->page);

	expect_export_errno(ctx, res, "export at offset 2^64 - page", &req, 1,
			    VFIO_DEVICE_FEATURE_GET, 0, EOVERFLOW);
}

static void exp_total_length_overflow(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct raw_export req = one_range(ctx, 0, 1ull << 63);

	/* two ranges whose lengths sum past 2^64 */
	req.hdr.nr_ranges = 2;
	req.ranges[1].offset = 0;
	req.ranges[1].length = 1ull << 63;
	expect_export_errno(ctx, res, "export of two 2^63-byte ranges", &req, 2,
			    VFIO_DEVICE_FEATURE_GET, 0, EINVAL);
}

static void exp_argsz_too_small(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct raw_export req = one_range(ctx, 0, ctx->page);

	/* argsz one byte short of the fixed header */
	expect_export_errno(ctx, res, "export with argsz short of the header", &req, 0,
			    VFIO_DEVICE_FEATURE_GET, -1, EINVAL);
}

static void exp_set_refused(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct raw_export req = one_range(ctx, 0, ctx->page);

	expect_export_errno(ctx, res, "DMA_BUF with FEATURE_SET", &req, 1,
			    VFIO_DEVICE_FEATURE_SET, 0, EINVAL);
}

const struct conform_case conform_export_cases[] = {
	{ "EXP-001", "whole_bar", "EXP-1", 0, exp_whole_bar, 0 },
	{ "EXP-002", "slice", "EXP-1", 0, exp_slice, 0 },
	{ "EXP-003", "multi_range", "EXP-2", 0, exp_multi_range, 0 },
	{ "EXP-004", "feature_probe", "EXP-3", 0, exp_probe, 0 },
	{ "EXP-005", "open_flags_cloexec", "EXP-4", 0, exp_cloexec_honoured, 0 },
	{ "EXP-006", "no_cpu_mmap", "EXP-5", 0, exp_no_cpu_mmap, 0 },
	{ "EXP-007", "flags_nonzero", "EXP-6", 0, exp_flags_nonzero, 0 },
	{ "EXP-008", "nr_ranges_zero", "EXP-6", 0, exp_nr_ranges_zero, 0 },
	{ "EXP-009", "nr_ranges_huge", "EXP-6", 0, exp_nr_ranges_huge, 0 },
	{ "EXP-010", "region_config_space", "EXP-7", 0, exp_region_config, 0 },
	{ "EXP-011", "region_rom", "EXP-7", 0, exp_region_rom, 0 },
	{ "EXP-012", "region_index_huge", "EXP-7", 0, exp_region_huge_index, 0 },
	{ "EXP-013", "bar_not_implemented", "EXP-7", 0, exp_absent_bar, 0 },
	{ "EXP-014", "zero_length", "EXP-8", 0, exp_zero_length, 0 },
	{ "EXP-015", "unaligned_offset", "EXP-8", 0, exp_unaligned_offset, 0 },
	{ "EXP-016", "unaligned_length", "EXP-8", 0, exp_unaligned_length, 0 },
	{ "EXP-017", "past_bar_end", "EXP-8", 0, exp_past_bar_end, 0 },
	{ "EXP-018", "offset_overflow", "EXP-8", 0, exp_offset_overflow, 0 },
	{ "EXP-019", "total_length_overflow", "EXP-8", 0, exp_total_length_overflow, 0 },
	{ "EXP-020", "argsz_too_small", "EXP-6", 0, exp_argsz_too_small, 0 },
	{ "EXP-021", "feature_set_refused", "EXP-6", 0, exp_set_refused, 0 },
};

const unsigned int conform_export_count =
	sizeof(conform_export_cases) / sizeof(conform_export_cases[0]);
