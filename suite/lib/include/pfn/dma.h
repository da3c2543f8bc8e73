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
 * that range is destroyed: PFN_DMA_CAP_DESTRUCTIVE).
 *
 * Each driver lives in lib/drivers/<name>/ with its register layouts private
 * to it; this registry knows drivers only through struct pfn_dma_ops.
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
#define PFN_DMA_DESC_MAX 384

/* ---- capabilities (struct pfn_dma_ops.caps) ------------------------------- */

/* A DMA the IOMMU refuses completes with an error status (else it is dropped
 * silently and only the target's bytes tell). */
#define PFN_DMA_CAP_REPORTS_IOMMU_FAULT	(1u << 0)
/* memcpy overwrites data on the device (NVMe scratch LBAs). */
#define PFN_DMA_CAP_DESTRUCTIVE		(1u << 1)
/* ops->recover can bring a timed-out engine back. */
#define PFN_DMA_CAP_RECOVER		(1u << 2)

/**
 * enum pfn_dma_fault - a test-only fault that makes the engine "dead", so
 * that proofs can be shown to report a broken rig
 * @PFN_DMA_FAULT_NONE: the driver does the work
 * @PFN_DMA_FAULT_SILENT: memcpy reports success but moves nothing (the
 *	driver is never called)
 * @PFN_DMA_FAULT_HANG: memcpy never completes: every wait sleeps its whole
 *	timeout and returns -ETIMEDOUT (the driver is never called)
 */
enum pfn_dma_fault {
	PFN_DMA_FAULT_NONE,
	PFN_DMA_FAULT_SILENT,
	PFN_DMA_FAULT_HANG,
};

/**
 * struct pfn_dma_open_opts - how the caller allows a driver to be used
 * @allow_destructive: a PFN_DMA_CAP_DESTRUCTIVE driver may overwrite data
 *	that looks in use (NVMe: a namespace whose first blocks hold a
 *	partition table or a filesystem signature); without it such a device
 *	is refused with -EPERM
 */
struct pfn_dma_open_opts {
	bool allow_destructive;
};

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
 * @caps: PFN_DMA_CAP_* flags
 * @recover: quiesce everything in flight (NVMe: Abort, then a controller
 *	  reset: CC.EN 0, wait for CSTS.RDY 0) so that no DMA of an earlier
 *	  command can happen after it returns, then re-initialise so the next
 *	  memcpy works.  NULL when the driver cannot (no PFN_DMA_CAP_RECOVER).
 */
struct pfn_dma_ops {
	const char *name;
	bool (*match)(const struct pfn_pci_info *info);
	int (*init)(struct pfn_dma *dma, struct pfn_err *err);
	void (*fini)(struct pfn_dma *dma);
	int (*memcpy_start)(struct pfn_dma *dma, uint64_t src, uint64_t dst,
			    uint64_t size, uint64_t count, struct pfn_err *err);
	int (*memcpy_wait)(struct pfn_dma *dma, int timeout_ms, struct pfn_err *err);
	uint32_t caps;
	int (*recover)(struct pfn_dma *dma, struct pfn_err *err);
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
 * @opts: what the caller allowed at open (drivers read it in init)
 * @test_fault: the test-only fault in force (pfn_dma_set_test_fault())
 * @busy_fault: the test fault the memcpy in flight was started under (its
 *	  wait follows it even if @test_fault changed since)
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
	struct pfn_dma_open_opts opts;
	enum pfn_dma_fault test_fault;
	enum pfn_dma_fault busy_fault;
};

/* ---- built-in drivers -------------------------------------------------- */

/* NVMe controllers (class 01:08:02): QEMU's 1b36:0010 and real SSDs. */
extern const struct pfn_dma_ops pfn_dma_nvme_ops;
/* QEMU's educational device 1234:11e8 (hw/misc/edu.c): 4 KiB per memcpy. */
extern const struct pfn_dma_ops pfn_dma_edu_ops;

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
 * pfn_dma_open2() - find the driver for @dev and bring the device up
 * @dma: filled on success; zeroed on failure
 * @dev: an open VFIO device; its IOMMU address space is where the driver
 *	 maps its memory and where memcpy IOVAs are resolved
 * @iova_base: start of a window of IOVA space, unused by the caller, that
 *	 the driver may map its own memory in (page aligned)
 * @iova_size: size of that window (page multiple; PFN_DMA_IOVA_WINDOW is
 *	 enough for every built-in driver)
 * @opts: what the caller allows; NULL means all defaults (nothing allowed)
 * @err: error detail
 *
 * Return: 0; -EINVAL (bad window), -ENODEV (no driver for the device),
 * -EPERM (a destructive driver found data in use and @opts does not allow
 * overwriting it), or the driver's init error.
 */
int pfn_dma_open2(struct pfn_dma *dma, struct pfn_vfio_dev *dev, uint64_t iova_base,
		  uint64_t iova_size, const struct pfn_dma_open_opts *opts,
		  struct pfn_err *err);

/**
 * pfn_dma_open() - pfn_dma_open2() with allow_destructive set
 * @dma: filled on success; zeroed on failure
 * @dev: an open VFIO device; its IOMMU address space is where the driver
 *	 maps its memory and where memcpy IOVAs are resolved
 * @iova_base: start of a window of IOVA space, unused by the caller, that
 *	 the driver may map its own memory in (page aligned)
 * @iova_size: size of that window (page multiple; PFN_DMA_IOVA_WINDOW is
 *	 enough for every built-in driver)
 * @err: error detail
 *
 * Return: as pfn_dma_open2().
 */
int pfn_dma_open(struct pfn_dma *dma, struct pfn_vfio_dev *dev, uint64_t iova_base,
		 uint64_t iova_size, struct pfn_err *err);

/**
 * pfn_dma_open_ops() - pfn_dma_open() with a given driver, without matching
 * (allow_destructive set, as pfn_dma_open())
 * @dma: filled on success; zeroed on failure
 * @dev: an open VFIO device
 * @ops: the driver to use
 * @iova_base: see pfn_dma_open2()
 * @iova_size: see pfn_dma_open2()
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
 * pfn_dma_caps() - the PFN_DMA_CAP_* flags of the open driver
 * @dma: an opened instance
 *
 * Return: the flags, 0 when @dma is not open.
 */
uint32_t pfn_dma_caps(const struct pfn_dma *dma);

/**
 * pfn_dma_recover() - bring the engine back after a timeout: quiesce
 * everything in flight (no DMA of an earlier memcpy can happen after this
 * returns 0) and re-initialise it; clears @dma->busy on success
 * @dma: an opened instance
 * @err: error detail
 *
 * Return: 0; -EINVAL (not open); -EOPNOTSUPP (the driver has no recover op);
 * or the driver's error (the engine is then unusable: close it).
 */
int pfn_dma_recover(struct pfn_dma *dma, struct pfn_err *err);

/**
 * pfn_dma_set_test_fault() - TEST ONLY: make the engine "dead" so that a
 * proof can be shown to report a broken rig
 * @dma: an opened instance
 * @fault: the fault for memcpys started from now on; PFN_DMA_FAULT_NONE
 *	   restores normal work
 *
 * The fault is applied here, in the registry: the driver is not called for
 * memcpys started while a fault is set.  It lasts until changed or the
 * instance is closed (pfn_dma_recover() does not clear it).
 */
void pfn_dma_set_test_fault(struct pfn_dma *dma, enum pfn_dma_fault fault);

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
