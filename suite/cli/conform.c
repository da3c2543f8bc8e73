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

#include <linux/vfio.h>

#include "../conform/conform.h"
#include "cli.h"

#define MAX_DEVICES 64
#define PCI_CLASS_NVME 0x010802

static void conform_usage(FILE *out)
{
	fprintf(out,
		"usage: pfnsuite conform [--device BDF] [--bar N] [--dma-device BDF]\n"
		"                        [--filter GLOB] [--results DIR | --json FILE] [--list]\n"
		"                        [--stress-seconds S] [--stress-iterations N]\n"
		"  --device      device whose BAR is exported (default: ivshmem 1af4:1110 if\n"
		"                bound to vfio-pci, else the vfio device with the largest BAR)\n"
		"  --bar         BAR under test (default: the largest mmap-capable one)\n"
		"  --dma-device  DMA-capable device for the proofs (default: a vfio-bound NVMe)\n"
		"  --filter      run cases whose ID or ID_name matches the glob, e.g. 'REV-*'\n"
		"  --results     write DIR/conformance.json\n"
		"KTAP on stdout; exit 1 if any case failed, 2 on bad usage.\n");
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

static int pick_devices(struct conform_ctx *ctx, bool have_target, bool have_dma,
			struct pfn_err *err)
{
	char bdfs[MAX_DEVICES][PFN_BDF_LEN];
	struct pfn_pci_info info;
	uint64_t best = 0, size;
	uint32_t bar;
	int n;

	n = pfn_pci_list_driver(ctx->sysfs, "vfio-pci", bdfs, MAX_DEVICES, err);
	if (n < 0)
		return n;
	n = n < MAX_DEVICES ? n : MAX_DEVICES;
	if (!have_target) {
		for (int i = 0; i < n && !ctx->target_bdf[0]; i++)
			if (!pfn_pci_info(ctx->sysfs, bdfs[i], &info, NULL) &&
			    info.vendor == 0x1af4 && info.device == 0x1110)
				memcpy(ctx->target_bdf, bdfs[i], PFN_BDF_LEN);
		for (int i = 0; i < n && !ctx->target_bdf[0]; i++) {
			if (!largest_bar(ctx->sysfs, bdfs[i], &bar, &size, NULL) && size > best) {
				best = size;
				memcpy(ctx->target_bdf, bdfs[i], PFN_BDF_LEN);
			}
		}
		if (!ctx->target_bdf[0])
			return pfn_fail(err, ENODEV,
					"no vfio-pci device with an mmap-capable BAR: bind one to vfio-pci or pass --device");
	}
	if (!have_dma) {
		for (int i = 0; i < n && !ctx->dma_bdf[0]; i++)
			if (strcmp(bdfs[i], ctx->target_bdf) &&
			    !pfn_pci_info(ctx->sysfs, bdfs[i], &info, NULL) &&
			    info.class == PCI_CLASS_NVME)
				memcpy(ctx->dma_bdf, bdfs[i], PFN_BDF_LEN);
		if (!ctx->dma_bdf[0])
			snprintf(ctx->dma_why, sizeof(ctx->dma_why),
				 "no vfio-bound NVMe controller other than the target; pass --dma-device");
	}
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
	bool have_bar = false;
	struct pfn_err err;
	uint64_t size;
	uint32_t bar;
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "d:b:D:f:r:j:lS:I:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
		case 'D':
			if (pfn_bdf_parse(optarg, c == 'd' ? ctx.target_bdf : ctx.dma_bdf, &err)) {
				fprintf(stderr, "pfnsuite conform: %s\n", err.msg);
				return 2;
			}
			break;
		case 'b':
			ctx.target_bar = (uint32_t)strtoul(optarg, &end, 0);
			if (*end || ctx.target_bar >= PFN_NUM_BARS) {
				fprintf(stderr, "pfnsuite conform: --bar takes 0 to 5\n");
				return 2;
			}
			have_bar = true;
			break;
		case 'f':
			opt.filter = optarg;
			break;
		case 'r':
			if (snprintf(json_path, sizeof(json_path), "%s/conformance.json", optarg) >=
			    (int)sizeof(json_path)) {
				fprintf(stderr, "pfnsuite conform: --results path too long\n");
				return 2;
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
				return 2;
			}
			break;
		case 'I':
			ctx.stress_iterations = (unsigned int)strtoul(optarg, &end, 0);
			if (*end || !ctx.stress_iterations) {
				fprintf(stderr, "pfnsuite conform: --stress-iterations takes a positive integer\n");
				return 2;
			}
			break;
		case 's':
			ctx.sysfs = optarg;
			break;
		case 'h':
			conform_usage(stdout);
			return 0;
		default:
			conform_usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "pfnsuite conform: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (opt.list_only)
		return conform_run(&ctx, &opt);

	ctx.page = (uint64_t)sysconf(_SC_PAGESIZE);
	if (!pfn_iommu_present(ctx.sysfs)) {
		fprintf(stderr, "pfnsuite conform: no IOMMU is active: enable VT-d/AMD-Vi and boot with intel_iommu=on or amd_iommu=on\n");
		return 1;
	}
	if (pick_devices(&ctx, ctx.target_bdf[0], ctx.dma_bdf[0], &err)) {
		fprintf(stderr, "pfnsuite conform: %s\n", err.msg);
		return 1;
	}
	if (pfn_pci_check_vfio(ctx.sysfs, ctx.target_bdf, NULL, &err) ||
	    (ctx.dma_bdf[0] && pfn_pci_check_vfio(ctx.sysfs, ctx.dma_bdf, NULL, &err))) {
		fprintf(stderr, "pfnsuite conform: %s\n", err.msg);
		return 1;
	}
	if (largest_bar(ctx.sysfs, ctx.target_bdf, &bar, &size, &err)) {
		fprintf(stderr, "pfnsuite conform: %s\n", err.msg);
		return 1;
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
		return 1;
	}
	ctx.target_bar_size = size;
	return conform_run(&ctx, &opt);
}
