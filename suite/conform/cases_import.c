// SPDX-License-Identifier: GPL-2.0-only
/*
 * IMP: IOMMU_IOAS_MAP_FILE of a vfio dma-buf into an iommufd IOAS: what
 * works and what is refused, with the errnos of drivers/iommu/iommufd in
 * Linux 7.3 (ioas.c, io_pagetable.c, pages.c; see SPEC.md, IMP-*).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/iommufd.h>

#include "conform.h"

/* The fixture's two IOVA windows, from the IOAS's usable ranges (pfn/iova.h). */
#define IOVA_A (fx.iova_a)
#define IOVA_B (fx.iova_b)

/* Fixture plus a dma-buf of the first @length bytes of the target BAR. */
static int setup(const struct conform_ctx *ctx, struct conform_fixture *fx, uint64_t length,
		 struct conform_result *res)
{
	int fd;

	if (!conform_fixture_open(ctx, fx, res))
		return -1;
	fd = conform_export(ctx, fx, 0, length, res);
	if (fd < 0)
		conform_fixture_close(fx);
	return fd;
}

static void teardown(struct conform_fixture *fx, int fd)
{
	close(fd);
	conform_fixture_close(fx);
}

/* A map of [start, start+length) at a fixed IOVA must succeed and unmap exactly. */
static void map_and_unmap(const struct conform_ctx *ctx, struct conform_result *res,
			  uint64_t start, uint64_t length, uint32_t flags)
{
	struct conform_fixture fx;
	uint64_t iova = 0, unmapped = 0;
	struct pfn_err err;
	int fd, ret;

	fd = setup(ctx, &fx, ctx->target_bar_size, res);
	if (fd < 0)
		return;
	iova = IOVA_A;
	ret = pfn_ioas_map_file(fx.iommu.fd, fx.iommu.ioas_id, fd, start, length, &iova, flags,
				&err);
	if (ret) {
		conform_fail(res, "%s", err.msg);
	} else {
		if (!(flags & PFN_MAP_ANY_IOVA) && iova != IOVA_A)
			conform_fail(res, "fixed IOVA %#llx came back as %#llx",
				     (unsigned long long)IOVA_A, (unsigned long long)iova);
		if (flags & PFN_MAP_ANY_IOVA)
			conform_note(res, "kernel chose IOVA %#llx", (unsigned long long)iova);
		ret = pfn_ioas_unmap(fx.iommu.fd, fx.iommu.ioas_id, iova, length, &unmapped, &err);
		if (ret)
			conform_fail(res, "%s", err.msg);
		else if (unmapped != length)
			conform_fail(res, "unmap removed %llu bytes, mapped %llu",
				     (unsigned long long)unmapped, (unsigned long long)length);
	}
	teardown(&fx, fd);
}

static void imp_whole_fixed(const struct conform_ctx *ctx, struct conform_result *res)
{
	map_and_unmap(ctx, res, 0, ctx->target_bar_size, PFN_MAP_RW);
}

static void imp_whole_allocated(const struct conform_ctx *ctx, struct conform_result *res)
{
	map_and_unmap(ctx, res, 0, ctx->target_bar_size, PFN_MAP_RW | PFN_MAP_ANY_IOVA);
}

static void imp_partial(const struct conform_ctx *ctx, struct conform_result *res)
{
	if (ctx->target_bar_size < 4 * ctx->page) {
		conform_skip(res, "BAR smaller than four pages");
		return;
	}
	map_and_unmap(ctx, res, ctx->page, 2 * ctx->page, PFN_MAP_RW);
}

static void imp_read_only(const struct conform_ctx *ctx, struct conform_result *res)
{
	map_and_unmap(ctx, res, 0, ctx->page, PFN_MAP_READ);
}

/* A refused map at @iova_off into window A: exact errno, and nothing left mapped. */
static void expect_map_errno(const struct conform_ctx *ctx, struct conform_result *res,
			     const char *what, uint64_t start, uint64_t length, uint64_t iova_off,
			     uint32_t flags, int want)
{
	struct conform_fixture fx;
	uint64_t unmapped = 0, iova;
	int fd, ret;

	fd = setup(ctx, &fx, ctx->target_bar_size, res);
	if (fd < 0)
		return;
	iova = IOVA_A + iova_off;
	ret = pfn_ioas_map_file(fx.iommu.fd, fx.iommu.ioas_id, fd, start, length, &iova, flags,
				NULL);
	conform_expect_errno(res, what, ret, want);
	/* Unmap-all reports what was left: a refused map must leave nothing. */
	pfn_ioas_unmap(fx.iommu.fd, fx.iommu.ioas_id, 0, UINT64_MAX, &unmapped, NULL);
	if (want && unmapped)
		conform_fail(res, "the refused map left %llu bytes mapped",
			     (unsigned long long)unmapped);
	teardown(&fx, fd);
}

