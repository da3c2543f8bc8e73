// SPDX-License-Identifier: GPL-2.0-only
/* The benchmark device environment: see env.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <linux/vfio.h>

#include "env.h"
#include "pfn/dma_pick.h"
#include "pfn/target_pick.h"

#define MAX_DEVICES 64

static void pick_dma(struct bench_env *env, char (*bdfs)[PFN_BDF_LEN], int n)
{
	struct pfn_err err;

	if (pfn_dma_pick(env->sysfs, (const char (*)[PFN_BDF_LEN])bdfs, n, env->target_bdf,
			 env->dma_bdf, &err))
		snprintf(env->dma_why, sizeof(env->dma_why), "%s", err.msg);
}

int bench_env_init(struct bench_env *env, const char *sysfs, const char *target,
		   int bar, const char *dma, struct pfn_err *err)
{
	char bdfs[MAX_DEVICES][PFN_BDF_LEN];
	int ret, n = 0;

	memset(env, 0, sizeof(*env));
	env->sysfs = sysfs;
	env->iommu.fd = -1;
	env->target.fd = env->target.group_fd = -1;
	env->dmadev.fd = env->dmadev.group_fd = -1;

	if (!target || !dma) {
		n = pfn_pci_list_driver(sysfs, "vfio-pci", bdfs, MAX_DEVICES, err);
		if (n < 0)
			return n;
		n = n < MAX_DEVICES ? n : MAX_DEVICES;
	}
	if (target) {
		ret = pfn_bdf_parse(target, env->target_bdf, err);
		if (ret)
			return ret;
	} else {
		ret = pfn_target_pick(sysfs, (const char (*)[PFN_BDF_LEN])bdfs, n,
				      env->target_bdf, err);
		if (ret)
			return ret;
	}
	if (dma) {
		ret = pfn_bdf_parse(dma, env->dma_bdf, err);
		if (ret)
			return ret;
		if (!strcmp(env->dma_bdf, env->target_bdf))
			return pfn_fail(err, EINVAL, "--dma-device must differ from --device");
	} else {
		pick_dma(env, bdfs, n);
	}
	ret = pfn_pci_check_vfio(sysfs, env->target_bdf, NULL, err);
	if (ret)
		return ret;
	ret = pfn_bar_largest(sysfs, env->target_bdf, bar, &env->bar, &env->bar_size, err);
	if (ret)
		return ret;
	if (env->bar_size < 4096) {
		if (bar >= 0)
			return pfn_fail(err, ENODEV,
					"%s BAR%d is absent, not mmap-capable or smaller than a page; pick another with --bar",
					env->target_bdf, bar);
		return pfn_fail(err, ENODEV, "%s has no mmap-capable BAR of a page or more",
				env->target_bdf);
	}
	return 0;
}

static void dma_down(struct bench_env *env)
{
	if (!env->dma_open)
		return;
	pfn_proof_close(&env->proof);
	if (env->bar_view)
		munmap(env->bar_view, BENCH_DMA_BYTES);
	env->bar_view = NULL;
	pfn_dma_close(&env->dma);
	pfn_vfio_close(&env->dmadev);
	env->dma_open = false;
}

void bench_env_close(struct bench_env *env)
{
	dma_down(env);
	pfn_vfio_close(&env->target);
	if (env->iommu.fd >= 0)
		pfn_iommu_close(&env->iommu);
	env->is_open = false;
}

/*
 * Bring up the DMA device in the open mode, with the DMA-proof primitive
 * watching the BAR's first page (the first DMA must land there, byte for byte).
 */
static int dma_up(struct bench_env *env, struct pfn_err *why)
{
	int m = env->mode;
	uint64_t window;
	int ret;

	if (env->dma_open)
		return 0;
	if (!env->dma_bdf[0])
		return pfn_fail(why, ENODEV, "%s", env->dma_why);
	if (env->dma_failed[m])
		return pfn_fail(why, -env->dma_failed[m], "%s", env->dma_why);
	ret = pfn_vfio_open(&env->dmadev, env->sysfs, env->dma_bdf, &env->iommu, why);
	if (ret)
		goto fail;
	ret = pfn_iova_alloc(&env->iovas, PFN_DMA_IOVA_WINDOW, PFN_DMA_IOVA_WINDOW, &window, why);
	if (!ret)
		ret = pfn_dma_open(&env->dma, &env->dmadev, window, PFN_DMA_IOVA_WINDOW, why);
	if (ret) {
		pfn_vfio_close(&env->dmadev);
		goto fail;
	}
	ret = pfn_proof_open(&env->proof, &env->dma, &env->iommu, &env->iovas, BENCH_DMA_BYTES,
			     why);
	if (!ret)
		ret = pfn_vfio_bar_mmap(&env->target, env->bar, 0, BENCH_DMA_BYTES, BENCH_DMA_BYTES,
					0, &env->bar_view, why);
	if (ret) {
		env->bar_view = NULL;
		pfn_proof_close(&env->proof);
		goto fail_dma;
	}
	pfn_proof_set_target(&env->proof, env->bar_view);
	env->dma_open = true;
	return 0;
fail_dma:
	pfn_dma_close(&env->dma);
	pfn_vfio_close(&env->dmadev);
fail:
	snprintf(env->dma_why, sizeof(env->dma_why), "DMA device %s in %s mode: %s",
		 env->dma_bdf, pfn_iommu_mode_name(env->mode), why->msg);
	env->dma_failed[m] = ret;
	return ret;
}

/* The address space's IOVA windows for the BAR, once the target is attached. */
static int iova_windows(struct bench_env *env, struct pfn_err *why)
{
	uint64_t gib = 1ull << 30;
	uint64_t size = (env->bar_size + gib - 1) & ~(gib - 1);
	int ret;

	ret = pfn_iova_space_read(&env->iovas, &env->iommu, why);
	if (!ret)
		ret = pfn_iova_alloc(&env->iovas, size, gib, &env->iova_bar, why);
	if (!ret)
		ret = pfn_iova_alloc(&env->iovas, size, gib, &env->iova_probe, why);
	return ret;
}

int bench_env_use(struct bench_env *env, enum pfn_iommu_mode mode, bool with_dma,
		  struct pfn_err *why)
{
	int ret;

	if (env->is_open && env->mode != mode)
		bench_env_close(env);
	if (!env->is_open) {
		if (env->failed[mode])
			return pfn_fail(why, -env->failed[mode], "%s", env->why[mode]);
		ret = pfn_iommu_open(&env->iommu, mode, why);
		if (!ret) {
			ret = pfn_vfio_open(&env->target, env->sysfs, env->target_bdf, &env->iommu,
					    why);
			if (!ret) {
				ret = iova_windows(env, why);
				if (ret)
					pfn_vfio_close(&env->target);
			}
			if (ret)
				pfn_iommu_close(&env->iommu);
		}
		if (ret) {
			env->failed[mode] = ret;
			snprintf(env->why[mode], sizeof(env->why[mode]), "%s mode: %s",
				 pfn_iommu_mode_name(mode), why->msg);
			return pfn_fail(why, -ret, "%s", env->why[mode]);
		}
		env->mode = mode;
		env->is_open = true;
	}
	return with_dma ? dma_up(env, why) : 0;
}

int bench_env_any(struct bench_env *env, struct pfn_err *why)
{
	if (env->is_open)
		return 0;
	if (!bench_env_use(env, PFN_MODE_IOMMUFD, false, why))
		return 0;
	return bench_env_use(env, PFN_MODE_TYPE1, false, why);
}
