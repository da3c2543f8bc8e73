/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pfn-dpdk's command line: which ports, which pools, how long.  Pure code,
 * unit-tested on the host.
 */
#ifndef PFNDPDK_OPTS_H
#define PFNDPDK_OPTS_H

#include <stdbool.h>
#include <stdint.h>

#include "pfn/error.h"
#include "pfn/pci.h"

#define PDPDK_MAX_FRAMES 4

/**
 * enum pdpdk_case - where the packet buffers live and how the NIC reaches them
 * @PDPDK_HUGEPAGE: host memory (2 MiB hugepages), rte_dev_dma_map: the baseline
 * @PDPDK_BAR_VMA: the peer BAR's mmap, rte_dev_dma_map into DPDK's container
 * @PDPDK_BAR_DMABUF: the peer BAR exported as a dma-buf, IOMMU_IOAS_MAP_FILE
 *	into the container's IOAS (iommufd's compat container only)
 */
enum pdpdk_case {
	PDPDK_HUGEPAGE,
	PDPDK_BAR_VMA,
	PDPDK_BAR_DMABUF,
	PDPDK_NR_CASES,
};

/** pdpdk_case_name() - "hugepage", "bar_vma", "bar_dmabuf". */
const char *pdpdk_case_name(enum pdpdk_case c);
/** pdpdk_case_placement() - "hugepage" or "bar". */
const char *pdpdk_case_placement(enum pdpdk_case c);
/** pdpdk_case_path() - "host" (the baseline), "vma" or "dmabuf". */
const char *pdpdk_case_path(enum pdpdk_case c);

/**
 * struct pdpdk_opts - one run of pfn-dpdk
 * @tx: BDF of the transmitting port
 * @rx: BDF of the receiving port
 * @peer: BDF of the device whose BAR holds the BAR pools ("" if none)
 * @peer_bar: its BAR index, -1 = the largest mmap-able memory BAR
 * @cases: which cases run (bit per &enum pdpdk_case), the baseline always
 * @auto_cases: --cases auto: what DPDK's container allows, decided at run
 *	time (type1: bar_vma; iommufd's compat container: bar_dmabuf, and
 *	bar_vma expected to be refused)
 * @frames: frame sizes (64..1518, FCS included)
 * @nr_frames: how many
 * @seconds: traffic time per sample
 * @reps: samples per case and frame size
 * @mbufs: buffers per pool
 * @revoke: also revoke the peer under traffic (needs a BAR case)
 * @expect_vma_refused: the VMA path is expected to be refused (iommufd's
 *	compat container): its refusal is then the case's result
 * @json: results file ("" = none)
 * @hugepages: 2 MiB hugepages to reserve if fewer are free (0 = use what is there)
 * @quiet: no progress lines
 */
struct pdpdk_opts {
	char tx[PFN_BDF_LEN];
	char rx[PFN_BDF_LEN];
	char peer[PFN_BDF_LEN];
	int peer_bar;
	unsigned int cases;
	bool auto_cases;
	unsigned int frames[PDPDK_MAX_FRAMES];
	unsigned int nr_frames;
	double seconds;
	unsigned int reps;
	unsigned int mbufs;
	bool revoke;
	bool expect_vma_refused;
	char json[4096];
	unsigned int hugepages;
	bool quiet;
};

/**
 * pdpdk_opts_parse() - parse argv (after the subcommand)
 * @o: filled with the defaults, then the options
 * @argc: argument count
 * @argv: arguments; argv[0] is the subcommand
 * @err: one line naming the bad option and what to do
 *
 * Return: 0, 1 for --help, or -EINVAL.
 */
int pdpdk_opts_parse(struct pdpdk_opts *o, int argc, char **argv, struct pfn_err *err);

/** pdpdk_usage() - the help text. */
const char *pdpdk_usage(void);

#endif /* PFNDPDK_OPTS_H */
