// SPDX-License-Identifier: GPL-2.0-only
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pfn/pci.h"

/* Format a path; a path that does not fit is an error, not a truncation. */
static int __attribute__((format(printf, 3, 4)))
fmt_path(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* Copy a name into a fixed field, truncating (names are short in practice). */
static void copy_name(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static bool hex_run(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

int pfn_bdf_parse(const char *in, char out[PFN_BDF_LEN], struct pfn_err *err)
{
	const char *s = in;
	char buf[PFN_BDF_LEN];
	size_t len;

	if (!in)
		return pfn_fail(err, EINVAL, "no PCI address given");
	len = strlen(s);
	/* "bb:dd.f" (7) or "dddd:bb:dd.f" (12) */
	if (len == 7) {
		snprintf(buf, sizeof(buf), "0000:%s", s);
	} else if (len == 12) {
		memcpy(buf, s, sizeof(buf));
	} else {
		return pfn_fail(err, EINVAL,
				"'%s' is not a PCI address: use dddd:bb:dd.f, e.g. 0000:00:03.0", in);
	}
	if (!hex_run(buf, 4) || buf[4] != ':' || !hex_run(buf + 5, 2) || buf[7] != ':' ||
	    !hex_run(buf + 8, 2) || buf[10] != '.' || buf[11] < '0' || buf[11] > '7')
		return pfn_fail(err, EINVAL,
				"'%s' is not a PCI address: use dddd:bb:dd.f, e.g. 0000:00:03.0", in);
	/* device number is 5 bits */
	if (strtoul((char[]){ buf[8], buf[9], '\0' }, NULL, 16) > 0x1f)
		return pfn_fail(err, EINVAL, "'%s': device number above 1f", in);
	for (size_t i = 0; i < sizeof(buf); i++)
		out[i] = (char)tolower((unsigned char)buf[i]);
	return 0;
}

static int read_hex_attr(const char *dir, const char *attr, unsigned long *val)
{
	char path[PATH_MAX], line[64];
	FILE *f;

	if (fmt_path(path, sizeof(path), "%s/%s", dir, attr))
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	*val = strtoul(line, NULL, 16);
	return 0;
}

static void link_basename(const char *path, char *out, size_t size)
{
	char target[PATH_MAX];
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	const char *base;

	out[0] = '\0';
	if (n <= 0)
		return;
	target[n] = '\0';
	base = strrchr(target, '/');
	copy_name(out, size, base ? base + 1 : target);
}

int pfn_pci_info(const char *sysfs, const char *bdf, struct pfn_pci_info *info,
		 struct pfn_err *err)
{
	char dir[PATH_MAX], path[PATH_MAX], group[32] = "";
	unsigned long v;
	struct dirent *de;
	struct stat st;
	DIR *d;

	memset(info, 0, sizeof(*info));
	snprintf(info->bdf, sizeof(info->bdf), "%s", bdf);
	if (fmt_path(dir, sizeof(dir), "%s/bus/pci/devices/%s", sysfs, bdf))
		return pfn_fail(err, ENAMETOOLONG, "sysfs path too long: %s", sysfs);
	if (stat(dir, &st) != 0)
		return pfn_fail(err, ENODEV,
				"no PCI device %s on this machine (see 'ls %s/bus/pci/devices')",
				bdf, sysfs);
	if (read_hex_attr(dir, "vendor", &v) == 0)
		info->vendor = (uint16_t)v;
	if (read_hex_attr(dir, "device", &v) == 0)
		info->device = (uint16_t)v;
	if (read_hex_attr(dir, "class", &v) == 0)
		info->class = (uint32_t)v;

	if (fmt_path(path, sizeof(path), "%s/driver", dir) == 0)
		link_basename(path, info->driver, sizeof(info->driver));

	info->iommu_group = -1;
	if (fmt_path(path, sizeof(path), "%s/iommu_group", dir) == 0)
		link_basename(path, group, sizeof(group));
	if (group[0])
		info->iommu_group = atoi(group);

	d = fmt_path(path, sizeof(path), "%s/vfio-dev", dir) ? NULL : opendir(path);
	if (d) {
		while ((de = readdir(d))) {
			if (!strncmp(de->d_name, "vfio", 4) && isdigit((unsigned char)de->d_name[4])) {
				copy_name(info->vfio_cdev, sizeof(info->vfio_cdev), de->d_name);
				break;
			}
		}
		closedir(d);
	}
	return 0;
}

int pfn_pci_check_vfio(const char *sysfs, const char *bdf,
		       struct pfn_pci_info *info, struct pfn_err *err)
{
	struct pfn_pci_info local;
	int ret;

	if (!info)
		info = &local;
	ret = pfn_pci_info(sysfs, bdf, info, err);
	if (ret)
		return ret;
	/* With no driver bound there is no driver/unbind to write to. */
	if (!info->driver[0])
		return pfn_fail(err, EBUSY,
				"%s is bound to no driver, not vfio-pci: echo vfio-pci > %s/bus/pci/devices/%s/driver_override; "
				"echo %s > %s/bus/pci/drivers_probe",
				bdf, sysfs, bdf, bdf, sysfs);
	if (strcmp(info->driver, "vfio-pci") != 0)
		return pfn_fail(err, EBUSY,
				"%s is bound to %s, not vfio-pci: echo vfio-pci > %s/bus/pci/devices/%s/driver_override; "
				"echo %s > %s/bus/pci/devices/%s/driver/unbind; echo %s > %s/bus/pci/drivers_probe",
				bdf, info->driver, sysfs, bdf, bdf, sysfs, bdf, bdf, sysfs);
	if (info->iommu_group < 0)
		return pfn_fail(err, ENXIO,
				"%s has no IOMMU group: the IOMMU is missing or off; enable VT-d/AMD-Vi in firmware and boot with intel_iommu=on or amd_iommu=on",
				bdf);
	return 0;
}

static int bdf_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

int pfn_pci_list_driver(const char *sysfs, const char *driver,
			char (*bdfs)[PFN_BDF_LEN], size_t max, struct pfn_err *err)
{
	char path[PATH_MAX], bdf[PFN_BDF_LEN];
	struct dirent *de;
	size_t n = 0, stored;
	DIR *d;

	if (fmt_path(path, sizeof(path), "%s/bus/pci/drivers/%s", sysfs, driver))
		return pfn_fail(err, ENAMETOOLONG, "sysfs path too long: %s", sysfs);
	d = opendir(path);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		return pfn_fail_errno(err, "cannot list %s", path);
	}
	while ((de = readdir(d))) {
		if (pfn_bdf_parse(de->d_name, bdf, NULL) != 0)
			continue;
		if (n < max)
			memcpy(bdfs[n], bdf, PFN_BDF_LEN);
		n++;
	}
	closedir(d);
	stored = n < max ? n : max;
	qsort(bdfs, stored, PFN_BDF_LEN, bdf_cmp);
	return n > INT_MAX ? INT_MAX : (int)n;
}

bool pfn_iommu_present(const char *sysfs)
{
	char path[PATH_MAX];
	struct dirent *de;
	bool found = false;
	DIR *d;

	if (fmt_path(path, sizeof(path), "%s/class/iommu", sysfs))
		return false;
	d = opendir(path);
	if (!d)
		return false;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			found = true;
	closedir(d);
	return found;
}
