// SPDX-License-Identifier: GPL-2.0-only
/* TDX readiness of the running host (pfn/tdx.h). */
#include <dirent.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pfn/tdx.h"

static const char *const check_names[PFN_TDX_NR] = {
	[PFN_TDX_CPU] = "tdx_cpu",
	[PFN_TDX_MODULE] = "tdx_module",
	[PFN_TDX_HOST_DEVICE] = "tdx_host_device",
	[PFN_TDX_PCI_TSM] = "pci_tsm",
	[PFN_TDX_CONNECT] = "tdx_connect",
	[PFN_TDX_KVM] = "kvm_intel_tdx",
};

static void __attribute__((format(printf, 3, 4)))
say(struct pfn_tdx_result *r, bool present, const char *fmt, ...)
{
	va_list ap;

	r->present = present;
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
}

/* The first line of ROOT/REL, without its newline; false if unreadable. */
static bool read_line(const char *root, const char *rel, char *buf, size_t len)
{
	char path[PATH_MAX];
	FILE *f;
	bool ok;

	if (snprintf(path, sizeof(path), "%s/%s", root, rel) >= (int)sizeof(path))
		return false;
	f = fopen(path, "re");
	if (!f)
		return false;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

static bool exists(const char *root, const char *rel)
{
	char path[PATH_MAX];
	struct stat st;

	return snprintf(path, sizeof(path), "%s/%s", root, rel) < (int)sizeof(path) && !stat(path, &st);
}

/* Is FLAG one of the words of a "flags" line of PROCFS/cpuinfo? */
static bool cpu_flag(const char *procfs, const char *flag, bool *readable)
{
	char path[PATH_MAX], line[8192];
	bool found = false;
	size_t n = strlen(flag);
	FILE *f;

	*readable = false;
	if (snprintf(path, sizeof(path), "%s/cpuinfo", procfs) >= (int)sizeof(path))
		return false;
	f = fopen(path, "re");
	if (!f)
		return false;
	*readable = true;
	while (!found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5))
			continue;
		for (char *p = strstr(line, flag); p && !found; p = strstr(p + 1, flag))
			found = p[-1] == ' ' && (p[n] == ' ' || p[n] == '\n' || p[n] == '\0');
	}
	fclose(f);
	return found;
}

static void check_cpu(struct pfn_tdx_result *r, const char *procfs)
{
	bool readable;

	if (cpu_flag(procfs, "tdx_host_platform", &readable))
		say(r, true, "CPU flag tdx_host_platform");
	else if (!readable)
		say(r, false, "cannot read %s/cpuinfo", procfs);
	else
		say(r, false,
		    "no CPU flag tdx_host_platform in %s/cpuinfo: the CPU has no TDX, the BIOS has it off, or the kernel lacks CONFIG_INTEL_TDX_HOST",
		    procfs);
}

/*
 * The module's version: the tdx_host device's "version" (upstream), else
 * the TDX tree's /sys/firmware/tdx/tdx_module/ (status, major and minor).
 */
static void check_module(struct pfn_tdx_result *r, const char *sysfs)
{
	char ver[64], major[32], minor[32], status[32];

	if (read_line(sysfs, "devices/faux/tdx_host/version", ver, sizeof(ver))) {
		say(r, true, "TDX module %s (%s/devices/faux/tdx_host/version)", ver, sysfs);
		return;
	}
	if (read_line(sysfs, "firmware/tdx/tdx_module/major_version", major, sizeof(major)) &&
	    read_line(sysfs, "firmware/tdx/tdx_module/minor_version", minor, sizeof(minor))) {
		if (!read_line(sysfs, "firmware/tdx/tdx_module/status", status, sizeof(status)))
			snprintf(status, sizeof(status), "status unknown");
		say(r, !strcmp(status, "initialized") || !strcmp(status, "status unknown"),
		    "TDX module %s.%s, %s (%s/firmware/tdx/tdx_module)", major, minor, status, sysfs);
		return;
	}
	say(r, false,
	    "no TDX module: neither %s/devices/faux/tdx_host/version nor %s/firmware/tdx/tdx_module/ exists (the BIOS loaded none, or the kernel lacks TDX host support)",
	    sysfs, sysfs);
}