static void imp_zero_length(const struct conform_ctx *ctx, struct conform_result *res)
{
	expect_map_errno(ctx, res, "MAP_FILE of 0 bytes", 0, 0, 0, PFN_MAP_RW, EINVAL);
}

static void imp_past_end(const struct conform_ctx *ctx, struct conform_result *res)
{
	expect_map_errno(ctx, res, "MAP_FILE past the dma-buf's end", ctx->page,
			 ctx->target_bar_size, 0, PFN_MAP_RW, EINVAL);
}

static void imp_unaligned_length(const struct conform_ctx *ctx, struct conform_result *res)
{
	expect_map_errno(ctx, res, "MAP_FILE of page+512 bytes", 0, ctx->page + 512, 0,
			 PFN_MAP_RW, EINVAL);
}

static void imp_unaligned_iova(const struct conform_ctx *ctx, struct conform_result *res)
{
	expect_map_errno(ctx, res, "MAP_FILE at an IOVA window + 512", 0, ctx->page, 512,
			 PFN_MAP_RW, EINVAL);
}

static void imp_no_access(const struct conform_ctx *ctx, struct conform_result *res)
{
	expect_map_errno(ctx, res, "MAP_FILE with neither READ nor WRITE", 0, ctx->page, 0,
			 0, EINVAL);
}

static void imp_length_overflow(const struct conform_ctx *ctx, struct conform_result *res)
{
	expect_map_errno(ctx, res, "MAP_FILE of length 2^64 - 1", 0, UINT64_MAX, 0,
			 PFN_MAP_RW, EOVERFLOW);
}

static void imp_unknown_flag(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct iommu_ioas_map_file cmd = { .size = sizeof(cmd) };
	struct conform_fixture fx;
	int fd, ret;

	fd = setup(ctx, &fx, ctx->page, res);
	if (fd < 0)
		return;
	cmd.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE | (1u << 31);
	cmd.ioas_id = fx.iommu.ioas_id;
	cmd.fd = fd;
	cmd.length = ctx->page;
	cmd.iova = IOVA_A;
	ret = ioctl(fx.iommu.fd, IOMMU_IOAS_MAP_FILE, &cmd) ? -errno : 0;
	conform_expect_errno(res, "MAP_FILE with flag bit 31", ret, EOPNOTSUPP);
	teardown(&fx, fd);
}

static void imp_bad_fd(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct conform_fixture fx;
	uint64_t iova = 0;
	int ret;

	if (!conform_fixture_open(ctx, &fx, res))
		return;
	iova = IOVA_A;
	ret = pfn_ioas_map_file(fx.iommu.fd, fx.iommu.ioas_id, -1, 0, ctx->page, &iova,
				PFN_MAP_RW, NULL);
	conform_expect_errno(res, "MAP_FILE of fd -1", ret, EBADF);
	conform_fixture_close(&fx);
}

static void imp_bad_ioas(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct conform_fixture fx;
	uint64_t iova = 0;
	int fd, ret;

	fd = setup(ctx, &fx, ctx->page, res);
	if (fd < 0)
		return;
	iova = IOVA_A;
	ret = pfn_ioas_map_file(fx.iommu.fd, 0xfffffff0u, fd, 0, ctx->page, &iova, PFN_MAP_RW,
				NULL);
	conform_expect_errno(res, "MAP_FILE into IOAS 0xfffffff0", ret, ENOENT);
	teardown(&fx, fd);
}

static void imp_overlap(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct conform_fixture fx;
	uint64_t iova = 0;
	struct pfn_err err;
	int fd, ret;

	fd = setup(ctx, &fx, ctx->target_bar_size, res);
	if (fd < 0)
		return;
	iova = IOVA_A;
	ret = pfn_ioas_map_file(fx.iommu.fd, fx.iommu.ioas_id, fd, 0, ctx->page, &iova,
				PFN_MAP_RW, &err);
	if (ret) {
		conform_fail(res, "%s", err.msg);
	} else {
		ret = pfn_ioas_map_file(fx.iommu.fd, fx.iommu.ioas_id, fd, 0, ctx->page, &iova,
					PFN_MAP_RW, NULL);
		conform_expect_errno(res, "a second MAP_FILE at the same IOVA", ret, EEXIST);
	}
	teardown(&fx, fd);
}

