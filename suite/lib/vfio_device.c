// SPDX-License-Identifier: GPL-2.0-only
/* Operations on an open VFIO PCI device. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "pfn/vfio.h"

int pfn_vfio_region(struct pfn_vfio_dev *dev, uint32_t index,
		    struct pfn_region *region, struct pfn_err *err)
{
	struct vfio_region_info info = { .argsz = sizeof(info), .index = index };

	if (ioctl(dev->fd, VFIO_DEVICE_GET_REGION_INFO, &info))
		return pfn_fail_errno(err, "VFIO_DEVICE_GET_REGION_INFO %s region %u",
				      dev->bdf, index);
	region->index = index;
	region->flags = info.flags;
	region->size = info.size;
	region->offset = info.offset;
	return 0;
}

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

int pfn_vfio_bar_mmap(struct pfn_vfio_dev *dev, uint32_t bar, uint64_t offset,
		      uint64_t length, uint64_t align, uint32_t flags, void **out,
		      struct pfn_err *err)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t reserve, start, want, end, mappable;
	struct pfn_region region;
	void *base, *map;
	int ret;

	if (bar >= PFN_NUM_BARS)
		return pfn_fail(err, EINVAL, "BAR %u: BARs are 0 to 5", bar);
	if (!is_pow2(align) || align < page)
		return pfn_fail(err, EINVAL, "alignment %#llx is not a power of two >= page size",
				(unsigned long long)align);
	if (!length || (offset | length) & (page - 1))
		return pfn_fail(err, EINVAL, "offset %#llx / length %#llx not page multiples",
				(unsigned long long)offset, (unsigned long long)length);
	ret = pfn_vfio_region(dev, bar, &region, err);
	if (ret)
		return ret;
	if (!(region.flags & VFIO_REGION_INFO_FLAG_MMAP))
		return pfn_fail(err, EOPNOTSUPP, "%s BAR %u cannot be mmap'd", dev->bdf, bar);
	/* vfio-pci maps a sub-page BAR as a whole page: compare in pages. */
	mappable = (region.size + page - 1) & ~(page - 1);
	if (offset > mappable || length > mappable - offset)
		return pfn_fail(err, ERANGE, "%s BAR %u is %#llx bytes; [%#llx+%#llx] is outside",
				dev->bdf, bar, (unsigned long long)region.size,
				(unsigned long long)offset, (unsigned long long)length);

	/* Reserve enough address space to place the mapping where we want it. */
	reserve = length + 2 * align;
	base = mmap(NULL, reserve, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		return pfn_fail_errno(err, "reserving %#llx bytes of address space",
				      (unsigned long long)reserve);
	start = (uintptr_t)base;
	want = (start + align - 1) & ~(align - 1);
	if ((flags & PFN_MMAP_EXACT_ALIGN) && !(want & (2 * align - 1)))
		want += align;

	map = mmap((void *)(uintptr_t)want, length, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_FIXED, dev->fd, (off_t)(region.offset + offset));
	if (map == MAP_FAILED) {
		ret = pfn_fail_errno(err, "mmap %s BAR %u [%#llx+%#llx]", dev->bdf, bar,
				     (unsigned long long)offset, (unsigned long long)length);
		munmap(base, reserve);
		return ret;
	}
	/* Give back the slack on both sides. */
	end = want + length;
	if (want > start)
		munmap(base, want - start);
	if (start + reserve > end)
		munmap((void *)(uintptr_t)end, start + reserve - end);
	*out = map;
	return 0;
}

static int config_io(struct pfn_vfio_dev *dev, uint32_t offset, void *buf, size_t len,
		     bool write, struct pfn_err *err)
{
	struct pfn_region cfg;
	ssize_t n;
	int ret;

	ret = pfn_vfio_region(dev, VFIO_PCI_CONFIG_REGION_INDEX, &cfg, err);
	if (ret)
		return ret;
	if (offset > cfg.size || len > cfg.size - offset)
		return pfn_fail(err, ERANGE, "config space access [%#x+%zu] past %#llx",
				offset, len, (unsigned long long)cfg.size);
	if (write)
		n = pwrite(dev->fd, buf, len, (off_t)(cfg.offset + offset));
	else
		n = pread(dev->fd, buf, len, (off_t)(cfg.offset + offset));
	if (n < 0)
		return pfn_fail_errno(err, "%s config space at %#x of %s",
				      write ? "writing" : "reading", offset, dev->bdf);
	if ((size_t)n != len)
		return pfn_fail(err, EIO, "short config %s at %#x of %s: %zd of %zu",
				write ? "write" : "read", offset, dev->bdf, n, len);
	return 0;
}

int pfn_vfio_config_read(struct pfn_vfio_dev *dev, uint32_t offset, void *buf,
			 size_t len, struct pfn_err *err)
{
	return config_io(dev, offset, buf, len, false, err);
}

