// SPDX-License-Identifier: GPL-2.0-only
/* PCI address parsing and sysfs discovery against a fake sysfs tree. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake_sysfs.h"
#include "harness.h"
#include "pfn/pci.h"

/* ---- cases ----------------------------------------------------------------- */

static bool bdf_full_form(void)
{
	char out[PFN_BDF_LEN];

	CHECK_INT(pfn_bdf_parse("0000:00:03.0", out, NULL), 0);
	CHECK_STR(out, "0000:00:03.0");
	CHECK_INT(pfn_bdf_parse("ABCD:EF:1F.7", out, NULL), 0);
	CHECK_STR(out, "abcd:ef:1f.7");
	return true;
}

static bool bdf_short_form_gets_domain_0(void)
{
	char out[PFN_BDF_LEN];

	CHECK_INT(pfn_bdf_parse("01:00.1", out, NULL), 0);
	CHECK_STR(out, "0000:01:00.1");
	return true;
}

static bool bdf_rejects_malformed(void)
{
	static const char *const bad[] = {
		"", "0", "0000:00:03", "0000:00:03.8", "0000:00:20.0", "0000-00:03.0",
		"000g:00:03.0", "0000:00:03.0 ", "00:3.0", "0000:00:03.00",
	};
	struct pfn_err err;
	char out[PFN_BDF_LEN];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pfn_err_clear(&err);
		if (pfn_bdf_parse(bad[i], out, &err) != -EINVAL) {
			printf("# '%s' was accepted\n", bad[i]);
			return false;
		}
		CHECK_INT(err.code, EINVAL);
		CHECK(err.msg[0] != '\0');
	}
	CHECK_INT(pfn_bdf_parse(NULL, out, &err), -EINVAL);
	return true;
}

static bool info_reads_identity_driver_group_cdev(void)
{
	struct fake_sysfs fs;
	struct pfn_pci_info info;
	bool ok = false;

	CHECK(fake_init(&fs));
	fake_device(&fs, "0000:00:04.0", "0x1af4\n", "0x1110\n", "vfio-pci", 7, "vfio3");
	if (pfn_pci_info(fs.root, "0000:00:04.0", &info, NULL) == 0 &&
	    info.vendor == 0x1af4 && info.device == 0x1110 && info.class == 0x010802 &&
	    !strcmp(info.driver, "vfio-pci") && info.iommu_group == 7 &&
	    !strcmp(info.vfio_cdev, "vfio3"))
		ok = true;
	else
		printf("# got %04x:%04x driver '%s' group %d cdev '%s'\n", info.vendor,
		       info.device, info.driver, info.iommu_group, info.vfio_cdev);
	fake_fini(&fs);
	return ok;
}

static bool check_vfio_absent_device(void)
{
	struct fake_sysfs fs;
	struct pfn_err err;
	int ret;

	CHECK(fake_init(&fs));
	ret = pfn_pci_check_vfio(fs.root, "0000:99:00.0", NULL, &err);
	fake_fini(&fs);
	CHECK_INT(ret, -ENODEV);
	CHECK_CONTAINS(err.msg, "no PCI device 0000:99:00.0");
	return true;
}

static bool check_vfio_wrong_driver_says_how_to_bind(void)
{
	struct fake_sysfs fs;
	struct pfn_err err;
	int ret;

	CHECK(fake_init(&fs));
	fake_device(&fs, "0000:00:03.0", "0x1b36\n", "0x0010\n", "nvme", 3, NULL);
	ret = pfn_pci_check_vfio(fs.root, "0000:00:03.0", NULL, &err);
	fake_fini(&fs);
	CHECK_INT(ret, -EBUSY);
	CHECK_CONTAINS(err.msg, "bound to nvme, not vfio-pci");
	CHECK_CONTAINS(err.msg, "driver_override");
	return true;
}