static void imp_twice(const struct conform_ctx *ctx, struct conform_result *res)
{
	uint64_t a = 0, b = 0, len = ctx->page;
	struct conform_fixture fx;
	struct pfn_err err;
	int fd;

	fd = setup(ctx, &fx, ctx->target_bar_size, res);
	if (fd < 0)
		return;
	a = IOVA_A;
	b = IOVA_B;
	if (pfn_ioas_map_file(fx.iommu.fd, fx.iommu.ioas_id, fd, 0, len, &a, PFN_MAP_RW, &err) ||
	    pfn_ioas_map_file(fx.iommu.fd, fx.iommu.ioas_id, fd, 0, len, &b, PFN_MAP_RW, &err))
		conform_fail(res, "%s", err.msg);
	teardown(&fx, fd);
}

static void imp_multi_range(const struct conform_ctx *ctx, struct conform_result *res)
{
	uint64_t p = ctx->page, iova = 0;
	struct pfn_range r[2] = { { 0, p }, { 2 * p, p } };
	struct conform_fixture fx;
	struct pfn_err err;
	int fd, ret;

	if (!conform_fixture_open(ctx, &fx, res))
		return;
	iova = IOVA_A;
	fd = pfn_vfio_dmabuf_export(&fx.target, ctx->target_bar, r, 2, O_RDWR | O_CLOEXEC,
				    &err);
	if (fd < 0) {
		conform_fail(res, "%s", err.msg);
		conform_fixture_close(&fx);
		return;
	}
	ret = pfn_ioas_map_file(fx.iommu.fd, fx.iommu.ioas_id, fd, 0, 2 * p, &iova,
				PFN_MAP_RW, &err);
	if (ret == -EOPNOTSUPP)
		conform_skip(res, "the kernel maps only single-range dma-bufs (EOPNOTSUPP): iommufd reaches vfio through a private single-range hook, not a generic exporter op");
	else if (ret)
		conform_fail(res, "%s", err.msg);
	close(fd);
	conform_fixture_close(&fx);
}

static void imp_memfd_baseline(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct conform_fixture fx;
	uint64_t iova = 0;
	struct pfn_err err;
	int mfd, ret;

	if (!conform_fixture_open(ctx, &fx, res))
		return;
	iova = IOVA_A;
	mfd = memfd_create("pfn-conform", MFD_CLOEXEC);
	if (mfd < 0 || ftruncate(mfd, (off_t)(4 * ctx->page))) {
		conform_fail(res, "memfd: %s", strerror(errno));
	} else {
		ret = pfn_ioas_map_file(fx.iommu.fd, fx.iommu.ioas_id, mfd, 0, 4 * ctx->page,
					&iova, PFN_MAP_RW, &err);
		if (ret == -ENOTTY)
			conform_skip(res, "the kernel has no IOMMU_IOAS_MAP_FILE");
		else if (ret)
			conform_fail(res, "%s", err.msg);
	}
	if (mfd >= 0)
		close(mfd);
	conform_fixture_close(&fx);
}

static void imp_other_exporter(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct conform_fixture fx;
	uint64_t iova = 0;
	struct pfn_err err;
	int memfd = -1, fd, ret;

	if (!conform_fixture_open(ctx, &fx, res))
		return;
	iova = IOVA_A;
	fd = conform_make_udmabuf(4 * ctx->page, &memfd, res);
	if (fd >= 0) {
		ret = pfn_ioas_map_file(fx.iommu.fd, fx.iommu.ioas_id, fd, 0, 4 * ctx->page,
					&iova, PFN_MAP_RW, &err);
		if (ret == -EOPNOTSUPP)
			conform_skip(res, "the kernel imports only vfio dma-bufs into iommufd (EOPNOTSUPP for udmabuf): no generic exporter op");
		else if (ret)
			conform_fail(res, "%s", err.msg);
		close(fd);
	}
	if (memfd >= 0)
		close(memfd);
	conform_fixture_close(&fx);
}

static void imp_fd_closed_while_mapped(const struct conform_ctx *ctx,
				       struct conform_result *res)
{
	struct conform_fixture fx;
	uint64_t iova = 0, unmapped = 0;
	struct pfn_err err;
	int fd;

	fd = setup(ctx, &fx, ctx->target_bar_size, res);
	if (fd < 0)
		return;
	iova = IOVA_A;
	if (pfn_ioas_map_file(fx.iommu.fd, fx.iommu.ioas_id, fd, 0, ctx->page, &iova,
			      PFN_MAP_RW, &err)) {
		conform_fail(res, "%s", err.msg);
		teardown(&fx, fd);
		return;
	}
	close(fd);	/* the IOAS keeps its own reference */
	if (pfn_ioas_unmap(fx.iommu.fd, fx.iommu.ioas_id, iova, ctx->page, &unmapped, &err))
		conform_fail(res, "unmap after closing the dma-buf fd: %s", err.msg);
	else if (unmapped != ctx->page)
		conform_fail(res, "unmap removed %llu bytes", (unsigned long long)unmapped);
	conform_fixture_close(&fx);
}

