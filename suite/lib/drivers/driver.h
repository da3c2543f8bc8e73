/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the DMA drivers in lib/drivers/<name>/ share: bounded polling, MMIO
 * accessors, BAR mapping and driver memory in the IOVA window.  Private to
 * the drivers (implemented in lib/dma_driver.c); callers use pfn/dma.h.
 */
#ifndef PFN_DRIVERS_DRIVER_H
#define PFN_DRIVERS_DRIVER_H

#include <endian.h>
#include <stdbool.h>
#include <stdint.h>

#include "pfn/dma.h"
#include "pfn/error.h"

/** pfn_drv_now_us() - CLOCK_MONOTONIC in microseconds. */
int64_t pfn_drv_now_us(void);

/**
 * pfn_drv_nap() - sleep *@us microseconds, then double it up to 1 ms, so
 * that quick completions stay quick and slow ones leave the CPU idle
 * @us: the current back-off, start it at 1
 */
void pfn_drv_nap(unsigned int *us);

/* MMIO, little endian, one access of the given width each. */
static inline uint32_t pfn_mmio_rd32(const volatile uint8_t *regs, uint64_t off)
{
	return le32toh(*(const volatile uint32_t *)(regs + off));
}

static inline void pfn_mmio_wr32(volatile uint8_t *regs, uint64_t off, uint32_t v)
{
	*(volatile uint32_t *)(regs + off) = htole32(v);
}

static inline uint64_t pfn_mmio_rd64(const volatile uint8_t *regs, uint64_t off)
{
	return le64toh(*(const volatile uint64_t *)(regs + off));
}

static inline void pfn_mmio_wr64(volatile uint8_t *regs, uint64_t off, uint64_t v)
{
	*(volatile uint64_t *)(regs + off) = htole64(v);
}

/**
 * struct pfn_drv_bar - a BAR mmap'd through VFIO
 * @regs: the mapping, NULL when not mapped
 * @len: its length (page multiple)
 */
struct pfn_drv_bar {
	volatile uint8_t *regs;
	uint64_t len;
};

/**
 * pfn_drv_bar_map() - mmap all of BAR @index of the driver's device
 * @dma: the instance being initialised
 * @index: BAR number
 * @min_size: fewer bytes than this is -ENODEV (not the expected device)
 * @bar: filled
 * @err: error detail
 *
 * Return: 0 or a negative errno.
 */
int pfn_drv_bar_map(struct pfn_dma *dma, uint32_t index, uint64_t min_size,
		    struct pfn_drv_bar *bar, struct pfn_err *err);

/** pfn_drv_bar_unmap() - undo pfn_drv_bar_map(); safe on a zeroed @bar. */
void pfn_drv_bar_unmap(struct pfn_drv_bar *bar);

/**
 * struct pfn_drv_mem - driver memory, mapped for the device's DMA
 * @va: host view, NULL when not allocated
 * @len: bytes (page multiple)
 * @iova: where the device sees it
 * @mapped: the IOMMU mapping exists
 */
struct pfn_drv_mem {
	uint8_t *va;
	uint64_t len;
	uint64_t iova;
	bool mapped;
};

/**
 * pfn_drv_mem_map() - allocate zeroed memory and map it read-write at
 * @dma->iova_base + @offset
 * @dma: the instance being initialised
 * @offset: page-aligned offset in the driver's IOVA window
 * @size: bytes (rounded up to pages); must fit the window after @offset
 * @mem: filled; on failure what was done is recorded for pfn_drv_mem_unmap()
 * @err: error detail
 *
 * Return: 0 or a negative errno.
 */
int pfn_drv_mem_map(struct pfn_dma *dma, uint64_t offset, uint64_t size,
		    struct pfn_drv_mem *mem, struct pfn_err *err);

/**
 * pfn_drv_mem_unmap() - unmap and free; call only once the device can no
 * longer DMA to it.  Safe on a zeroed @mem.
 */
void pfn_drv_mem_unmap(struct pfn_dma *dma, struct pfn_drv_mem *mem);

#endif /* PFN_DRIVERS_DRIVER_H */
