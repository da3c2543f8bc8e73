// SPDX-License-Identifier: GPL-2.0-only
/* Outcome helpers and the common fixture for conformance cases. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conform.h"

static bool set_outcome(struct conform_result *res, enum pfn_result result, bool finding,
			const char *fmt, va_list ap)
{
	/* The first failure is the one that explains the case; keep it. */
	if (res->result == PFN_FAIL)
		return false;
	res->result = result;
	res->finding = finding;
	vsnprintf(res->reason, sizeof(res->reason), fmt, ap);
	return false;
}

bool conform_fail(struct conform_result *res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_outcome(res, PFN_FAIL, false, fmt, ap);
	va_end(ap);
	return false;
}

bool conform_skip(struct conform_result *res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_outcome(res, PFN_SKIP, false, fmt, ap);
	va_end(ap);
	return false;
}

bool conform_finding(struct conform_result *res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_outcome(res, PFN_XFAIL, true, fmt, ap);
	va_end(ap);
	return false;
}

void conform_note(struct conform_result *res, const char *fmt, ...)
{
	size_t len = strlen(res->notes);
	va_list ap;

	if (len + 2 >= sizeof(res->notes))
		return;
	if (len)
		res->notes[len++] = '\n';
	va_start(ap, fmt);
	vsnprintf(res->notes + len, sizeof(res->notes) - len, fmt, ap);
	va_end(ap);
}

bool conform_expect_errno(struct conform_result *res, const char *what, int got, int want)
{
	if (want == 0 && got >= 0)
		return true;
	if (want != 0 && got == -want)
		return true;
	if (want == 0)
		return conform_fail(res, "%s failed with %s (%d), expected success", what,
				    strerrorname_np(-got) ? strerrorname_np(-got) : "?", got);
	if (got >= 0)
		return conform_fail(res, "%s succeeded, expected %s", what, strerrorname_np(want));
	return conform_fail(res, "%s failed with %s, expected %s", what,
			    strerrorname_np(-got) ? strerrorname_np(-got) : "?",
			    strerrorname_np(want));
}

bool conform_fixture_open(const struct conform_ctx *ctx, struct conform_fixture *fx,
			  struct conform_result *res)
{
	struct pfn_err err;
	int ret;

	fx->target.fd = -1;
	fx->target.group_fd = -1;
	ret = pfn_iommu_open(&fx->iommu, PFN_MODE_IOMMUFD, &err);
	if (ret) {
		if (ret == -ENODEV)
			return conform_skip(res, "%s", err.msg);
		return conform_fail(res, "%s", err.msg);
	}
	ret = pfn_vfio_open(&fx->target, ctx->sysfs, ctx->target_bdf, &fx->iommu, &err);
	if (ret) {
		pfn_iommu_close(&fx->iommu);
		if (ret == -EOPNOTSUPP)
			return conform_skip(res, "%s", err.msg);
		return conform_fail(res, "%s", err.msg);
	}
	return true;
}

void conform_fixture_close(struct conform_fixture *fx)
{
	pfn_vfio_close(&fx->target);
	pfn_iommu_close(&fx->iommu);
}

int conform_export(const struct conform_ctx *ctx, struct conform_fixture *fx,
		   uint64_t offset, uint64_t length, struct conform_result *res)
{
	struct pfn_range r = { offset, length };
	struct pfn_err err;
	int fd;

	fd = pfn_vfio_dmabuf_export(&fx->target, ctx->target_bar, &r, 1, O_RDWR | O_CLOEXEC,
				    &err);
	if (fd >= 0)
		return fd;
	if (fd == -ENOTTY || fd == -EOPNOTSUPP)
		conform_skip(res, "the kernel has no vfio dma-buf export: %s", err.msg);
	else
		conform_fail(res, "%s", err.msg);
	return fd;
}
