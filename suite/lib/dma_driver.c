// SPDX-License-Identifier: GPL-2.0-only
/* Helpers the DMA drivers share (lib/drivers/driver.h). */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "drivers/driver.h"
#include "pfn/iommu.h"
#include "pfn/vfio.h"

int64_t pfn_drv_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void pfn_drv_nap(unsigned int *us)
{
	struct timespec ts = { 0, (long)*us * 1000 };

	nanosleep(&ts, NULL);
	if (*us < 1000)
		*us *= 2;
}

static uint64_t page_round(uint64_t n)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);

	return (n + page - 1) & ~(page - 1);
}

int pfn_drv_bar_map(struct pfn_dma *dma, uint32_t index, uint64_t min_size,
		    struct pfn_drv_bar *bar, struct pfn_err *err)
{
	struct pfn_region region;
	void *va;
	int ret;

	memset(bar, 0, sizeof(*bar));
	ret = pfn_vfio_region(dma->dev, index, &region, err);
	if (ret)
		return ret;
	if (region.size < min_size)
		return pfn_fail(err, ENODEV,
				"%s %s BAR%u is %#llx bytes: too small for its registers (%#llx)",
				dma->ops->name, dma->dev->bdf, index,
				(unsigned long long)region.size, (unsigned long long)min_size);
	ret = pfn_vfio_bar_mmap(dma->dev, index, 0, page_round(region.size),
				(uint64_t)sysconf(_SC_PAGESIZE), 0, &va, err);
	if (ret)
		return ret;
	bar->regs = va;
	bar->len = page_round(region.size);
	return 0;
}

void pfn_drv_bar_unmap(struct pfn_drv_bar *bar)
{
	if (bar->regs)
		munmap((void *)bar->regs, bar->len);
	memset(bar, 0, sizeof(*bar));
}

int pfn_drv_mem_map(struct pfn_dma *dma, uint64_t offset, uint64_t size,
		    struct pfn_drv_mem *mem, struct pfn_err *err)
{
	void *va;
	int ret;

	memset(mem, 0, sizeof(*mem));
	size = page_round(size);
	if (offset > dma->iova_size || dma->iova_size - offset < size)
		return pfn_fail(err, EINVAL,
				"%s driver needs %#llx bytes at offset %#llx of its IOVA window, given %#llx",
				dma->ops->name, (unsigned long long)size,
				(unsigned long long)offset, (unsigned long long)dma->iova_size);
	va = mmap(NULL, size, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (va == MAP_FAILED)
		return pfn_fail_errno(err, "%s driver memory (%#llx bytes)", dma->ops->name,
				      (unsigned long long)size);
	mem->va = va;
	mem->len = size;
	mem->iova = dma->iova_base + offset;
	ret = pfn_iommu_map_user(dma->dev->iommu, mem->va, mem->len, mem->iova, PFN_MAP_RW,
				 err);
	if (ret)
		return ret;
	mem->mapped = true;
	return 0;
}

void pfn_drv_mem_unmap(struct pfn_dma *dma, struct pfn_drv_mem *mem)
{
	if (mem->mapped)
		pfn_iommu_unmap(dma->dev->iommu, mem->iova, mem->len, NULL);
	if (mem->va)
		munmap(mem->va, mem->len);
	memset(mem, 0, sizeof(*mem));
}
