// SPDX-License-Identifier: GPL-2.0-only
/*
 * pfnsuite conform: run the conformance cases (suite/SPEC.md) against a
 * target device's BAR, with a DMA-capable device for the revoke proofs.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../conform/conform.h"
#include "cli.h"
#include "pfn/dma.h"

static void conform_usage(FILE *out)
{
	fprintf(out,
		"usage: pfnsuite conform [--device BDF] [--bar N] [--dma-device BDF]\n"
		"                        [--filter GLOB[,GLOB...]] [--results DIR | --json FILE]\n"
		"                        [--expect FILE] [--list] [--case-timeout S]\n"
		"                        [--stress-seconds S] [--stress-iterations N]\n"
		"                        [--allow-destructive] [--selftest]\n"
		"                        [--test-dma-fault silent|hang] [--dry-run]\n"
		"                        [--soak SECONDS]\n"
		"  --device      device whose BAR is exported (default: the vfio-pci device\n"
		"                with the largest mmap-capable BAR)\n"
		"  --bar         BAR under test (default: the largest mmap-capable one)\n"
		"  --dma-device  DMA-capable device for the proofs (default: the first\n"
		"                vfio-pci device, other than the target, that a built-in DMA\n"
		"                driver handles, in driver order: nvme, edu)\n"
		"  --filter      run cases whose ID or ID_name matches a glob, e.g. 'REV-*'\n"
		"  --results     write DIR/conformance.json\n"
		"  --expect      hold the run to the expected outcomes in FILE\n"
		"                (suite/conform/expect/): any deviation fails the run\n"
		"  --case-timeout  default time limit of one case, seconds (60)\n"
		"  --allow-destructive  let the DMA driver overwrite data on its device even\n"
		"                when it holds a partition table or filesystem\n"
		"  --selftest    add the runner's self-tests (SELF-*: crash and hang on purpose)\n"
		"  --test-dma-fault  TEST ONLY: make the DMA engine dead (silent: reports\n"
		"                success, moves nothing; hang: never completes)\n"
		"  --soak        run only the stress cases (RACE family), each for SECONDS\n"
		"                with no iteration bound: progress lines, then iterations\n"
		"                and stale landings (must be 0) per case\n"
		"  --dry-run     print the devices and BAR the run would use, run nothing:\n"
		"                'target BDF BARn SIZE memory|not-memory', 'dma BDF'\n"
		"KTAP on stdout; exit 0 all passed, 1 a case failed or deviated,\n"
		"2 bad usage or input, 3 the machine cannot run the suite.\n");
}

int cmd_conform(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "bar", required_argument, NULL, 'b' },
		{ "dma-device", required_argument, NULL, 'D' },
		{ "filter", required_argument, NULL, 'f' },
		{ "results", required_argument, NULL, 'r' },
		{ "json", required_argument, NULL, 'j' },
		{ "list", no_argument, NULL, 'l' },
		{ "stress-seconds", required_argument, NULL, 'S' },
		{ "stress-iterations", required_argument, NULL, 'I' },
		{ "sysfs", required_argument, NULL, 's' },
		{ "expect", required_argument, NULL, 'e' },
		{ "case-timeout", required_argument, NULL, 'T' },
		{ "allow-destructive", no_argument, NULL, 'A' },
		{ "selftest", no_argument, NULL, 'Z' },
		{ "test-dma-fault", required_argument, NULL, 'F' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "soak", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct conform_ctx ctx = {
		.sysfs = PFN_SYSFS_DEFAULT,
		.stress_seconds = 20,
		.stress_iterations = 200,
	};
	struct conform_options opt = { 0 };
	char json_path[PATH_MAX];
	bool have_bar = false, dry_run = false;
	struct pfn_err err;
	int ret;
	unsigned long long count;
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "d:b:D:f:r:j:lS:I:s:e:T:AZF:nk:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
		case 'D':
		case 'b':
			if (cli_target_option("conform", &ctx, c, optarg, &have_bar) < 0)
				return CLI_EXIT_USAGE;
			break;
		case 'f':
			opt.filter = optarg;
			break;
		case 'r':
			if (!cli_results_path("conform", "--results", optarg, "conformance.json",
					      json_path, sizeof(json_path)))
				return CLI_EXIT_USAGE;
			opt.json_path = json_path;
			break;
		case 'j':
			opt.json_path = optarg;
			break;
		case 'l':
			opt.list_only = true;
			break;
		case 'S':
			ctx.stress_seconds = strtod(optarg, &end);
			if (*end || ctx.stress_seconds <= 0) {
				fprintf(stderr, "pfnsuite conform: --stress-seconds takes a positive number\n");
				return CLI_EXIT_USAGE;
			}
			break;
		case 'I':
			if (!cli_parse_count("conform", "--stress-iterations", optarg, 1, UINT_MAX, &count))
				return CLI_EXIT_USAGE;
			ctx.stress_iterations = (unsigned int)count;
			break;
		case 's':
			ctx.sysfs = optarg;
			break;
		case 'e':
			/* read in full by the run; unreadable is bad input, before anything runs */
			if (access(optarg, R_OK)) {
				fprintf(stderr, "pfnsuite conform: --expect %s cannot be read (%s): name a file of suite/conform/expect/\n",
					optarg, strerror(errno));
				return CLI_EXIT_USAGE;
			}
			opt.expect_path = optarg;
			break;
		case 'T':
			if (!cli_parse_count("conform", "--case-timeout", optarg, 1, 86400, &count))
				return CLI_EXIT_USAGE;
			opt.case_timeout_s = (unsigned int)count;
			break;
		case 'A':
			ctx.allow_destructive = true;
			break;
		case 'Z':
			opt.selftest = true;
			break;
		case 'n':
			dry_run = true;
			break;
		case 'k':
			/* the stress cases, each for this long, iterations unbounded */
			ctx.stress_seconds = strtod(optarg, &end);
			if (*end || !(ctx.stress_seconds > 0 && ctx.stress_seconds <= 7 * 86400)) {
				fprintf(stderr, "pfnsuite conform: --soak takes a positive number of seconds, at most 604800 (a week)\n");
				return CLI_EXIT_USAGE;
			}
			ctx.stress_iterations = UINT_MAX;
			opt.stress_only = true;
			break;
		case 'F':
			if (!strcmp(optarg, "silent")) {
				ctx.dma_fault = PFN_DMA_FAULT_SILENT;
			} else if (!strcmp(optarg, "hang")) {
				ctx.dma_fault = PFN_DMA_FAULT_HANG;
			} else {
				fprintf(stderr, "pfnsuite conform: --test-dma-fault takes silent or hang\n");
				return CLI_EXIT_USAGE;
			}
			break;
		case 'h':
			conform_usage(stdout);
			return 0;
		default:
			return cli_bad_option("conform", argv);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "pfnsuite conform: unexpected argument '%s'\n", argv[optind]);
		return CLI_EXIT_USAGE;
	}
	if (opt.list_only)
		return conform_run(&ctx, &opt);

	ret = cli_target_setup(&ctx, have_bar, &err);
	if (ret) {
		fprintf(stderr, "pfnsuite conform: %s\n", err.msg);
		return ret;
	}
	if (dry_run) {
		printf("target %s BAR%u %llu %s\n", ctx.target_bdf, ctx.target_bar,
		       (unsigned long long)ctx.target_bar_size,
		       ctx.target_is_memory ? "memory" : "not-memory");
		if (ctx.dma_bdf[0])
			printf("dma %s\n", ctx.dma_bdf);
		else
			printf("dma none %s\n", ctx.dma_why);
		return 0;
	}
	return conform_run(&ctx, &opt);
}
