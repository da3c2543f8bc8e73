/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace DMA drivers behind one interface, so that a test can make a real
 * device read and write memory through the IOMMU (the way upstream's vfio
 * selftests drive DSA/IOAT with memcpy_start/memcpy_wait).
 *
 * A driver is picked by matching the device's PCI identity.  It owns a
 * window of IOVA space given by the caller, where it maps the memory its
 * queues and descriptor lists live in; everything else in the address space
 * (the memcpy source and destination) is the caller's.
 *
 * The memcpy is a device DMA: the device reads @size bytes at IOVA @src and
 * writes them at IOVA @dst.  Drivers may stage the data on the device (the
 * NVMe driver writes it to a scratch LBA range and reads it back, so data on
 * that range is destroyed).
 */
#ifndef PFN_DMA_H
#define PFN_DMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pfn/error.h"
#include "pfn/pci.h"
#include "pfn/vfio.h"

/* An IOVA window this large is enough for every built-in driver. */
#define PFN_DMA_IOVA_WINDOW (2ull << 20)

/* Human-readable description of an open driver instance. */
#define PFN_DMA_DESC_MAX 256

struct pfn_dma;

/**
 * struct pfn_dma_ops - one userspace DMA driver
 * @name: short name, e.g. "nvme"
 * @match: does the driver handle this PCI function?  Pure: looks only at
 *	   @info, touches no device.
 * @init: bring the device up: map its registers, enable bus mastering, set
 *	  up queues in @dma's IOVA window, and set @dma->max_memcpy_size,
 *	  @dma->max_memcpy_count and @dma->desc.  On failure it undoes what it
 *	  did; @fini is not called.
 * @fini: quiesce the device (no DMA after it returns), unmap and free
 *	  everything @init set up.
 * @memcpy_start: start copying @size bytes from IOVA @src to IOVA @dst,
 *	  @count times over.  Arguments were checked against the limits by the
 *	  caller (size and count in range, nothing in flight); the driver checks
 *	  alignment.
 * @memcpy_wait: wait at most @timeout_ms for the started copy to finish.
 *	  Return 0, -ETIMEDOUT (still in flight: may be waited for again), or
 *	  another -errno (finished with an error: -EIO when the device reported
 *	  one).
 */
struct pfn_dma_ops {
	const char *name;
	bool (*match)(const struct pfn_pci_info *info);
	int (*init)(struct pfn_dma *dma, struct pfn_err *err);
	void (*fini)(struct pfn_dma *dma);
	int (*memcpy_start)(struct pfn_dma *dma, uint64_t src, uint64_t dst,
			    uint64_t size, uint64_t count, struct pfn_err *err);
	int (*memcpy_wait)(struct pfn_dma *dma, int timeout_ms, struct pfn_err *err);
};

/**
 * struct pfn_dma - a device driven by a DMA driver
 * @dev: the VFIO device (not owned; it must stay open until pfn_dma_close())
 * @ops: the driver
 * @priv: the driver's private state
 * @iova_base: start of the IOVA window the driver may map its own memory in
 * @iova_size: bytes in that window
 * @max_memcpy_size: largest @size one memcpy may have
 * @max_memcpy_count: largest @count one memcpy may have
 * @busy: a memcpy was started and has not been waited for to completion
 * @last_status: device status of the last failed operation, 0 if none
 *	  (driver-specific; NVMe: SCT << 8 | SC)
 * @desc: what the driver found (model, serial, limits), for diagnostics
 */
struct pfn_dma {
	struct pfn_vfio_dev *dev;
	const struct pfn_dma_ops *ops;
	void *priv;
	uint64_t iova_base;
	uint64_t iova_size;
	uint64_t max_memcpy_size;
	uint64_t max_memcpy_count;
	bool busy;
	uint32_t last_status;
	char desc[PFN_DMA_DESC_MAX];
};

/* ---- built-in drivers -------------------------------------------------- */

/* NVMe controllers (class 01:08:02): QEMU's 1b36:0010 and real SSDs. */
extern const struct pfn_dma_ops pfn_dma_nvme_ops;

/**
 * pfn_dma_drivers() - the built-in drivers, in match order
 * @count: receives the number of entries
 *
 * Return: the table.
 */
