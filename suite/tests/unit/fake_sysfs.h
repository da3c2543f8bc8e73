/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A fake sysfs for host unit tests: PCI devices with their driver, IOMMU
 * group and vfio cdev, built per case under a temporary directory.
 */
#ifndef PFN_UNIT_FAKE_SYSFS_H
#define PFN_UNIT_FAKE_SYSFS_H

#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

struct fake_sysfs {
	char root[PATH_MAX];
};

/* Fixture paths are short; this keeps the formatting in one checked place. */
static inline void __attribute__((format(printf, 2, 3))) pathf(char *buf, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(buf, PATH_MAX, fmt, ap) >= PATH_MAX)
		printf("# fixture path truncated: %s\n", buf);
	va_end(ap);
}

static inline void mkdirs(const char *path)
{
	char tmp[PATH_MAX];

	pathf(tmp, "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(tmp, 0755);
			*p = '/';
		}
	}
	mkdir(tmp, 0755);
}

static inline void put_file(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	pathf(path, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static inline bool fake_init(struct fake_sysfs *fs)
{
	snprintf(fs->root, sizeof(fs->root), "/tmp/pfn-unit-sysfs.XXXXXX");
	return mkdtemp(fs->root) != NULL;
}

static inline void fake_fini(struct fake_sysfs *fs)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fs->root);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", fs->root);
}

/* Add a device of @class ("0x010802\n"); driver and cdev may be NULL, group -1. */
static inline void fake_device_class(struct fake_sysfs *fs, const char *bdf, const char *vendor,
				     const char *device, const char *class, const char *driver,
				     int group, const char *cdev)
{
	char dir[PATH_MAX], path[PATH_MAX], target[PATH_MAX];

	pathf(dir, "%s/devices/pci0000:00/%s", fs->root, bdf);
	mkdirs(dir);
	put_file(dir, "vendor", vendor);
	put_file(dir, "device", device);
	put_file(dir, "class", class);
	pathf(path, "%s/bus/pci/devices", fs->root);
	mkdirs(path);
	pathf(path, "%s/bus/pci/devices/%s", fs->root, bdf);
	if (symlink(dir, path))
		printf("# symlink %s failed\n", path);
	if (driver) {
		pathf(target, "%s/bus/pci/drivers/%s", fs->root, driver);
		mkdirs(target);
		pathf(path, "%s/driver", dir);
		if (symlink(target, path))
			printf("# symlink %s failed\n", path);
		pathf(path, "%s/%s", target, bdf);
		if (symlink(dir, path))
			printf("# symlink %s failed\n", path);
	}
	if (group >= 0) {
		pathf(target, "%s/kernel/iommu_groups/%d", fs->root, group);
		mkdirs(target);
		pathf(path, "%s/iommu_group", dir);
		if (symlink(target, path))
			printf("# symlink %s failed\n", path);
	}
	if (cdev) {
		pathf(path, "%s/vfio-dev/%s", dir, cdev);
		mkdirs(path);
	}
}

/* Add an NVMe-class device (class 01:08:02). */
static inline void fake_device(struct fake_sysfs *fs, const char *bdf, const char *vendor,
			       const char *device, const char *driver, int group,
			       const char *cdev)
{
	fake_device_class(fs, bdf, vendor, device, "0x010802\n", driver, group, cdev);
}

/* Register an IOMMU, so that pfn_iommu_present() says yes. */
static inline void fake_iommu(struct fake_sysfs *fs)
{
	char path[PATH_MAX];

	pathf(path, "%s/class/iommu/dmar0", fs->root);
	mkdirs(path);
}

#endif /* PFN_UNIT_FAKE_SYSFS_H */
