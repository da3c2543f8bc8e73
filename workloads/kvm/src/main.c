// SPDX-License-Identifier: GPL-2.0-only
/*
 * pfn-kvm: a minimal VMM that maps a PCI BAR into a KVM guest through the
 * mmap-VMA path or a dma-buf memslot, measures guest access, and revokes
 * the BAR under a running guest.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: pfn-kvm COMMAND [OPTIONS]\n"
		"  probe    what this kernel offers: KVM, statistics, dma-buf memslots\n"
		"  bench    guest throughput, nested-paging and host faults, setup times\n"
		"  revoke   PCI memory disable and reset under a running guest\n"
		"Common options: --device BDF (default: the vfio-pci device with the largest\n"
		"mmap-capable BAR), --bar N (default: that BAR),\n"
		"--json FILE, --sysfs DIR.  'pfn-kvm COMMAND --help' for the rest.\n"
		"Exit: 0 ok, 1 failure, 2 usage, 4 skipped (no KVM or no device).\n");
}

int main(int argc, char **argv)
{
	opterr = 0;	/* each subcommand says what is wrong in one line (cli_bad_option) */
	if (argc < 2) {
		usage(stderr);
		return CLI_USAGE;
	}
	if (!strcmp(argv[1], "probe"))
		return cmd_probe(argc - 1, argv + 1);
	if (!strcmp(argv[1], "bench"))
		return cmd_bench(argc - 1, argv + 1);
	if (!strcmp(argv[1], "revoke"))
		return cmd_revoke(argc - 1, argv + 1);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return CLI_OK;
	}
	fprintf(stderr, "pfn-kvm: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return CLI_USAGE;
}
