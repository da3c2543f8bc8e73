// SPDX-License-Identifier: GPL-2.0-only
/* Error reporting, KTAP output and argument validation of libpfn. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"
#include "pfn/error.h"
#include "pfn/iommu.h"
#include "pfn/ktap.h"
#include "pfn/vfio.h"

static bool fail_fills_and_returns_negative(void)
{
	struct pfn_err err;

	CHECK_INT(pfn_fail(&err, EBUSY, "device %s busy", "x"), -EBUSY);
	CHECK_INT(err.code, EBUSY);
	CHECK_STR(err.msg, "device x busy");
	CHECK_INT(pfn_fail(NULL, ENOENT, "ignored"), -ENOENT);
	CHECK_INT(pfn_fail(&err, 0, "zero becomes EIO"), -EIO);
	pfn_err_clear(&err);
	CHECK_INT(err.code, 0);
	CHECK_STR(err.msg, "");
	return true;
}

static bool fail_errno_appends_strerror(void)
{
	struct pfn_err err;

	errno = ENOENT;
	CHECK_INT(pfn_fail_errno(&err, "open %s", "/nope"), -ENOENT);
	CHECK_STR(err.msg, "open /nope: No such file or directory");
	errno = 0;
	CHECK_INT(pfn_fail_errno(&err, "x"), -EIO);
	return true;
}

static bool fail_truncates_long_messages(void)
{
	struct pfn_err err;
	char big[2 * PFN_ERR_MSG_MAX];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	pfn_fail(&err, EINVAL, "%s", big);
	CHECK_INT(strlen(err.msg), PFN_ERR_MSG_MAX - 1);
	return true;
}

static bool ktap_format_and_totals(void)
{
	struct pfn_ktap k;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc;

	CHECK(f);
	pfn_ktap_begin(&k, f, 4);
	pfn_ktap_result(&k, PFN_PASS, "a", NULL);
	pfn_ktap_result(&k, PFN_SKIP, "b", "no IOMMU # here\nreally");
	pfn_ktap_result(&k, PFN_FAIL, "c", "EINVAL");
	pfn_ktap_result(&k, PFN_XFAIL, "d", "FINDING: known gap");
	rc = pfn_ktap_end(&k);
	fclose(f);
	CHECK_INT(rc, 1);
	CHECK_STR(buf, "KTAP version 1\n1..4\nok 1 a\nok 2 b # SKIP no IOMMU   here really\n"
		       "not ok 3 c # EINVAL\nnot ok 4 d # XFAIL FINDING: known gap\n"
		       "# Totals: pass:1 fail:1 xfail:1 xpass:0 skip:1 error:0\n"
		       "1 passed, 1 failed, 1 skipped\n");
	free(buf);
	return true;
}

static bool ktap_plan_at_end_and_clean_exit(void)
{
	struct pfn_ktap k;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc;

	CHECK(f);
	pfn_ktap_begin(&k, f, -1);
	pfn_ktap_diag(&k, "before");
	pfn_ktap_result(&k, PFN_PASS, "only", NULL);
	rc = pfn_ktap_end(&k);
	fclose(f);
	CHECK_INT(rc, 0);
	/* The plan comes right after the version line, the held lines in order. */
	CHECK_CONTAINS(buf, "KTAP version 1\n1..1\n# before\nok 1 only\n# Totals:");
	free(buf);
	return true;
}

static bool iommu_map_needs_fixed_iova(void)
{
	struct pfn_iommu io = { .mode = PFN_MODE_IOMMUFD, .fd = -1 };
	struct pfn_err err;
	char page[64];

	CHECK_INT(pfn_iommu_map_user(&io, page, 4096, 0, PFN_MAP_RW | PFN_MAP_ANY_IOVA, &err),
		  -EINVAL);
	CHECK_INT(pfn_type1_map(-1, page, 0, 4096, PFN_MAP_ANY_IOVA, &err), -EINVAL);
	CHECK_CONTAINS(err.msg, "fixed");
	return true;
}

static bool type1_map_before_set_iommu(void)
{
	struct pfn_iommu io = { .mode = PFN_MODE_TYPE1, .fd = -1 };
	struct pfn_err err;
	char page[64];

	CHECK_INT(pfn_iommu_map_user(&io, page, 4096, 0x100000, PFN_MAP_RW, &err), -EINVAL);
	CHECK_CONTAINS(err.msg, "no IOMMU yet");
	return true;
}

static bool ioctls_on_bad_fd_report_ebadf(void)
{
	struct pfn_err err;
	uint32_t id;

	CHECK_INT(pfn_ioas_alloc(-1, &id, &err), -EBADF);
	CHECK_CONTAINS(err.msg, "IOMMU_IOAS_ALLOC");
	CHECK_INT(pfn_ioas_unmap(-1, 1, 0, 0, NULL, &err), -EBADF);
	CHECK_INT(pfn_type1_unmap(-1, 0, 4096, NULL, &err), -EBADF);
	return true;
}