const struct pfn_dma_ops *const *pfn_dma_drivers(size_t *count);

/**
 * pfn_dma_find() - the first built-in driver whose match() accepts @info
 * @info: PCI identity
 *
 * Return: the driver, or NULL when none handles the device.
 */
const struct pfn_dma_ops *pfn_dma_find(const struct pfn_pci_info *info);

/* ---- using a driver ------------------------------------------------------ */

/**
 * pfn_dma_open() - find the driver for @dev and bring the device up
 * @dma: filled on success; zeroed on failure
 * @dev: an open VFIO device; its IOMMU address space is where the driver
 *	 maps its memory and where memcpy IOVAs are resolved
 * @iova_base: start of a window of IOVA space, unused by the caller, that
 *	 the driver may map its own memory in (page aligned)
 * @iova_size: size of that window (page multiple; PFN_DMA_IOVA_WINDOW is
 *	 enough for every built-in driver)
 * @err: error detail
 *
 * Return: 0; -EINVAL (bad window), -ENODEV (no driver for the device), or
 * the driver's init error.
 */
int pfn_dma_open(struct pfn_dma *dma, struct pfn_vfio_dev *dev, uint64_t iova_base,
		 uint64_t iova_size, struct pfn_err *err);

/**
 * pfn_dma_open_ops() - pfn_dma_open() with a given driver, without matching
 * @dma: filled on success; zeroed on failure
 * @dev: an open VFIO device
 * @ops: the driver to use
 * @iova_base: see pfn_dma_open()
 * @iova_size: see pfn_dma_open()
 * @err: error detail
 *
 * Return: 0 or a negative errno.
 */
int pfn_dma_open_ops(struct pfn_dma *dma, struct pfn_vfio_dev *dev,
		     const struct pfn_dma_ops *ops, uint64_t iova_base,
		     uint64_t iova_size, struct pfn_err *err);

/**
 * pfn_dma_close() - quiesce the device and release the driver; safe to
 * repeat and on a zeroed @dma
 * @dma: an opened instance
 */
void pfn_dma_close(struct pfn_dma *dma);

/**
 * pfn_dma_max_size() - the largest memcpy @size the open driver accepts
 * @dma: an opened instance
 *
 * Return: bytes, 0 when @dma is not open.
 */
uint64_t pfn_dma_max_size(const struct pfn_dma *dma);

/**
 * pfn_dma_memcpy_start() - start a device copy of @size bytes from IOVA @src
 * to IOVA @dst, repeated @count times
 * @dma: an opened instance with nothing in flight
 * @src: source IOVA (the device reads it)
 * @dst: destination IOVA (the device writes it)
 * @size: bytes, 1..pfn_dma_max_size()
 * @count: repetitions, 1..@dma->max_memcpy_count
 * @err: error detail
 *
 * Return: 0; -EINVAL (arguments), -EBUSY (a copy is in flight), or the
 * driver's error.
 */
int pfn_dma_memcpy_start(struct pfn_dma *dma, uint64_t src, uint64_t dst,
			 uint64_t size, uint64_t count, struct pfn_err *err);

/**
 * pfn_dma_memcpy_wait() - wait for the started copy
 * @dma: an instance with a copy in flight
 * @timeout_ms: longest wait, >= 0
 * @err: error detail
 *
 * Return: 0; -ETIMEDOUT (still in flight; wait again or close); -EIO (the
 * device reported an error, see @dma->last_status); -EINVAL (nothing in
 * flight) or another driver error.
 */
int pfn_dma_memcpy_wait(struct pfn_dma *dma, int timeout_ms, struct pfn_err *err);

/**
 * pfn_dma_memcpy() - pfn_dma_memcpy_start() of one copy, then
 * pfn_dma_memcpy_wait()
 * @dma: an opened instance with nothing in flight
 * @src: source IOVA
 * @dst: destination IOVA
 * @size: bytes
 * @timeout_ms: longest wait
 * @err: error detail
 *
 * Return: as pfn_dma_memcpy_start() and pfn_dma_memcpy_wait().
 */
int pfn_dma_memcpy(struct pfn_dma *dma, uint64_t src, uint64_t dst, uint64_t size,
		   int timeout_ms, struct pfn_err *err);

#endif /* PFN_DMA_H */
