// SPDX-License-Identifier: GPL-2.0-only
/*
 * Where a job thread's I/O buffers live and how they reach the IOMMU:
 *   host memory by address     anonymous mmap, type1 MAP_DMA / IOAS_MAP
 *   host memory by file        memfd (or a udmabuf of one), IOAS_MAP_FILE
 *   a peer BAR by VMA          mmap of the BAR slice, type1 MAP_DMA
 *   a peer BAR by dma-buf      VFIO_DEVICE_FEATURE_DMA_BUF of the slice,
 *                              IOAS_MAP_FILE
 *   the controller's CMB       the same two ways, on its own BAR2
 * The CPU always sees the buffers through an mmap (the dma-buf itself has
 * no mmap): that is what fio fills and verifies.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/udmabuf.h>
#include <linux/vfio.h>

#include "pfn_fio.h"

#define BUF_ALIGN	(2ull << 20)	/* IOVA alignment (huge IOMMU pages may be used) */
#define BAR_SLICE_ALIGN	(64ull << 10)

static uint64_t round_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static int map_va(struct pfn_fio_ctrl *c, struct pfn_fio_buf *b, bool bar, struct pfn_err *err)
{
	uint64_t t0 = pfn_fio_now_ns();
	int ret = pfn_iommu_map_user(&c->io, b->cpu, b->len, b->iova, PFN_MAP_RW, err);

	b->map_ns = pfn_fio_now_ns() - t0;
	if (ret && bar && c->cfg.mode == PFN_MODE_IOMMUFD)
		return pfn_fail(err, -ret,
				"pfn: iommufd refuses to map a BAR's VMA by address (%s): use pfn_map=file (dma-buf) or pfn_iommu=type1",
				err->msg);
	if (!ret)
		b->mapped = true;
	return ret;
}

static int map_file(struct pfn_fio_ctrl *c, struct pfn_fio_buf *b, const char *what,
		    struct pfn_err *err)
{
	uint64_t t0, iova = b->iova;
	int ret;

	if (c->cfg.mode != PFN_MODE_IOMMUFD)
		return pfn_fail(err, EINVAL,
				"pfn: pfn_map=file maps by file descriptor, which only iommufd can (IOMMU_IOAS_MAP_FILE): use pfn_iommu=iommufd");
	t0 = pfn_fio_now_ns();
	ret = pfn_ioas_map_file(c->io.fd, c->io.ioas_id, b->fd, 0, b->len, &iova, PFN_MAP_RW, err);
	b->map_ns = pfn_fio_now_ns() - t0;
	if (ret == -EOPNOTSUPP || ret == -ENODEV || ret == -EINVAL)
		return pfn_fail(err, -ret,
				"pfn: this kernel cannot map a %s with IOMMU_IOAS_MAP_FILE (%s): stock 7.3 maps memfds and vfio dma-bufs only; use the reference kernel or another pfn_mem",
				what, err->msg);
	if (!ret)
		b->mapped = true;
	return ret;
}

