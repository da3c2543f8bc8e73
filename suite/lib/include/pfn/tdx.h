/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * TDX readiness of the running host, from sysfs and /proc: whether the CPU
 * and firmware offer TDX, a TDX module runs (and its version), the tdx_host
 * device exists, a PCI TSM is registered and it is TDX Connect's, and
 * kvm_intel has TDX on.  Read-only: nothing is loaded or enabled.
 */
#ifndef PFN_TDX_H
#define PFN_TDX_H

#include <stdbool.h>

#include "pfn/error.h"

/* The checks, in the order a TDX host needs them. */
enum pfn_tdx_check {
	PFN_TDX_CPU,		/* CPU flag tdx_host_platform */
	PFN_TDX_MODULE,		/* a TDX module, with its version */
	PFN_TDX_HOST_DEVICE,	/* the tdx_host (faux) device */
	PFN_TDX_PCI_TSM,	/* a PCI TSM in /sys/class/tsm */
	PFN_TDX_CONNECT,	/* that TSM is tdx_host's: TDX Connect */
	PFN_TDX_KVM,		/* kvm_intel.tdx=Y */
	PFN_TDX_NR,
};

/**
 * struct pfn_tdx_result - one check
 * @name: stable name (tdx_cpu, tdx_module, ...), used in JSON and by LAVA
 * @present: the feature is there
 * @detail: when present, what was found (the module's version, the TSM);
 *          when absent, exactly what is missing and where it was looked for
 */
struct pfn_tdx_result {
	const char *name;
	bool present;
	char detail[PFN_ERR_MSG_MAX];
};

struct pfn_tdx {
	struct pfn_tdx_result check[PFN_TDX_NR];
};

/**
 * pfn_tdx_probe() - run every check
 * @t: filled with one result per check
 * @sysfs: sysfs root, normally "/sys"
 * @procfs: procfs root, normally "/proc"
 */
void pfn_tdx_probe(struct pfn_tdx *t, const char *sysfs, const char *procfs);

/** pfn_tdx_ready() - every check found its feature */
bool pfn_tdx_ready(const struct pfn_tdx *t);

#endif /* PFN_TDX_H */