static bool iommufd_open_reports_missing_device(void)
{
	struct pfn_err err;
	int fd;

	fd = pfn_iommufd_open(&err);
	if (access("/dev/iommu", F_OK) == 0) {
		CHECK(fd >= 0 || err.code == EACCES || err.code == EPERM);
		if (fd >= 0)
			close(fd);
		return true;
	}
	CHECK_INT(fd, -ENODEV);
	CHECK_CONTAINS(err.msg, "CONFIG_IOMMUFD");
	return true;
}

static bool vfio_open_rejects_bad_bdf_and_absent_device(void)
{
	struct pfn_iommu io = { .mode = PFN_MODE_IOMMUFD, .fd = -1 };
	struct pfn_vfio_dev dev;
	struct pfn_err err;

	CHECK_INT(pfn_vfio_open(&dev, "/sys", "nonsense", &io, &err), -EINVAL);
	CHECK_INT(dev.fd, -1);
	CHECK_INT(pfn_vfio_open(&dev, "/sys", "ffff:ff:1f.7", &io, &err), -ENODEV);
	CHECK_CONTAINS(err.msg, "no PCI device ffff:ff:1f.7");
	pfn_vfio_close(&dev);	/* safe on a failed open */
	return true;
}

static bool bar_mmap_validates_arguments(void)
{
	struct pfn_vfio_dev dev = { .fd = -1, .group_fd = -1 };
	struct pfn_err err;
	void *p;

	CHECK_INT(pfn_vfio_bar_mmap(&dev, 6, 0, 4096, 4096, 0, &p, &err), -EINVAL);
	CHECK_INT(pfn_vfio_bar_mmap(&dev, 0, 0, 4096, 3 << 12, 0, &p, &err), -EINVAL);
	CHECK_INT(pfn_vfio_bar_mmap(&dev, 0, 0, 4096, 2048, 0, &p, &err), -EINVAL);
	CHECK_INT(pfn_vfio_bar_mmap(&dev, 0, 0, 0, 4096, 0, &p, &err), -EINVAL);
	CHECK_INT(pfn_vfio_bar_mmap(&dev, 0, 100, 4096, 4096, 0, &p, &err), -EINVAL);
	/* valid arguments reach the region query, which fails on the bad fd */
	CHECK_INT(pfn_vfio_bar_mmap(&dev, 0, 0, 4096, 4096, 0, &p, &err), -EBADF);
	return true;
}

static bool dmabuf_export_bounds_ranges(void)
{
	struct pfn_vfio_dev dev = { .fd = -1, .group_fd = -1 };
	struct pfn_range r = { 0, 4096 };
	struct pfn_err err;

	CHECK_INT(pfn_vfio_dmabuf_export(&dev, 0, &r, 5000, 0, &err), -EINVAL);
	CHECK_INT(pfn_vfio_dmabuf_export(&dev, 0, &r, 1, 0, &err), -EBADF);
	CHECK_CONTAINS(err.msg, "VFIO_DEVICE_FEATURE 11");
	return true;
}

static bool reset_needs_reset_flag(void)
{
	struct pfn_vfio_dev dev = { .fd = -1, .group_fd = -1, .flags = 0 };
	struct pfn_err err;

	CHECK_INT(pfn_vfio_reset(&dev, &err), -ENOTTY);
	CHECK_INT(pfn_vfio_low_power(&dev, true, NULL), -EBADF);
	return true;
}

static bool mode_names(void)
{
	CHECK_STR(pfn_iommu_mode_name(PFN_MODE_IOMMUFD), "iommufd");
	CHECK_STR(pfn_iommu_mode_name(PFN_MODE_TYPE1), "type1");
	return true;
}

static const struct unit_case cases[] = {
	{ "fail_fills_and_returns_negative", fail_fills_and_returns_negative },
	{ "fail_errno_appends_strerror", fail_errno_appends_strerror },
	{ "fail_truncates_long_messages", fail_truncates_long_messages },
	{ "ktap_format_and_totals", ktap_format_and_totals },
	{ "ktap_plan_at_end_and_clean_exit", ktap_plan_at_end_and_clean_exit },
	{ "iommu_map_needs_fixed_iova", iommu_map_needs_fixed_iova },
	{ "type1_map_before_set_iommu", type1_map_before_set_iommu },
	{ "ioctls_on_bad_fd_report_ebadf", ioctls_on_bad_fd_report_ebadf },
	{ "iommufd_open_reports_missing_device", iommufd_open_reports_missing_device },
	{ "vfio_open_rejects_bad_bdf_and_absent_device", vfio_open_rejects_bad_bdf_and_absent_device },
	{ "bar_mmap_validates_arguments", bar_mmap_validates_arguments },
	{ "dmabuf_export_bounds_ranges", dmabuf_export_bounds_ranges },
	{ "reset_needs_reset_flag", reset_needs_reset_flag },
	{ "mode_names", mode_names },
};

UNIT_MAIN("libpfn core", cases)
