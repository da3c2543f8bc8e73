// SPDX-License-Identifier: GPL-2.0-only
/* The EAL and what it needs before it starts: ports on vfio-pci, hugepages. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include "dpdk.h"
#include "pfn/pci.h"

#define HP_DIR "/sys/kernel/mm/hugepages/hugepages-2048kB"

int pdpdk_check_port_driver(const char *opt, const char *bdf, struct pfn_err *err)
{
	struct pfn_pci_info info;
	struct pfn_err e;
	int ret;

	ret = pfn_pci_check_vfio("/sys", bdf, &info, &e);
	if (ret)
		return pfn_fail(err, -ret, "%s %s: %s", opt, bdf, e.msg);
	return 0;
}

static int read_uint(const char *path, unsigned long *v)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -errno;
	ok = fscanf(f, "%lu", v) == 1;
	fclose(f);
	return ok ? 0 : -EIO;
}

/* Free 2 MiB hugepages, reserving more when @want says so. */
int pdpdk_hugepages_ready(unsigned int want, struct pfn_err *err)
{
	unsigned long nr = 0, nfree = 0;
	FILE *f;

	if (read_uint(HP_DIR "/nr_hugepages", &nr) || read_uint(HP_DIR "/free_hugepages", &nfree))
		return pfn_fail(err, ENOENT,
				"no 2 MiB hugepages in this kernel (%s): build it with CONFIG_HUGETLBFS",
				HP_DIR);
	if (want && nfree < want) {
		f = fopen(HP_DIR "/nr_hugepages", "w");
		if (!f || fprintf(f, "%lu\n", nr + (want - nfree)) < 0 || fclose(f))
			return pfn_fail_errno(err, "reserving %u hugepages (%s/nr_hugepages)", want, HP_DIR);
		read_uint(HP_DIR "/free_hugepages", &nfree);
	}
	if (nfree < (want ? want : 1))
		return pfn_fail(err, ENOMEM,
				"%lu free 2 MiB hugepages, %u needed: echo N > %s/nr_hugepages or pass --hugepages N",
				nfree, want ? want : 1, HP_DIR);
	return 0;
}

int pdpdk_eal_init(const struct pdpdk_opts *o, const char *prog, struct pfn_err *err)
{
	char *argv[32];
	char a_tx[PFN_BDF_LEN], a_rx[PFN_BDF_LEN];
	char prefix[64], mem[32];
	int argc = 0, ret;

	snprintf(a_tx, sizeof(a_tx), "%s", o->tx);
	snprintf(a_rx, sizeof(a_rx), "%s", o->rx);
	snprintf(prefix, sizeof(prefix), "--file-prefix=pfndpdk%d", (int)getpid());
	/* DPDK's own memory (mbuf headers, rings): the buffers are external. */
	snprintf(mem, sizeof(mem), "%u", 16);
	argv[argc++] = (char *)prog;
	argv[argc++] = "-l";
	argv[argc++] = "0";
	argv[argc++] = "-n";
	argv[argc++] = "1";
	argv[argc++] = "--in-memory";
	argv[argc++] = prefix;
	argv[argc++] = "-m";
	argv[argc++] = mem;
	argv[argc++] = "--no-telemetry";
	argv[argc++] = "--log-level=lib.eal:error";
	argv[argc++] = "--log-level=pmd:error";
	argv[argc++] = "-a";
	argv[argc++] = a_tx;
	argv[argc++] = "-a";
	argv[argc++] = a_rx;
	argv[argc] = NULL;
	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		return pfn_fail(err, rte_errno ? rte_errno : EIO,
				"DPDK's EAL did not start (%s): check hugepages and that the ports are on vfio-pci",
				rte_strerror(rte_errno));
	return 0;
}

/*
 * The ports are closed (stopped and reset by their PMD) and left bound to
 * vfio-pci.  rte_eal_cleanup() is not called: 22.11 then unmaps its
 * hugepage memory from the container 2 MiB at a time where it mapped one
 * piece, and logs an error per page; exit releases the container instead.
 */
void pdpdk_eal_cleanup(void)
{
	uint16_t port;

	RTE_ETH_FOREACH_DEV(port)
		rte_eth_dev_close(port);
}
