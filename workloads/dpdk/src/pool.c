// SPDX-License-Identifier: GPL-2.0-only
/*
 * Packet-buffer pools of external buffers (rte_extmem_register +
 * rte_pktmbuf_pool_create_extbuf): in 2 MiB hugepages, or in the peer's
 * BAR, reached by the NIC through the VMA path (rte_dev_dma_map of the
 * BAR's mmap into DPDK's container) or the dma-buf path (the BAR's dma-buf,
 * IOMMU_IOAS_MAP_FILE into the container's IOAS at the same IOVA).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_memory.h>

#include "dpdk.h"

#define ELT_SIZE	RTE_MBUF_DEFAULT_BUF_SIZE
#define HUGE_2M		(2ull << 20)

size_t pdpdk_pool_bytes(unsigned int mbufs)
{
	return ((size_t)mbufs * ELT_SIZE + HUGE_2M - 1) & ~(size_t)(HUGE_2M - 1);
}

static struct rte_device *port_device(const struct pdpdk_port *p)
{
	struct rte_eth_dev_info info;

	if (rte_eth_dev_info_get(p->id, &info))
		return NULL;
	return info.device;
}

/* The CPU view: hugepages, or the BAR's mmap (and its dma-buf). */
static int pool_memory(struct pdpdk_pool *pool, struct pdpdk_peer *peer, struct pfn_err *err)
{
	struct pfn_range range = { 0, pool->len };
	int ret;

	if (pool->kind == PDPDK_HUGEPAGE) {
		pool->va = mmap(NULL, pool->len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE, -1, 0);
		if (pool->va == MAP_FAILED) {
			pool->va = NULL;
			return pfn_fail_errno(err,
					      "%zu bytes of 2 MiB hugepages for the pool: reserve more (--hugepages N)",
					      pool->len);
		}
		return 0;
	}
	if (!peer || !peer->open)
		return pfn_fail(err, EINVAL, "the %s pool needs the peer device (--peer BDF)",
				pdpdk_case_name(pool->kind));
	if (pool->len > peer->bar_size)
		return pfn_fail(err, ENOSPC,
				"the pool needs %zu bytes but BAR %d of %s has %llu: pass fewer --mbufs or use a larger BAR",
				pool->len, peer->bar, peer->dev.bdf, (unsigned long long)peer->bar_size);
	ret = pfn_vfio_bar_mmap(&peer->dev, (uint32_t)peer->bar, 0, pool->len, HUGE_2M, 0,
				&pool->va, err);
	if (ret) {
		pool->va = NULL;
		return ret;
	}
	if (pool->kind == PDPDK_BAR_DMABUF) {
		ret = pfn_vfio_dmabuf_export(&peer->dev, (uint32_t)peer->bar, &range, 1,
					     O_RDWR | O_CLOEXEC, err);
		if (ret < 0)
			return ret;
		pool->dmabuf_fd = ret;
	}
	return 0;
}

static int pool_register(struct pdpdk_pool *pool, struct pfn_err *err)
{
	unsigned int n_pages = (unsigned int)(pool->len / PDPDK_PAGE);
	rte_iova_t iovas[(64u << 20) / PDPDK_PAGE];

	if (n_pages > sizeof(iovas) / sizeof(iovas[0]))
		return pfn_fail(err, E2BIG, "a pool of %zu bytes is too large (at most 64 MiB)", pool->len);
	if (rte_mem_iova2virt(pool->iova) || rte_mem_iova2virt(pool->iova + pool->len - 1))
		return pfn_fail(err, EEXIST, "IOVA 0x%llx is already DPDK memory: cannot place the pool there",
				(unsigned long long)pool->iova);
	for (unsigned int i = 0; i < n_pages; i++)
		iovas[i] = pool->iova + (uint64_t)i * PDPDK_PAGE;
	if (rte_extmem_register(pool->va, pool->len, iovas, n_pages, PDPDK_PAGE))
		return pfn_fail(err, rte_errno, "rte_extmem_register of the %s pool: %s",
				pdpdk_case_name(pool->kind), rte_strerror(rte_errno));
	pool->registered = true;
	return 0;
}

static int pool_map(struct pdpdk_pool *pool, const struct pdpdk_port *dma_port, struct pfn_err *err)
{
	struct rte_device *dev = port_device(dma_port);
	uint64_t iova = pool->iova;
	int ret;

	if (pool->kind != PDPDK_BAR_DMABUF) {
		if (!dev)
			return pfn_fail(err, ENODEV, "port %s has no device to map for", dma_port->bdf);
		if (rte_dev_dma_map(dev, pool->va, pool->iova, pool->len)) {
			int e = pdpdk_container_map_errno(pool->va, pool->iova, pool->len);

			return pfn_fail(err, e ? e : EIO,
					"rte_dev_dma_map of the %s pool (%zu bytes at IOVA 0x%llx) into DPDK's %s container failed; the container's VFIO_IOMMU_MAP_DMA of it: %s",
					pdpdk_case_name(pool->kind), pool->len,
					(unsigned long long)pool->iova, pdpdk_container_backend(),
					e ? strerror(e) : "succeeds (DPDK refused on its own)");
		}
		pool->mapped = true;
		return 0;
	}
	ret = pdpdk_container_ioas(&pool->ioas_fd, &pool->ioas_id, err);
	if (ret)
		return ret;
	ret = pfn_ioas_map_file(pool->ioas_fd, pool->ioas_id, pool->dmabuf_fd, 0, pool->len, &iova,
				PFN_MAP_RW, err);
	if (ret)
		return ret;
	pool->mapped = true;
	return 0;
}