int pfn_vfio_config_write(struct pfn_vfio_dev *dev, uint32_t offset,
			  const void *buf, size_t len, struct pfn_err *err)
{
	return config_io(dev, offset, (void *)buf, len, true, err);
}

static int command_bit(struct pfn_vfio_dev *dev, uint16_t bit, bool set,
		       struct pfn_err *err)
{
	uint16_t cmd;
	int ret;

	ret = pfn_vfio_config_read(dev, PCI_COMMAND, &cmd, sizeof(cmd), err);
	if (ret)
		return ret;
	cmd = set ? (uint16_t)(cmd | bit) : (uint16_t)(cmd & ~bit);
	return pfn_vfio_config_write(dev, PCI_COMMAND, &cmd, sizeof(cmd), err);
}

int pfn_vfio_set_memory_enable(struct pfn_vfio_dev *dev, bool enable, struct pfn_err *err)
{
	return command_bit(dev, PCI_COMMAND_MEMORY, enable, err);
}

int pfn_vfio_set_bus_master(struct pfn_vfio_dev *dev, bool enable, struct pfn_err *err)
{
	return command_bit(dev, PCI_COMMAND_MASTER, enable, err);
}

int pfn_vfio_reset(struct pfn_vfio_dev *dev, struct pfn_err *err)
{
	if (!(dev->flags & VFIO_DEVICE_FLAGS_RESET))
		return pfn_fail(err, ENOTTY, "%s does not support VFIO_DEVICE_RESET", dev->bdf);
	if (ioctl(dev->fd, VFIO_DEVICE_RESET))
		return pfn_fail_errno(err, "VFIO_DEVICE_RESET %s", dev->bdf);
	return 0;
}

int pfn_vfio_feature(struct pfn_vfio_dev *dev, uint32_t flags, uint32_t feature,
		     const void *data, size_t size, int argsz_delta,
		     struct pfn_err *err)
{
	struct vfio_device_feature *feat;
	size_t total = sizeof(*feat) + size;
	int ret;

	feat = calloc(1, total);
	if (!feat)
		return pfn_fail(err, ENOMEM, "allocating a %zu-byte feature payload", total);
	feat->argsz = (uint32_t)((long)total + argsz_delta);
	feat->flags = flags | feature;
	if (size)
		memcpy(feat->data, data, size);
	ret = ioctl(dev->fd, VFIO_DEVICE_FEATURE, feat);
	if (ret < 0)
		ret = pfn_fail_errno(err, "VFIO_DEVICE_FEATURE %u (flags %#x) on %s", feature,
				     flags, dev->bdf);
	free(feat);
	return ret;
}

int pfn_vfio_set_req_eventfd(struct pfn_vfio_dev *dev, int efd, struct pfn_err *err)
{
	struct {
		struct vfio_irq_set set;
		int32_t fd;
	} irq = {
		.set = {
			.argsz = sizeof(irq),
			.flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
			.index = VFIO_PCI_REQ_IRQ_INDEX,
			.start = 0,
			.count = 1,
		},
		.fd = efd,
	};

	if (ioctl(dev->fd, VFIO_DEVICE_SET_IRQS, &irq))
		return pfn_fail_errno(err, "VFIO_DEVICE_SET_IRQS(REQ) on %s", dev->bdf);
	return 0;
}

int pfn_vfio_low_power(struct pfn_vfio_dev *dev, bool enter, struct pfn_err *err)
{
	int ret = pfn_vfio_feature(dev, VFIO_DEVICE_FEATURE_SET,
				   enter ? VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY :
					   VFIO_DEVICE_FEATURE_LOW_POWER_EXIT,
				   NULL, 0, 0, err);

	return ret < 0 ? ret : 0;
}

int pfn_vfio_dmabuf_export(struct pfn_vfio_dev *dev, uint32_t region,
			   const struct pfn_range *ranges, uint32_t nr_ranges,
			   uint32_t open_flags, struct pfn_err *err)
{
	struct vfio_device_feature_dma_buf *db;
	size_t size;
	int ret;

	if (nr_ranges > 4096)
		return pfn_fail(err, EINVAL, "%u ranges: at most 4096 in one export", nr_ranges);
	size = sizeof(*db) + (size_t)nr_ranges * sizeof(db->dma_ranges[0]);
	db = calloc(1, size);
	if (!db)
		return pfn_fail(err, ENOMEM, "allocating %u dma-buf ranges", nr_ranges);
	db->region_index = region;
	db->open_flags = open_flags;
	db->nr_ranges = nr_ranges;
	for (uint32_t i = 0; i < nr_ranges; i++) {
		db->dma_ranges[i].offset = ranges[i].offset;
		db->dma_ranges[i].length = ranges[i].length;
	}
	ret = pfn_vfio_feature(dev, VFIO_DEVICE_FEATURE_GET, VFIO_DEVICE_FEATURE_DMA_BUF,
			       db, size, 0, err);
	free(db);
	return ret;
}
