// SPDX-License-Identifier: GPL-2.0-only
/*
 * The target of the subcommands that test a BAR (conform, fuzz): pick the
 * target device, its BAR and the DMA device, check them, and find out
 * whether the BAR behaves as memory (suite/SPEC.md MEM-1).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "../conform/conform.h"
#include "cli.h"
#include "pfn/dma_pick.h"
#include "pfn/pattern.h"
#include "pfn/target_pick.h"

#define MAX_DEVICES 64
/* Bytes of the target BAR the memory-behaviour check writes and reads back. */
#define MEMCHECK_LEN (64u << 10)

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
	int n, ret;

	n = pfn_pci_list_driver(ctx->sysfs, "vfio-pci", bdfs, MAX_DEVICES, err);
	if (n < 0)
		return n;
	n = n < MAX_DEVICES ? n : MAX_DEVICES;
	if (!have_target) {
		ret = pfn_target_pick(ctx->sysfs, (const char (*)[PFN_BDF_LEN])bdfs, n,
				      ctx->target_bdf, err);
		if (ret)
			return ret;
	}
	if (!have_dma && pfn_dma_pick(ctx->sysfs, (const char (*)[PFN_BDF_LEN])bdfs, n,
				      ctx->target_bdf, ctx->dma_bdf, &why))
		snprintf(ctx->dma_why, sizeof(ctx->dma_why), "%s", why.msg);
	return 0;
}

int cli_target_option(const char *cmd, struct conform_ctx *ctx, int opt, const char *arg,
		      bool *have_bar)
{
	unsigned long long bar;
	struct pfn_err err;

	switch (opt) {
	case 'd':
	case 'D':
		if (pfn_bdf_parse(arg, opt == 'd' ? ctx->target_bdf : ctx->dma_bdf, &err)) {
			fprintf(stderr, "pfnsuite %s: %s\n", cmd, err.msg);
			return -1;
		}
		return 1;
	case 'b':
		if (!cli_parse_count(cmd, "--bar", arg, 0, PFN_NUM_BARS - 1, &bar))
			return -1;
		ctx->target_bar = (uint32_t)bar;
		*have_bar = true;
		return 1;
	default:
		return 0;
	}
}

int cli_target_setup(struct conform_ctx *ctx, bool have_bar, struct pfn_err *err)
{
	uint64_t size;
	uint32_t bar;
	int ret;

	ctx->page = (uint64_t)sysconf(_SC_PAGESIZE);
	if (!pfn_iommu_present(ctx->sysfs)) {
		pfn_fail(err, ENODEV,
			 "no IOMMU is active: enable VT-d/AMD-Vi and boot with intel_iommu=on or amd_iommu=on");
		return CLI_EXIT_INFRA;
	}
	ret = pick_devices(ctx, ctx->target_bdf[0], ctx->dma_bdf[0], err);
	if (ret)
		return cli_exit_for_device_error(ret);
	if (pfn_pci_check_vfio(ctx->sysfs, ctx->target_bdf, NULL, err) ||
	    (ctx->dma_bdf[0] &&
	     cli_check_dma_device(ctx->sysfs, ctx->dma_bdf, ctx->target_bdf, err)))
		return CLI_EXIT_USAGE;
	ret = pfn_bar_largest(ctx->sysfs, ctx->target_bdf, -1, &bar, &size, err);
	if (ret)
		return cli_exit_for_device_error(ret);
	if (!have_bar)
		ctx->target_bar = bar;
	if (have_bar || !size) {
		struct pfn_vfio_dev dev;
		struct pfn_iommu io;
		struct pfn_region r = { 0 };

		if (!pfn_iommu_open(&io, PFN_MODE_IOMMUFD, err)) {
			if (!pfn_vfio_open(&dev, ctx->sysfs, ctx->target_bdf, &io, err)) {
				pfn_vfio_region(&dev, ctx->target_bar, &r, err);
				pfn_vfio_close(&dev);
			}
			pfn_iommu_close(&io);
		}
		size = (r.flags & VFIO_REGION_INFO_FLAG_MMAP) ? r.size : 0;
	}
	if (size < ctx->page) {
		pfn_fail(err, EINVAL,
			 "%s BAR%u is absent, not mmap-capable or smaller than a page; pick another with --bar",
			 ctx->target_bdf, ctx->target_bar);
		return CLI_EXIT_USAGE;
	}
	ctx->target_bar_size = size;
	ctx->vfio_container = pfn_type1_backend(ctx->sysfs);
	check_bar_memory(ctx);
	return CLI_EXIT_OK;
}