static bool check_vfio_unbound(void)
{
	struct fake_sysfs fs;
	struct pfn_err err;
	int ret;

	CHECK(fake_init(&fs));
	fake_device(&fs, "0000:00:03.0", "0x1b36\n", "0x0010\n", NULL, 3, NULL);
	ret = pfn_pci_check_vfio(fs.root, "0000:00:03.0", NULL, &err);
	fake_fini(&fs);
	CHECK_INT(ret, -EBUSY);
	CHECK_CONTAINS(err.msg, "bound to no driver");
	/* No driver: the hint must not name driver/unbind, which does not exist. */
	CHECK(!strstr(err.msg, "driver/unbind"));
	CHECK_CONTAINS(err.msg, "drivers_probe");
	return true;
}

static bool check_vfio_no_iommu_group(void)
{
	struct fake_sysfs fs;
	struct pfn_err err;
	int ret;

	CHECK(fake_init(&fs));
	fake_device(&fs, "0000:00:03.0", "0x1b36\n", "0x0010\n", "vfio-pci", -1, NULL);
	ret = pfn_pci_check_vfio(fs.root, "0000:00:03.0", NULL, &err);
	fake_fini(&fs);
	CHECK_INT(ret, -ENXIO);
	CHECK_CONTAINS(err.msg, "no IOMMU group");
	CHECK_CONTAINS(err.msg, "intel_iommu=on");
	return true;
}

static bool check_vfio_ready(void)
{
	struct fake_sysfs fs;
	struct pfn_pci_info info;
	int ret;

	CHECK(fake_init(&fs));
	fake_device(&fs, "0000:00:03.0", "0x1b36\n", "0x0010\n", "vfio-pci", 2, "vfio0");
	ret = pfn_pci_check_vfio(fs.root, "0000:00:03.0", &info, NULL);
	fake_fini(&fs);
	CHECK_INT(ret, 0);
	CHECK_INT(info.iommu_group, 2);
	return true;
}

static bool list_driver_sorted_and_counted(void)
{
	char bdfs[2][PFN_BDF_LEN];
	struct fake_sysfs fs;
	int n, none;

	CHECK(fake_init(&fs));
	fake_device(&fs, "0000:00:05.0", "0x8086\n", "0x10d3\n", "vfio-pci", 5, NULL);
	fake_device(&fs, "0000:00:03.0", "0x1b36\n", "0x0010\n", "vfio-pci", 3, NULL);
	fake_device(&fs, "0000:00:04.0", "0x1af4\n", "0x1110\n", "vfio-pci", 4, NULL);
	fake_device(&fs, "0000:00:06.0", "0x1af4\n", "0x1110\n", "nvme", 6, NULL);
	n = pfn_pci_list_driver(fs.root, "vfio-pci", bdfs, 2, NULL);
	none = pfn_pci_list_driver(fs.root, "no-such-driver", bdfs, 2, NULL);
	fake_fini(&fs);
	CHECK_INT(n, 3);	/* count exceeds capacity */
	CHECK_INT(none, 0);
	CHECK(strcmp(bdfs[0], bdfs[1]) < 0);
	return true;
}

static bool iommu_presence(void)
{
	struct fake_sysfs fs;
	char path[PATH_MAX];
	bool before, after;

	CHECK(fake_init(&fs));
	before = pfn_iommu_present(fs.root);
	pathf(path, "%s/class/iommu/dmar0", fs.root);
	mkdirs(path);
	after = pfn_iommu_present(fs.root);
	fake_fini(&fs);
	CHECK(!before);
	CHECK(after);
	return true;
}

static const struct unit_case cases[] = {
	{ "bdf_full_form", bdf_full_form },
	{ "bdf_short_form_gets_domain_0", bdf_short_form_gets_domain_0 },
	{ "bdf_rejects_malformed", bdf_rejects_malformed },
	{ "info_reads_identity_driver_group_cdev", info_reads_identity_driver_group_cdev },
	{ "check_vfio_absent_device", check_vfio_absent_device },
	{ "check_vfio_wrong_driver_says_how_to_bind", check_vfio_wrong_driver_says_how_to_bind },
	{ "check_vfio_unbound", check_vfio_unbound },
	{ "check_vfio_no_iommu_group", check_vfio_no_iommu_group },
	{ "check_vfio_ready", check_vfio_ready },
	{ "list_driver_sorted_and_counted", list_driver_sorted_and_counted },
	{ "iommu_presence", iommu_presence },
};

UNIT_MAIN("libpfn pci", cases)
