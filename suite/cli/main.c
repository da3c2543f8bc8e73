// SPDX-License-Identifier: GPL-2.0-only
/* pfnsuite: dma-buf PFN mapping conformance and benchmarks. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "probe", cmd_probe, "list vfio devices, their BARs and which mapping paths work" },
	{ "dma", cmd_dma, "drive an NVMe as a DMA engine: host copies, DMA into a dma-buf BAR, revoke" },
	{ "conform", cmd_conform, "run the conformance cases (KTAP; see suite/SPEC.md)" },
	{ "bench", cmd_bench, "benchmark the VMA path against the dma-buf path (Google Benchmark)" },
	{ "fuzz", cmd_fuzz, "throw seeded bad input at the dma-buf uAPIs, with a DMA control after each batch" },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: pfnsuite COMMAND [OPTIONS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(out, "\n'pfnsuite COMMAND --help' describes a command's options.\n"
		"\nexit status, every command: 0 ran and passed (SKIPs with a reason and findings\n"
		"included); 1 ran and found failures; 2 usage error or bad input (unknown option,\n"
		"absent or unbound device, malformed file; nothing run or written); 3\n"
		"infrastructure error (the kernel lacks what the whole command needs, or an\n"
		"output could not be written)\n");
}

int main(int argc, char **argv)
{
	opterr = 0;	/* each subcommand says what is wrong in one line (cli_bad_option) */
	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "pfnsuite: unknown command '%s'; run 'pfnsuite --help'\n", argv[1]);
	return CLI_EXIT_USAGE;
}
