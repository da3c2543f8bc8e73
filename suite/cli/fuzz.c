// SPDX-License-Identifier: GPL-2.0-only
/* pfnsuite fuzz: the bounded uAPI fuzzer (suite/SPEC.md FUZZ). */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../conform/conform.h"
#include "../fuzz/fuzz.h"
#include "cli.h"
#include "pfn/dma.h"

static void fuzz_usage(FILE *out)
{
	fprintf(out,
		"usage: pfnsuite fuzz [--iterations N] [--seed S] [--batch N]\n"
		"                     [--device BDF] [--bar N] [--dma-device BDF]\n"
		"                     [--batch-timeout S] [--save-dir DIR] [--replay FILE]\n"
		"                     [--results DIR | --json FILE] [--verbose]\n"
		"                     [--test-dma-fault silent|hang]\n"
		"  --iterations  calls in all (default 1024)\n"
		"  --seed        the generator's seed, decimal or 0x-hex (default 1); a run\n"
		"                is reproducible from it on the same kernel and device\n"
		"  --batch       calls per batch (default 64); after each batch a positive\n"
		"                control maps a fresh dma-buf and a DMA must land\n"
		"  --device, --bar, --dma-device  as for 'pfnsuite conform' (a DMA device\n"
		"                is required: it drives the control)\n"
		"  --batch-timeout  seconds a batch may take before it counts as a hang (30)\n"
		"  --save-dir    save each failing batch there as a replayable input\n"
		"  --replay      run the one batch a saved input names, every call printed\n"
		"  --results     write DIR/fuzz.json\n"
		"  --test-dma-fault  TEST ONLY: a dead DMA engine, so every control fails\n"
		"KTAP on stdout, one line per batch, then the errno histogram per ioctl.\n"
		"Exit 0: no splat, hang, crash, control failure, leak or bad input accepted\n"
		"(outside documented findings); 1 otherwise; 2 bad usage; 3 the target\n"
		"cannot be opened.\n");
}

int cmd_fuzz(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "iterations", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 'S' },
		{ "batch", required_argument, NULL, 'B' },
		{ "batch-timeout", required_argument, NULL, 'T' },
		{ "device", required_argument, NULL, 'd' },
		{ "bar", required_argument, NULL, 'b' },
		{ "dma-device", required_argument, NULL, 'D' },
		{ "save-dir", required_argument, NULL, 's' },
		{ "replay", required_argument, NULL, 'R' },
		{ "results", required_argument, NULL, 'r' },
		{ "json", required_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "sysfs", required_argument, NULL, 'y' },
		{ "test-dma-fault", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct conform_ctx ctx = { .sysfs = PFN_SYSFS_DEFAULT };
	struct fuzz_options opt = { .iterations = 1024, .seed = 1, .batch = 64,
				    .batch_timeout_s = 30 };
	static char json_path[PATH_MAX];
	char save_path[PATH_MAX];
	unsigned long long n;
	bool have_bar = false;
	struct pfn_err err;
	int c, ret;

	while ((c = getopt_long(argc, argv, "n:S:B:T:d:b:D:s:R:r:j:vy:F:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (!cli_parse_count("fuzz", "--iterations", optarg, 1, 1000000000ull, &n))
				return CLI_EXIT_USAGE;
			opt.iterations = n;
			break;
		case 'S':
			if (!cli_parse_count("fuzz", "--seed", optarg, 0, ~0ull, &n))
				return CLI_EXIT_USAGE;
			opt.seed = n;
			break;
		case 'B':
			if (!cli_parse_count("fuzz", "--batch", optarg, 1, 4096, &n))
				return CLI_EXIT_USAGE;
			opt.batch = (unsigned int)n;
			break;
		case 'T':
			if (!cli_parse_count("fuzz", "--batch-timeout", optarg, 1, 86400, &n))
				return CLI_EXIT_USAGE;
			opt.batch_timeout_s = (unsigned int)n;
			break;
		case 'd':
		case 'D':
		case 'b':
			if (cli_target_option("fuzz", &ctx, c, optarg, &have_bar) < 0)
				return CLI_EXIT_USAGE;
			break;
		case 's':
			if (!cli_results_path("fuzz", "--save-dir", optarg, "", save_path,
					      sizeof(save_path)))
				return CLI_EXIT_USAGE;
			opt.save_dir = optarg;
			break;
		case 'r':
			if (!cli_results_path("fuzz", "--results", optarg, "fuzz.json", json_path,
					      sizeof(json_path)))
				return CLI_EXIT_USAGE;
			opt.json_path = json_path;
			break;
		case 'R':
			opt.replay = optarg;
			break;
		case 'j':
			opt.json_path = optarg;
			break;
		case 'v':
			opt.verbose = true;
			break;
		case 'y':
			ctx.sysfs = optarg;
			break;
		case 'F':
			if (!strcmp(optarg, "silent")) {
				ctx.dma_fault = PFN_DMA_FAULT_SILENT;
			} else if (!strcmp(optarg, "hang")) {
				ctx.dma_fault = PFN_DMA_FAULT_HANG;
			} else {
				fprintf(stderr, "pfnsuite fuzz: --test-dma-fault takes silent or hang\n");
				return CLI_EXIT_USAGE;
			}
			break;
		case 'h':
			fuzz_usage(stdout);
			return CLI_EXIT_OK;
		default:
			return cli_bad_option("fuzz", argv);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "pfnsuite fuzz: unexpected argument '%s'\n", argv[optind]);
		return CLI_EXIT_USAGE;
	}
	if (opt.replay) {
		uint64_t seed, batch;
		unsigned int calls;

		if (fuzz_input_read(opt.replay, &seed, &batch, &calls, &err)) {
			fprintf(stderr, "pfnsuite fuzz: %s\n", err.msg);
			return CLI_EXIT_USAGE;
		}
	}
	ret = cli_target_setup(&ctx, have_bar, &err);
	if (ret) {
		fprintf(stderr, "pfnsuite fuzz: %s\n", err.msg);
		return ret;
	}
	if (!ctx.dma_bdf[0]) {
		fprintf(stderr, "pfnsuite fuzz: no DMA device for the positive control (%s): bind one to vfio-pci or pass --dma-device\n",
			ctx.dma_why);
		return CLI_EXIT_USAGE;
	}
	return fuzz_run(&ctx, &opt);
}