static int host_alloc(struct pfn_fio_ctrl *c, struct pfn_fio_buf *b, struct pfn_err *err)
{
	void *va = mmap(NULL, b->len, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (va == MAP_FAILED)
		return pfn_fail_errno(err, "pfn: %llu bytes of I/O buffers", (unsigned long long)b->len);
	b->cpu = va;
	if (c->cfg.map == PFN_FIO_MAP_FILE)
		return pfn_fail(err, EINVAL,
				"pfn: anonymous memory has no file to map: use pfn_mem=memfd or udmabuf with pfn_map=file, or pfn_map=va");
	return map_va(c, b, false, err);
}

static int memfd_make(struct pfn_fio_buf *b, bool seal, struct pfn_err *err)
{
	int fd = memfd_create("pfn-fio", MFD_CLOEXEC | (seal ? MFD_ALLOW_SEALING : 0));
	void *va;

	if (fd < 0)
		return pfn_fail_errno(err, "pfn: memfd_create");
	if (ftruncate(fd, (off_t)b->len) || (seal && fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK))) {
		close(fd);
		return pfn_fail_errno(err, "pfn: sizing the memfd to %llu bytes",
				      (unsigned long long)b->len);
	}
	va = mmap(NULL, b->len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
	if (va == MAP_FAILED) {
		close(fd);
		return pfn_fail_errno(err, "pfn: mmap of the memfd");
	}
	b->cpu = va;
	return fd;
}

static int memfd_alloc(struct pfn_fio_ctrl *c, struct pfn_fio_buf *b, struct pfn_err *err)
{
	int fd = memfd_make(b, false, err);

	if (fd < 0)
		return fd;
	b->fd = fd;
	return c->cfg.map == PFN_FIO_MAP_FILE ? map_file(c, b, "memfd", err) : map_va(c, b, false, err);
}

static int udmabuf_alloc(struct pfn_fio_ctrl *c, struct pfn_fio_buf *b, struct pfn_err *err)
{
	struct udmabuf_create req = { .flags = UDMABUF_FLAGS_CLOEXEC, .size = 0 };
	int fd = memfd_make(b, true, err), dev;

	if (fd < 0)
		return fd;
	b->memfd = fd;
	if (c->cfg.map != PFN_FIO_MAP_FILE)
		return pfn_fail(err, EINVAL,
				"pfn: a udmabuf is mapped by file: use pfn_map=file (or pfn_mem=memfd with pfn_map=va)");
	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return pfn_fail_errno(err, "pfn: /dev/udmabuf (a kernel with CONFIG_UDMABUF)");
	req.memfd = (uint32_t)fd;
	req.size = b->len;
	b->fd = ioctl(dev, UDMABUF_CREATE, &req);
	close(dev);
	if (b->fd < 0)
		return pfn_fail_errno(err, "pfn: UDMABUF_CREATE of %llu bytes", (unsigned long long)b->len);
	return map_file(c, b, "udmabuf", err);
}

/*
 * The CMB, once per process: its location, an IOVA window as large as all
 * of it, and the controller told that the host sees it there (CMBMSC.CBA):
 * a controller resolves data pointers into its own CMB itself (QEMU's does
 * not DMA into its own BAR through the IOMMU), so every buffer in the CMB
 * gets the IOVA of its CMB offset in that window.
 */
static int cmb_setup(struct pfn_fio_ctrl *c, struct pfn_err *err)
{
	int ret;

	if (c->cmb_iova)
		return 0;
	ret = pfn_nvme_cmb_info(&c->dma, &c->cmb, err);
	if (ret)
		return pfn_fail(err, -ret, "pfn: %s: use another pfn_mem (QEMU: nvme,cmb_size_mb=64)",
				err->msg);
	if (!c->cmb.data)
		return pfn_fail(err, EOPNOTSUPP,
				"pfn: the CMB of %s cannot hold read and write data (CMBSZ.RDS/WDS): use another pfn_mem",
				c->dev.bdf);
	ret = pfn_iova_alloc(&c->iovas, round_up(c->cmb.size, BUF_ALIGN), BUF_ALIGN, &c->cmb_iova,
			     err);
	if (!ret)
		ret = pfn_nvme_cmb_enable(&c->dma, c->cmb_iova, err);
	if (ret) {
		c->cmb_iova = 0;
		return ret;
	}
	c->bar_next = c->cmb.offset;
	return 0;
}

static int bar_alloc(struct pfn_fio_ctrl *c, struct pfn_fio_buf *b, struct pfn_err *err)
{
	struct pfn_region r;
	struct pfn_vfio_dev *dev;
	struct pfn_range range;
	uint32_t bar;
	int ret;

	if (c->cfg.mem == PFN_FIO_MEM_CMB) {
		ret = cmb_setup(c, err);
		if (ret)
			return ret;
	}
	dev = pfn_fio_ctrl_bar(c, &bar);
	ret = pfn_vfio_region(dev, bar, &r, err);
	if (ret)
		return ret;
	if (!r.size || !(r.flags & VFIO_REGION_INFO_FLAG_MMAP))
		return pfn_fail(err, ENODEV,
				"pfn: %s BAR%u is %s: %s",
				dev->bdf, bar, r.size ? "not mmap-able" : "absent",
				c->cfg.mem == PFN_FIO_MEM_CMB ?
					"this controller has no CMB (QEMU: nvme,cmb_size_mb=64)" :
					"pfn_peer_bar must name a memory BAR of pfn_peer");
	b->bar_off = round_up(c->bar_next, BAR_SLICE_ALIGN);
	if (b->bar_off > r.size || r.size - b->bar_off < b->len)
		return pfn_fail(err, ENOSPC,
				"pfn: %s BAR%u (%llu bytes) cannot hold %llu more bytes of buffers at offset %llu: use fewer jobs, a smaller iodepth or bs",
				dev->bdf, bar, (unsigned long long)r.size, (unsigned long long)b->len,
				(unsigned long long)b->bar_off);
	c->bar_next = b->bar_off + b->len;
	if (c->cfg.mem == PFN_FIO_MEM_CMB) {
		if (b->bar_off + b->len > c->cmb.offset + c->cmb.size)
			return pfn_fail(err, ENOSPC,
					"pfn: the CMB of %s (%llu bytes) cannot hold %llu more bytes of buffers: use fewer jobs, a smaller iodepth or bs",
					dev->bdf, (unsigned long long)c->cmb.size,
					(unsigned long long)b->len);
		b->iova = c->cmb_iova + (b->bar_off - c->cmb.offset);
	}
	ret = pfn_vfio_set_memory_enable(dev, true, err);
	if (!ret)
		ret = pfn_vfio_bar_mmap(dev, bar, b->bar_off, b->len, 4096, 0, &b->cpu, err);
	if (ret)
		return ret;
	if (c->cfg.map == PFN_FIO_MAP_VA)
		return map_va(c, b, true, err);
	range = (struct pfn_range){ b->bar_off, b->len };
	ret = pfn_vfio_dmabuf_export(dev, bar, &range, 1, O_RDWR | O_CLOEXEC, err);
	if (ret < 0)
		return pfn_fail(err, -ret, "pfn: dma-buf export of %s BAR%u: %s (a kernel with CONFIG_VFIO_PCI_DMABUF)",
				dev->bdf, bar, err->msg);
	b->fd = ret;
	return map_file(c, b, "vfio dma-buf", err);
}

int pfn_fio_buf_alloc(struct pfn_fio_ctrl *c, uint64_t len, struct pfn_fio_buf *b,
		      struct pfn_err *err)
{
	uint64_t t0 = pfn_fio_now_ns();
	int ret;

	*b = (struct pfn_fio_buf){ .fd = -1, .memfd = -1, .len = round_up(len ? len : 1, 4096) };
	/* A CMB buffer's IOVA is its place in the CMB's window (cmb_setup()). */
	if (c->cfg.mem != PFN_FIO_MEM_CMB) {
		ret = pfn_iova_alloc(&c->iovas, b->len, BUF_ALIGN, &b->iova, err);
		if (ret)
			return ret;
	}
	switch (c->cfg.mem) {
	case PFN_FIO_MEM_HOST:
		ret = host_alloc(c, b, err);
		break;
	case PFN_FIO_MEM_MEMFD:
		ret = memfd_alloc(c, b, err);
		break;
	case PFN_FIO_MEM_UDMABUF:
		ret = udmabuf_alloc(c, b, err);
		break;
	default:
		ret = bar_alloc(c, b, err);
		break;
	}
	b->setup_ns = pfn_fio_now_ns() - t0;
	return ret;
}

void pfn_fio_buf_free(struct pfn_fio_ctrl *c, struct pfn_fio_buf *b)
{
	if (b->mapped)
		pfn_iommu_unmap(&c->io, b->iova, b->len, NULL);
	if (b->cpu)
		munmap(b->cpu, b->len);
	if (b->fd >= 0)
		close(b->fd);
	if (b->memfd >= 0)
		close(b->memfd);
	*b = (struct pfn_fio_buf){ .fd = -1, .memfd = -1 };
}
