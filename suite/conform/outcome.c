// SPDX-License-Identifier: GPL-2.0-only
/* Outcome helpers and the common fixture for conformance cases. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conform.h"

const char *conform_reason_name(enum conform_reason reason)
{
	static const char *const names[] = {
		[CONFORM_REASON_NONE] = "none",
		[CONFORM_REASON_CHECK] = "check",
		[CONFORM_REASON_LANDED] = "landed",
		[CONFORM_REASON_CHANGED] = "changed",
		[CONFORM_REASON_NO_CALLBACK] = "no_callback",
		[CONFORM_REASON_GUEST_RAN] = "guest_ran",
		[CONFORM_REASON_RIG_BROKEN] = "rig_broken",
		[CONFORM_REASON_ENGINE_TIMEOUT] = "engine_timeout",
		[CONFORM_REASON_CRASHED] = "crashed",
		[CONFORM_REASON_TIMEOUT] = "timeout",
		[CONFORM_REASON_SETUP] = "setup",
	};

	if ((unsigned int)reason < sizeof(names) / sizeof(names[0]) && names[reason])
		return names[reason];
	return "unknown";
}

static bool set_outcome(struct conform_result *res, enum pfn_result result, bool finding,
			enum conform_reason code, const char *fmt, va_list ap)
{
	/* The first failure is the one that explains the case; keep it. */
	if (res->result == PFN_FAIL)
		return false;
	res->result = result;
	res->finding = finding;
	res->code = code;
	vsnprintf(res->reason, sizeof(res->reason), fmt, ap);
	return false;
}

bool conform_fail(struct conform_result *res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_outcome(res, PFN_FAIL, false, CONFORM_REASON_CHECK, fmt, ap);
	va_end(ap);
	return false;
}

bool conform_fail_as(struct conform_result *res, enum conform_reason code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_outcome(res, PFN_FAIL, false, code, fmt, ap);
	va_end(ap);
	return false;
}

bool conform_skip(struct conform_result *res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_outcome(res, PFN_SKIP, false, CONFORM_REASON_NONE, fmt, ap);
	va_end(ap);
	return false;
}

bool conform_finding(struct conform_result *res, enum conform_reason code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_outcome(res, PFN_XFAIL, true, code, fmt, ap);
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
	uint64_t window;
	int ret;

	memset(fx, 0, sizeof(*fx));
	fx->target.fd = -1;
	fx->target.group_fd = -1;
	ret = pfn_iommu_open(&fx->iommu, PFN_MODE_IOMMUFD, &err);
	if (ret) {
		if (ret == -ENODEV || ret == -ENOENT)
			return conform_skip(res, "%s", err.msg);
		return conform_fail_as(res, CONFORM_REASON_SETUP, "%s", err.msg);
	}
	ret = pfn_vfio_open(&fx->target, ctx->sysfs, ctx->target_bdf, &fx->iommu, &err);
	if (ret) {
		pfn_iommu_close(&fx->iommu);
		if (ret == -EOPNOTSUPP)
			return conform_skip(res, "%s", err.msg);
		return conform_fail_as(res, CONFORM_REASON_SETUP, "%s", err.msg);
	}
	window = ctx->target_bar_size > (1ull << 30) ? ctx->target_bar_size : (1ull << 30);
	window = (window + (1ull << 30) - 1) & ~((1ull << 30) - 1);
	ret = pfn_iova_space_read(&fx->iovas, &fx->iommu, &err);
	if (!ret)
		ret = pfn_iova_alloc(&fx->iovas, window, 1ull << 30, &fx->iova_a, &err);
	if (!ret)
		ret = pfn_iova_alloc(&fx->iovas, window, 1ull << 30, &fx->iova_b, &err);
	if (ret) {
		conform_fixture_close(fx);
		return conform_fail_as(res, CONFORM_REASON_SETUP, "IOVA space: %s", err.msg);
	}
	return true;
}

void conform_fixture_close(struct conform_fixture *fx)
{
	pfn_vfio_close(&fx->target);
	pfn_iommu_close(&fx->iommu);
}

int conform_expect_map_refused(struct conform_fixture *fx, int fd, uint64_t len, uint32_t flags,
			       const char *what, int want, struct conform_result *res)
{
	uint64_t iova = fx->iova_a, unmapped = 0;
	int ret;

	ret = pfn_ioas_map_file(fx->iommu.fd, fx->iommu.ioas_id, fd, 0, len, &iova, flags, NULL);
	conform_expect_errno(res, what, ret, want);
	pfn_ioas_unmap(fx->iommu.fd, fx->iommu.ioas_id, 0, UINT64_MAX, &unmapped, NULL);
	if (unmapped)
		conform_fail(res, "%s: %llu bytes stayed mapped", what,
			     (unsigned long long)unmapped);
	return ret;
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