static void check_host_device(struct pfn_tdx_result *r, const char *sysfs)
{
	if (exists(sysfs, "devices/faux/tdx_host"))
		say(r, true, "%s/devices/faux/tdx_host", sysfs);
	else
		say(r, false,
		    "no tdx_host device (%s/devices/faux/tdx_host): the kernel lacks the TDX host driver (CONFIG_TDX_HOST_SERVICES) or no TDX module runs",
		    sysfs);
}

/* The TSMs in SYSFS/class/tsm; sets *tdx when one of them is tdx_host's. */
static int list_tsms(const char *sysfs, char *names, size_t len, bool *tdx)
{
	char dir[PATH_MAX], link[PATH_MAX], real[PATH_MAX];
	struct dirent *e;
	size_t used = 0;
	int n = 0;
	DIR *d;

	*tdx = false;
	names[0] = '\0';
	if (snprintf(dir, sizeof(dir), "%s/class/tsm", sysfs) >= (int)sizeof(dir))
		return 0;
	d = opendir(dir);
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		n++;
		if (used < len)
			used += (size_t)snprintf(names + used, len - used, "%s%s", used ? " " : "", e->d_name);
		if (snprintf(link, sizeof(link), "%s/%s", dir, e->d_name) < (int)sizeof(link) &&
		    realpath(link, real) && strstr(real, "/tdx_host/"))
			*tdx = true;
	}
	closedir(d);
	return n;
}

static void check_tsm(struct pfn_tdx *t, const char *sysfs)
{
	struct pfn_tdx_result *tsm = &t->check[PFN_TDX_PCI_TSM], *connect = &t->check[PFN_TDX_CONNECT];
	char names[128];
	bool tdx;
	int n = list_tsms(sysfs, names, sizeof(names), &tdx);

	if (!n) {
		say(tsm, false,
		    "no PCI TSM: %s/class/tsm/ is empty or absent (the kernel lacks CONFIG_PCI_TSM, or no TSM driver registered)",
		    sysfs);
		say(connect, false, "no TDX Connect: no PCI TSM is registered, so none is tdx_host's");
		return;
	}
	say(tsm, true, "%d TSM%s in %s/class/tsm: %s", n, n > 1 ? "s" : "", sysfs, names);
	if (tdx)
		say(connect, true, "a TSM of %s/class/tsm belongs to tdx_host", sysfs);
	else
		say(connect, false, "no TDX Connect: the TSMs of %s/class/tsm (%s) are not tdx_host's", sysfs,
		    names);
}

static void check_kvm(struct pfn_tdx_result *r, const char *sysfs)
{
	char val[16];

	if (read_line(sysfs, "module/kvm_intel/parameters/tdx", val, sizeof(val))) {
		if (val[0] == 'Y' || val[0] == '1')
			say(r, true, "kvm_intel.tdx=%s", val);
		else
			say(r, false, "kvm_intel.tdx=%s: TDX is off in KVM (load kvm_intel with tdx=1)", val);
	} else if (exists(sysfs, "module/kvm_intel")) {
		say(r, false,
		    "kvm_intel has no tdx parameter (%s/module/kvm_intel/parameters/tdx): the kernel lacks KVM TDX support (CONFIG_KVM_INTEL_TDX)",
		    sysfs);
	} else {
		say(r, false, "kvm_intel is not loaded (%s/module/kvm_intel absent)", sysfs);
	}
}

void pfn_tdx_probe(struct pfn_tdx *t, const char *sysfs, const char *procfs)
{
	memset(t, 0, sizeof(*t));
	for (int i = 0; i < PFN_TDX_NR; i++)
		t->check[i].name = check_names[i];
	check_cpu(&t->check[PFN_TDX_CPU], procfs);
	check_module(&t->check[PFN_TDX_MODULE], sysfs);
	check_host_device(&t->check[PFN_TDX_HOST_DEVICE], sysfs);
	check_tsm(t, sysfs);
	check_kvm(&t->check[PFN_TDX_KVM], sysfs);
}

bool pfn_tdx_ready(const struct pfn_tdx *t)
{
	for (int i = 0; i < PFN_TDX_NR; i++)
		if (!t->check[i].present)
			return false;
	return true;
}
