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
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "../conform/conform.h"
#include "cli.h"
#include "pfn/dma.h"
#include "pfn/dma_pick.h"
#include "pfn/pattern.h"

#define MAX_DEVICES 64
/* Bytes of the target BAR the memory-behaviour check writes and reads back. */
#define MEMCHECK_LEN (64u << 10)

static void conform_usage(FILE *out)
{
	fprintf(out,
		"usage: pfnsuite conform [--device BDF] [--bar N] [--dma-device BDF]\n"
		"                        [--filter GLOB[,GLOB...]] [--results DIR | --json FILE]\n"
		"                        [--expect FILE] [--list] [--case-timeout S]\n"
		"                        [--stress-seconds S] [--stress-iterations N]\n"
		"                        [--allow-destructive] [--selftest]\n"
		"                        [--test-dma-fault silent|hang] [--dry-run]\n"
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
		"  --dry-run     print the devices and BAR the run would use, run nothing:\n"
		"                'target BDF BARn SIZE memory|not-memory', 'dma BDF'\n"
		"KTAP on stdout; exit 0 all passed, 1 a case failed or deviated,\n"
		"2 bad usage or input, 3 the machine cannot run the suite.\n");
}

static bool dir_writable(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode) && !access(path, W_OK | X_OK);
}

/* The largest mmap-capable BAR of @bdf; 0 size when none or not openable. */
static int largest_bar(const char *sysfs, const char *bdf, uint32_t *bar, uint64_t *size,
		       struct pfn_err *err)
{
	struct pfn_vfio_dev dev;
	struct pfn_region r;
	struct pfn_iommu io;
	int ret;

	*size = 0;
	ret = pfn_iommu_open(&io, PFN_MODE_IOMMUFD, err);
	if (ret)
		return ret;
	ret = pfn_vfio_open(&dev, sysfs, bdf, &io, err);
	if (ret) {
		pfn_iommu_close(&io);
		return ret;
	}
	for (uint32_t i = 0; i < PFN_NUM_BARS; i++) {
		if (pfn_vfio_region(&dev, i, &r, NULL) || !(r.flags & VFIO_REGION_INFO_FLAG_MMAP))
			continue;
		if (r.size > *size) {
			*size = r.size;
			*bar = i;
		}
	}
	pfn_vfio_close(&dev);
	pfn_iommu_close(&io);
	return 0;
}

/*
 * Does the target BAR behave as memory?  Write two patterns over its first
 * MEMCHECK_LEN bytes through the CPU, read each back, and read the second
 * again after a pause (registers read back other values, or change on
 * their own).  The original contents are put back.  See SPEC.md MEM-1.
 */
static void check_bar_memory(struct conform_ctx *ctx)
{
	size_t len = ctx->target_bar_size < MEMCHECK_LEN ? (size_t)ctx->target_bar_size :
		     MEMCHECK_LEN;
	const uint32_t seeds[2] = { 0x3e3c0001u, 0x3e3c0002u };
	struct pfn_vfio_dev dev;
	struct pfn_iommu io;
	struct pfn_err err;
	uint8_t *saved = NULL;
	void *va = NULL;
	size_t at;

	ctx->target_is_memory = false;
	len &= ~(size_t)(ctx->page - 1);
	if (pfn_iommu_open(&io, PFN_MODE_IOMMUFD, &err)) {
		snprintf(ctx->target_memory_why, sizeof(ctx->target_memory_why), "%s", err.msg);
		return;
	}
	if (pfn_vfio_open(&dev, ctx->sysfs, ctx->target_bdf, &io, &err) ||
	    pfn_vfio_bar_mmap(&dev, ctx->target_bar, 0, len, ctx->page, 0, &va, &err) ||
	    pfn_vfio_set_memory_enable(&dev, true, &err)) {
		snprintf(ctx->target_memory_why, sizeof(ctx->target_memory_why), "%s", err.msg);
		goto out;
	}
	saved = malloc(len);
	if (!saved) {
		snprintf(ctx->target_memory_why, sizeof(ctx->target_memory_why), "out of memory");
		goto out;
	}
	for (size_t i = 0; i < len / 4; i++)
		((uint32_t *)saved)[i] = ((volatile uint32_t *)va)[i];
	for (int k = 0; k < 2; k++) {
		pfn_pattern_fill(va, len, seeds[k]);
		at = pfn_pattern_diff(va, len, seeds[k]);
		if (at != len) {
			snprintf(ctx->target_memory_why, sizeof(ctx->target_memory_why),
				 "BAR%u of %s does not read back what the CPU wrote (byte %zu of the first %zu differs): registers, not memory",
				 ctx->target_bar, ctx->target_bdf, at, len);
			goto restore;
		}
	}
	usleep(20000);
	at = pfn_pattern_diff(va, len, seeds[1]);
	if (at != len) {
		snprintf(ctx->target_memory_why, sizeof(ctx->target_memory_why),
			 "BAR%u of %s changed on its own within 20 ms (byte %zu): registers, not memory",
			 ctx->target_bar, ctx->target_bdf, at);
		goto restore;
	}
	ctx->target_is_memory = true;
restore:
	for (size_t i = 0; i < len / 4; i++)
		((volatile uint32_t *)va)[i] = ((uint32_t *)saved)[i];
out:
	free(saved);
	if (va)
		munmap(va, len);
	pfn_vfio_close(&dev);
	pfn_iommu_close(&io);
}

static int pick_devices(struct conform_ctx *ctx, bool have_target, bool have_dma,
			struct pfn_err *err)
{
	char bdfs[MAX_DEVICES][PFN_BDF_LEN];
	struct pfn_err why;
	uint64_t best = 0, size;
	uint32_t bar;
	int n;