/*
 * FIND-030: a dma-buf exported O_RDONLY must not become device-writable:
 * MAP_FILE with IOMMU_IOAS_MAP_WRITEABLE is refused with EACCES, as mmap(2)
 * refuses PROT_WRITE of a read-only file, while a read-only map of the same
 * fd works (the positive control).  Linux 7.3 maps it writable: a finding.
 */
static void find_rdonly_dmabuf_writable_map(const struct conform_ctx *ctx,
					    struct conform_result *res)
{
	struct pfn_range range = { 0, ctx->page };
	struct conform_result probe = { .result = PFN_PASS };
	struct conform_fixture fx;
	struct pfn_err err;
	uint64_t iova;
	int fd, ret;

	if (!conform_fixture_open(ctx, &fx, res))
		return;
	fd = pfn_vfio_dmabuf_export(&fx.target, ctx->target_bar, &range, 1,
				    O_RDONLY | O_CLOEXEC, &err);
	if (fd < 0) {
		conform_fail_as(res, CONFORM_REASON_SETUP, "export with open_flags O_RDONLY: %s",
				err.msg);
		goto out;
	}
	iova = IOVA_A;
	ret = pfn_ioas_map_file(fx.iommu.fd, fx.iommu.ioas_id, fd, 0, ctx->page, &iova,
				PFN_MAP_READ, &err);
	if (ret) {
		conform_fail_as(res, CONFORM_REASON_RIG_BROKEN,
				"read-only MAP_FILE of an O_RDONLY dma-buf (the control): %s",
				err.msg);
		goto out_fd;
	}
	pfn_ioas_unmap(fx.iommu.fd, fx.iommu.ioas_id, iova, ctx->page, NULL, NULL);
	/* Judged apart: a map that succeeds is the finding, not a failure */
	ret = conform_expect_map_refused(&fx, fd, ctx->page, PFN_MAP_RW,
					 "writable MAP_FILE of an O_RDONLY dma-buf", EACCES, &probe);
	if (!ret)
		conform_finding(res, CONFORM_REASON_CHECK,
				"IOMMU_IOAS_MAP_FILE with WRITEABLE of a dma-buf opened O_RDONLY succeeded: the device may write what the fd only lets userspace read");
	else if (probe.result == PFN_FAIL)
		conform_fail(res, "%s", probe.reason);
out_fd:
	close(fd);
out:
	conform_fixture_close(&fx);
}

const struct conform_case conform_import_cases[] = {
	{ "IMP-001", "whole_fixed_iova", "IMP-1", 0, imp_whole_fixed, 0 },
	{ "IMP-002", "whole_allocated_iova", "IMP-1", 0, imp_whole_allocated, 0 },
	{ "IMP-003", "partial", "IMP-1", 0, imp_partial, 0 },
	{ "IMP-004", "read_only", "IMP-1", 0, imp_read_only, 0 },
	{ "IMP-005", "same_dmabuf_twice", "IMP-1", 0, imp_twice, 0 },
	{ "IMP-006", "fd_closed_while_mapped", "IMP-2", 0, imp_fd_closed_while_mapped, 0 },
	{ "IMP-007", "zero_length", "IMP-3", 0, imp_zero_length, 0 },
	{ "IMP-008", "past_end", "IMP-3", 0, imp_past_end, 0 },
	{ "IMP-009", "unaligned_length", "IMP-3", 0, imp_unaligned_length, 0 },
	{ "IMP-010", "unaligned_iova", "IMP-3", 0, imp_unaligned_iova, 0 },
	{ "IMP-011", "no_access_flags", "IMP-3", 0, imp_no_access, 0 },
	{ "IMP-012", "length_overflow", "IMP-3", 0, imp_length_overflow, 0 },
	{ "IMP-013", "unknown_flag", "IMP-3", 0, imp_unknown_flag, 0 },
	{ "IMP-014", "bad_fd", "IMP-3", 0, imp_bad_fd, 0 },
	{ "IMP-015", "bad_ioas", "IMP-3", 0, imp_bad_ioas, 0 },
	{ "IMP-016", "overlapping_iova", "IMP-3", 0, imp_overlap, 0 },
	{ "IMP-017", "memfd_baseline", "IMP-4", 0, imp_memfd_baseline, 0 },
	{ "IMP-018", "multi_range_dmabuf", "IMP-5", 0, imp_multi_range, 0 },
	{ "IMP-019", "non_vfio_exporter", "IMP-6", 0, imp_other_exporter, 0 },
	{ "FIND-030", "writable_map_of_rdonly_dmabuf", "IMP-7", 0,
	  find_rdonly_dmabuf_writable_map, 0 },
};

const unsigned int conform_import_count =
	sizeof(conform_import_cases) / sizeof(conform_import_cases[0]);
