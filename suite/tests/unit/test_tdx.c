// SPDX-License-Identifier: GPL-2.0-only
/* TDX readiness (pfn/tdx.h) against fake sysfs and procfs trees. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fake_sysfs.h"
#include "harness.h"
#include "pfn/tdx.h"

static struct fake_sysfs fs;
static char sys_root[PATH_MAX], proc_root[PATH_MAX];

static bool fresh(const char *cpu_flags)
{
	char line[256];

	if (fs.root[0])
		fake_fini(&fs);
	if (!fake_init(&fs))
		return false;
	pathf(sys_root, "%s/sys", fs.root);
	pathf(proc_root, "%s/proc", fs.root);
	mkdirs(sys_root);
	mkdirs(proc_root);
	snprintf(line, sizeof(line), "processor\t: 0\nflags\t\t: fpu vme %s\n\n", cpu_flags);
	put_file(proc_root, "cpuinfo", line);
	return true;
}

static void put(const char *rel, const char *text)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(rel, '/');

	pathf(dir, "%s/%.*s", sys_root, (int)(slash - rel), rel);
	mkdirs(dir);
	put_file(dir, slash + 1, text);
}

/* A whole TDX Connect host: module, tdx_host, its TSM, kvm_intel.tdx=Y. */
static void tdx_host(void)
{
	char target[PATH_MAX], link[PATH_MAX];

	put("devices/faux/tdx_host/version", "1.5.06.00.0744\n");
	pathf(target, "%s/devices/faux/tdx_host/tsm/tsm0", sys_root);
	mkdirs(target);
	pathf(link, "%s/class/tsm", sys_root);
	mkdirs(link);
	pathf(link, "%s/class/tsm/tsm0", sys_root);
	if (symlink(target, link))
		printf("# symlink %s failed\n", link);
	put("module/kvm_intel/parameters/tdx", "Y\n");
}

static bool emulated_target_has_none(void)
{
	struct pfn_tdx t;

	CHECK(fresh("sse tdx_guestx"));
	pfn_tdx_probe(&t, sys_root, proc_root);
	CHECK(!pfn_tdx_ready(&t));
	for (int i = 0; i < PFN_TDX_NR; i++)
		CHECK(!t.check[i].present);
	CHECK_STR(t.check[PFN_TDX_CPU].name, "tdx_cpu");
	CHECK_CONTAINS(t.check[PFN_TDX_CPU].detail, "no CPU flag tdx_host_platform");
	CHECK_CONTAINS(t.check[PFN_TDX_MODULE].detail, "no TDX module");
	CHECK_CONTAINS(t.check[PFN_TDX_HOST_DEVICE].detail, "no tdx_host device");
	CHECK_CONTAINS(t.check[PFN_TDX_PCI_TSM].detail, "no PCI TSM");
	CHECK_CONTAINS(t.check[PFN_TDX_CONNECT].detail, "no PCI TSM is registered");
	CHECK_CONTAINS(t.check[PFN_TDX_KVM].detail, "kvm_intel is not loaded");
	return true;
}

static bool flag_is_a_whole_word(void)
{
	struct pfn_tdx t;

	CHECK(fresh("tdx_host_platformx xtdx_host_platform"));
	pfn_tdx_probe(&t, sys_root, proc_root);
	CHECK(!t.check[PFN_TDX_CPU].present);
	CHECK(fresh("tdx_host_platform"));
	pfn_tdx_probe(&t, sys_root, proc_root);
	CHECK(t.check[PFN_TDX_CPU].present);
	return true;
}

static bool tdx_connect_host_is_ready(void)
{
	struct pfn_tdx t;

	CHECK(fresh("vmx tdx_host_platform sgx"));
	tdx_host();
	pfn_tdx_probe(&t, sys_root, proc_root);
	for (int i = 0; i < PFN_TDX_NR; i++)
		if (!t.check[i].present)
			printf("# %s: %s\n", t.check[i].name, t.check[i].detail);
	CHECK(pfn_tdx_ready(&t));
	CHECK_CONTAINS(t.check[PFN_TDX_MODULE].detail, "TDX module 1.5.06.00.0744");
	CHECK_CONTAINS(t.check[PFN_TDX_PCI_TSM].detail, "tsm0");
	return true;
}

static bool each_missing_piece_is_named(void)
{
	struct pfn_tdx t;

	CHECK(fresh("tdx_host_platform"));
	put("firmware/tdx/tdx_module/major_version", "1\n");
	put("firmware/tdx/tdx_module/minor_version", "5\n");
	put("firmware/tdx/tdx_module/status", "initialized\n");
	put("class/tsm/tsm0/uevent", "\n");
	put("module/kvm_intel/parameters/tdx", "N\n");
	pfn_tdx_probe(&t, sys_root, proc_root);
	CHECK(!pfn_tdx_ready(&t));
	CHECK(t.check[PFN_TDX_MODULE].present);
	CHECK_CONTAINS(t.check[PFN_TDX_MODULE].detail, "TDX module 1.5, initialized");
	CHECK(!t.check[PFN_TDX_HOST_DEVICE].present);
	CHECK(t.check[PFN_TDX_PCI_TSM].present);
	CHECK(!t.check[PFN_TDX_CONNECT].present);
	CHECK_CONTAINS(t.check[PFN_TDX_CONNECT].detail, "are not tdx_host's");
	CHECK(!t.check[PFN_TDX_KVM].present);
	CHECK_CONTAINS(t.check[PFN_TDX_KVM].detail, "kvm_intel.tdx=N");
	return true;
}

static bool module_not_initialized_is_absent(void)
{
	struct pfn_tdx t;

	CHECK(fresh("tdx_host_platform"));
	put("firmware/tdx/tdx_module/major_version", "1\n");
	put("firmware/tdx/tdx_module/minor_version", "5\n");
	put("firmware/tdx/tdx_module/status", "shutdown\n");
	put("module/kvm_intel/uevent", "\n");
	pfn_tdx_probe(&t, sys_root, proc_root);
	CHECK(!t.check[PFN_TDX_MODULE].present);
	CHECK_CONTAINS(t.check[PFN_TDX_MODULE].detail, "shutdown");
	CHECK_CONTAINS(t.check[PFN_TDX_KVM].detail, "no tdx parameter");
	return true;
}

static bool unreadable_cpuinfo_says_so(void)
{
	char path[PATH_MAX];
	struct pfn_tdx t;

	CHECK(fresh(""));
	pathf(path, "%s/cpuinfo", proc_root);
	CHECK(unlink(path) == 0);
	pfn_tdx_probe(&t, sys_root, proc_root);
	CHECK_CONTAINS(t.check[PFN_TDX_CPU].detail, "cannot read");
	fake_fini(&fs);
	fs.root[0] = '\0';
	return true;
}

static const struct unit_case cases[] = {
	{ "emulated_target_has_none", emulated_target_has_none },
	{ "flag_is_a_whole_word", flag_is_a_whole_word },
	{ "tdx_connect_host_is_ready", tdx_connect_host_is_ready },
	{ "each_missing_piece_is_named", each_missing_piece_is_named },
	{ "module_not_initialized_is_absent", module_not_initialized_is_absent },
	{ "unreadable_cpuinfo_says_so", unreadable_cpuinfo_says_so },
};

UNIT_MAIN("tdx", cases)