	n = pfn_pci_list_driver(ctx->sysfs, "vfio-pci", bdfs, MAX_DEVICES, err);
	if (n < 0)
		return n;
	n = n < MAX_DEVICES ? n : MAX_DEVICES;
	if (!have_target) {
		for (int i = 0; i < n; i++) {
			if (!largest_bar(ctx->sysfs, bdfs[i], &bar, &size, NULL) && size > best) {
				best = size;
				memcpy(ctx->target_bdf, bdfs[i], PFN_BDF_LEN);
			}
		}
		if (!ctx->target_bdf[0])
			return pfn_fail(err, ENODEV,
					"no vfio-pci device with an mmap-capable BAR: bind one to vfio-pci or pass --device");
	}
	if (!have_dma && pfn_dma_pick(ctx->sysfs, (const char (*)[PFN_BDF_LEN])bdfs, n,
				      ctx->target_bdf, ctx->dma_bdf, &why))
		snprintf(ctx->dma_why, sizeof(ctx->dma_why), "%s", why.msg);
	return 0;
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
	uint64_t size;
	uint32_t bar;
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "d:b:D:f:r:j:lS:I:s:e:T:AZF:nh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
		case 'D':
			if (pfn_bdf_parse(optarg, c == 'd' ? ctx.target_bdf : ctx.dma_bdf, &err)) {
				fprintf(stderr, "pfnsuite conform: %s\n", err.msg);
				return CLI_EXIT_USAGE;
			}
			break;
		case 'b':
			ctx.target_bar = (uint32_t)strtoul(optarg, &end, 0);
			if (*end || ctx.target_bar >= PFN_NUM_BARS) {
				fprintf(stderr, "pfnsuite conform: --bar takes 0 to 5\n");
				return CLI_EXIT_USAGE;
			}
			have_bar = true;
			break;
		case 'f':
			opt.filter = optarg;
			break;
		case 'r':
			if (!dir_writable(optarg)) {
				fprintf(stderr, "pfnsuite conform: --results %s is not a writable directory: create it first\n",
					optarg);
				return CLI_EXIT_USAGE;
			}
			if (snprintf(json_path, sizeof(json_path), "%s/conformance.json", optarg) >=
			    (int)sizeof(json_path)) {
				fprintf(stderr, "pfnsuite conform: --results path too long\n");
				return CLI_EXIT_USAGE;
			}
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
			ctx.stress_iterations = (unsigned int)strtoul(optarg, &end, 0);
			if (*end || !ctx.stress_iterations) {
				fprintf(stderr, "pfnsuite conform: --stress-iterations takes a positive integer\n");
				return CLI_EXIT_USAGE;
			}
			break;
		case 's':
			ctx.sysfs = optarg;
			break;
		case 'e':
			opt.expect_path = optarg;
			break;
		case 'T':
			opt.case_timeout_s = (unsigned int)strtoul(optarg, &end, 0);
			if (*end || !opt.case_timeout_s || opt.case_timeout_s > 86400) {
				fprintf(stderr, "pfnsuite conform: --case-timeout takes 1 to 86400 seconds\n");
				return CLI_EXIT_USAGE;
			}
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
			conform_usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "pfnsuite conform: unexpected argument '%s'\n", argv[optind]);
		return CLI_EXIT_USAGE;
	}
	if (opt.list_only)
		return conform_run(&ctx, &opt);

	ctx.page = (uint64_t)sysconf(_SC_PAGESIZE);
	if (!pfn_iommu_present(ctx.sysfs)) {
		fprintf(stderr, "pfnsuite conform: no IOMMU is active: enable VT-d/AMD-Vi and boot with intel_iommu=on or amd_iommu=on\n");
		return CLI_EXIT_INFRA;
	}
	ret = pick_devices(&ctx, ctx.target_bdf[0], ctx.dma_bdf[0], &err);
	if (ret) {
		fprintf(stderr, "pfnsuite conform: %s\n", err.msg);
		return cli_exit_for_device_error(ret);
	}
	if (pfn_pci_check_vfio(ctx.sysfs, ctx.target_bdf, NULL, &err) ||
	    (ctx.dma_bdf[0] &&
	     cli_check_dma_device(ctx.sysfs, ctx.dma_bdf, ctx.target_bdf, &err))) {
		fprintf(stderr, "pfnsuite conform: %s\n", err.msg);
		return CLI_EXIT_USAGE;
	}
	ret = largest_bar(ctx.sysfs, ctx.target_bdf, &bar, &size, &err);
	if (ret) {
		fprintf(stderr, "pfnsuite conform: %s\n", err.msg);
		return cli_exit_for_device_error(ret);
	}
	if (!have_bar)
		ctx.target_bar = bar;
	if (have_bar || !size) {
		struct pfn_vfio_dev dev;
		struct pfn_iommu io;
		struct pfn_region r = { 0 };

		if (!pfn_iommu_open(&io, PFN_MODE_IOMMUFD, &err)) {
			if (!pfn_vfio_open(&dev, ctx.sysfs, ctx.target_bdf, &io, &err)) {
				pfn_vfio_region(&dev, ctx.target_bar, &r, &err);
				pfn_vfio_close(&dev);
			}
			pfn_iommu_close(&io);
		}
		size = (r.flags & VFIO_REGION_INFO_FLAG_MMAP) ? r.size : 0;
	}
	if (size < ctx.page) {
		fprintf(stderr, "pfnsuite conform: %s BAR%u is absent, not mmap-capable or smaller than a page; pick another with --bar\n",
			ctx.target_bdf, ctx.target_bar);
		return CLI_EXIT_USAGE;
	}
	ctx.target_bar_size = size;
	ctx.vfio_container = pfn_type1_backend(ctx.sysfs);
	check_bar_memory(&ctx);
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