/* The map, timed, with its faults and IOMMU operations counted. */
static int pool_map_measured(struct pdpdk_pool *pool, const struct pdpdk_port *dma_port,
			     struct pfn_err *err)
{
	struct iommu_ops ops;
	struct pfn_err e;
	double t0;
	int ret;

	memset(&ops, 0, sizeof(ops));
	pool->cost.ops_counted = false;
	if (iommu_ops_open(&ops, &e) || iommu_ops_start(&ops, &e)) {
		snprintf(pool->cost.ops_why, sizeof(pool->cost.ops_why), "%s", e.msg);
		iommu_ops_close(&ops);
		memset(&ops, 0, sizeof(ops));
	}
	t0 = pdpdk_now_us();
	ret = pool_map(pool, dma_port, err);
	pool->cost.map_us = pdpdk_now_us() - t0;
	if (ops.counting) {
		if (iommu_ops_stop(&ops, &pool->cost.ops, &e))
			snprintf(pool->cost.ops_why, sizeof(pool->cost.ops_why), "%s", e.msg);
		else
			pool->cost.ops_counted = true;
	}
	iommu_ops_close(&ops);
	return ret;
}

int pdpdk_pool_create(struct pdpdk_pool *pool, enum pdpdk_case kind, unsigned int mbufs,
		      const struct pdpdk_port *dma_port, struct pdpdk_peer *peer,
		      const char *name, struct pfn_err *err)
{
	struct rte_pktmbuf_extmem ext;
	uint64_t f0 = pdpdk_minor_faults();
	double t0 = pdpdk_now_us();
	int ret;

	memset(pool, 0, sizeof(*pool));
	pool->kind = kind;
	pool->dmabuf_fd = -1;
	pool->ioas_fd = -1;
	pool->len = pdpdk_pool_bytes(mbufs);
	/* The revoke runs a hugepage pool beside a BAR pool: 1 GiB apart. */
	pool->iova = PDPDK_POOL_IOVA + (kind == PDPDK_HUGEPAGE ? 0 : 1ull << 30);
	ret = pool_memory(pool, peer, err);
	if (!ret)
		ret = pool_register(pool, err);
	if (!ret) {
		ext.buf_ptr = pool->va;
		ext.buf_iova = pool->iova;
		ext.buf_len = pool->len;
		ext.elt_size = ELT_SIZE;
		pool->mp = rte_pktmbuf_pool_create_extbuf(name, mbufs, 0, 0, ELT_SIZE, SOCKET_ID_ANY,
							  &ext, 1);
		if (!pool->mp)
			ret = pfn_fail(err, rte_errno, "creating mempool %s (%u mbufs): %s", name, mbufs,
				       rte_strerror(rte_errno));
	}
	pool->cost.setup_us = pdpdk_now_us() - t0;
	if (!ret)
		ret = pool_map_measured(pool, dma_port, err);
	pool->cost.faults = pdpdk_minor_faults() - f0;
	return ret;
}

int pdpdk_pool_remap(struct pdpdk_pool *pool, const struct pdpdk_port *dma_port, struct pfn_err *err)
{
	if (pool->kind != PDPDK_BAR_DMABUF)
		return 0;
	if (pool->mapped)
		pfn_ioas_unmap(pool->ioas_fd, pool->ioas_id, pool->iova, pool->len, NULL, NULL);
	pool->mapped = false;
	return pool_map(pool, dma_port, err);
}

void pdpdk_pool_destroy(struct pdpdk_pool *pool, const struct pdpdk_port *dma_port)
{
	struct rte_device *dev = port_device(dma_port);

	if (pool->mp)
		rte_mempool_free(pool->mp);
	if (pool->mapped) {
		if (pool->kind == PDPDK_BAR_DMABUF)
			pfn_ioas_unmap(pool->ioas_fd, pool->ioas_id, pool->iova, pool->len, NULL, NULL);
		else if (dev)
			rte_dev_dma_unmap(dev, pool->va, pool->iova, pool->len);
	}
	if (pool->registered)
		rte_extmem_unregister(pool->va, pool->len);
	if (pool->dmabuf_fd >= 0)
		close(pool->dmabuf_fd);
	if (pool->va)
		munmap(pool->va, pool->len);
	memset(pool, 0, sizeof(*pool));
	pool->dmabuf_fd = -1;
	pool->ioas_fd = -1;
}
