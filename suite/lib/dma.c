// SPDX-License-Identifier: GPL-2.0-only
/*
 * The DMA driver registry, the checks common to every driver, and the
 * test-only faults (applied here, so no driver has to know about them).
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pfn/dma.h"

static const struct pfn_dma_ops *const drivers[] = {
	&pfn_dma_nvme_ops,
	&pfn_dma_edu_ops,
};

const struct pfn_dma_ops *const *pfn_dma_drivers(size_t *count)
{
	*count = sizeof(drivers) / sizeof(drivers[0]);
	return drivers;
}

const struct pfn_dma_ops *pfn_dma_find(const struct pfn_pci_info *info)
{
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (drivers[i]->match(info))
			return drivers[i];
	return NULL;
}

static bool is_open(const struct pfn_dma *dma)
{
	return dma && dma->ops && dma->dev;
}

static int open_with(struct pfn_dma *dma, struct pfn_vfio_dev *dev,
		     const struct pfn_dma_ops *ops, uint64_t iova_base, uint64_t iova_size,
		     const struct pfn_dma_open_opts *opts, struct pfn_err *err)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	int ret;

	memset(dma, 0, sizeof(*dma));
	if (!dev || dev->fd < 0)
		return pfn_fail(err, EINVAL, "DMA driver needs an open VFIO device");
	if (!ops)
		return pfn_fail(err, EINVAL, "no DMA driver given for %s", dev->bdf);
	if (!iova_size || ((iova_base | iova_size) & (page - 1)) ||
	    iova_base + iova_size < iova_base)
		return pfn_fail(err, EINVAL,
				"DMA driver IOVA window [%#llx+%#llx] must be non-empty and page aligned",
				(unsigned long long)iova_base, (unsigned long long)iova_size);
	dma->dev = dev;
	dma->ops = ops;
	dma->iova_base = iova_base;
	dma->iova_size = iova_size;
	if (opts)
		dma->opts = *opts;
	ret = ops->init(dma, err);
	if (ret) {
		memset(dma, 0, sizeof(*dma));
		return ret < 0 ? ret : pfn_fail(err, EIO, "%s init returned %d", ops->name, ret);
	}
	return 0;
}

int pfn_dma_open_ops(struct pfn_dma *dma, struct pfn_vfio_dev *dev,
		     const struct pfn_dma_ops *ops, uint64_t iova_base,
		     uint64_t iova_size, struct pfn_err *err)
{
	const struct pfn_dma_open_opts opts = { .allow_destructive = true };

	return open_with(dma, dev, ops, iova_base, iova_size, &opts, err);
}

int pfn_dma_open2(struct pfn_dma *dma, struct pfn_vfio_dev *dev, uint64_t iova_base,
		  uint64_t iova_size, const struct pfn_dma_open_opts *opts,
		  struct pfn_err *err)
{
	const struct pfn_dma_ops *ops;

	memset(dma, 0, sizeof(*dma));
	if (!dev)
		return pfn_fail(err, EINVAL, "DMA driver needs an open VFIO device");
	ops = pfn_dma_find(&dev->info);
	if (!ops)
		return pfn_fail(err, ENODEV,
				"no DMA driver for %s (%04x:%04x class %06x): built-in drivers handle NVMe (class 010802) and QEMU's edu (1234:11e8)",
				dev->bdf, dev->info.vendor, dev->info.device, dev->info.class);
	return open_with(dma, dev, ops, iova_base, iova_size, opts, err);
}

int pfn_dma_open(struct pfn_dma *dma, struct pfn_vfio_dev *dev, uint64_t iova_base,
		 uint64_t iova_size, struct pfn_err *err)
{
	const struct pfn_dma_open_opts opts = { .allow_destructive = true };

	return pfn_dma_open2(dma, dev, iova_base, iova_size, &opts, err);
}

void pfn_dma_close(struct pfn_dma *dma)
{
	if (!is_open(dma))
		return;
	dma->ops->fini(dma);
	memset(dma, 0, sizeof(*dma));
}

uint64_t pfn_dma_max_size(const struct pfn_dma *dma)
{
	return is_open(dma) ? dma->max_memcpy_size : 0;
}

uint32_t pfn_dma_caps(const struct pfn_dma *dma)
{
	return is_open(dma) ? dma->ops->caps : 0;
}

void pfn_dma_set_test_fault(struct pfn_dma *dma, enum pfn_dma_fault fault)
{
	if (dma)
		dma->test_fault = fault;
}

int pfn_dma_recover(struct pfn_dma *dma, struct pfn_err *err)
{
	int ret;

	if (!is_open(dma))
		return pfn_fail(err, EINVAL, "DMA driver is not open");
	if (!dma->ops->recover)
		return pfn_fail(err, EOPNOTSUPP, "%s: the driver cannot recover its engine",
				dma->ops->name);
	ret = dma->ops->recover(dma, err);
	if (ret)
		return ret < 0 ? ret : pfn_fail(err, EIO, "%s recover returned %d",
						dma->ops->name, ret);
	dma->busy = false;
	return 0;
}

int pfn_dma_memcpy_start(struct pfn_dma *dma, uint64_t src, uint64_t dst,
			 uint64_t size, uint64_t count, struct pfn_err *err)
{
	int ret;

	if (!is_open(dma))
		return pfn_fail(err, EINVAL, "DMA driver is not open");
	if (dma->busy)
		return pfn_fail(err, EBUSY, "%s: a memcpy is already in flight on %s",
				dma->ops->name, dma->dev->bdf);
	if (!size || size > dma->max_memcpy_size)
		return pfn_fail(err, EINVAL, "%s: memcpy size %llu is outside 1..%llu",
				dma->ops->name, (unsigned long long)size,
				(unsigned long long)dma->max_memcpy_size);
	if (!count || count > dma->max_memcpy_count)
		return pfn_fail(err, EINVAL, "%s: memcpy count %llu is outside 1..%llu",
				dma->ops->name, (unsigned long long)count,
				(unsigned long long)dma->max_memcpy_count);
	if (src + size < src || dst + size < dst)
		return pfn_fail(err, EINVAL, "%s: memcpy range wraps around the IOVA space",
				dma->ops->name);
	dma->last_status = 0;
	ret = dma->test_fault != PFN_DMA_FAULT_NONE ? 0 :
	      dma->ops->memcpy_start(dma, src, dst, size, count, err);
	if (!ret) {
		dma->busy = true;
		dma->busy_fault = dma->test_fault;
	}
	return ret;
}

/* PFN_DMA_FAULT_HANG: a wait that never sees completion takes its whole time. */
static int hang_wait(struct pfn_dma *dma, int timeout_ms, struct pfn_err *err)
{
	struct timespec ts = { timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
	return pfn_fail(err, ETIMEDOUT,
			"%s %s: memcpy did not complete within %d ms (test fault: engine hangs)",
			dma->ops->name, dma->dev->bdf, timeout_ms);
}

int pfn_dma_memcpy_wait(struct pfn_dma *dma, int timeout_ms, struct pfn_err *err)
{
	int ret;

	if (!is_open(dma))
		return pfn_fail(err, EINVAL, "DMA driver is not open");
	if (!dma->busy)
		return pfn_fail(err, EINVAL, "%s: no memcpy in flight to wait for",
				dma->ops->name);
	if (timeout_ms < 0)
		return pfn_fail(err, EINVAL, "negative timeout %d ms", timeout_ms);
	/* The fault the copy was started under decides, not a later change. */
	if (dma->busy_fault == PFN_DMA_FAULT_SILENT)
		ret = 0;
	else if (dma->busy_fault == PFN_DMA_FAULT_HANG)
		ret = hang_wait(dma, timeout_ms, err);
	else
		ret = dma->ops->memcpy_wait(dma, timeout_ms, err);
	if (ret != -ETIMEDOUT)
		dma->busy = false;
	return ret;
}

int pfn_dma_memcpy(struct pfn_dma *dma, uint64_t src, uint64_t dst, uint64_t size,
		   int timeout_ms, struct pfn_err *err)
{
	int ret = pfn_dma_memcpy_start(dma, src, dst, size, 1, err);

	return ret ? ret : pfn_dma_memcpy_wait(dma, timeout_ms, err);
}
