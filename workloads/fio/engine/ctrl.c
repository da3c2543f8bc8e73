// SPDX-License-Identifier: GPL-2.0-only
/*
 * The controller the job threads of one fio process share: the IOMMU
 * address space, the NVMe controller under the suite's NVMe driver, and
 * the peer device whose BAR may hold the buffers.  Opened by the first job
 * thread, closed by the last.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pfn_fio.h"

static pthread_mutex_t engine_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pfn_fio_ctrl *shared;

void pfn_fio_lock(void)
{
	pthread_mutex_lock(&engine_lock);
}

void pfn_fio_unlock(void)
{
	pthread_mutex_unlock(&engine_lock);
}

uint64_t pfn_fio_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

const char *pfn_fio_mem_name(enum pfn_fio_mem mem)
{
	static const char *const names[] = { "host", "memfd", "udmabuf", "peer", "cmb" };

	return mem < sizeof(names) / sizeof(names[0]) ? names[mem] : "?";
}

const char *pfn_fio_map_name(enum pfn_fio_map map)
{
	return map == PFN_FIO_MAP_FILE ? "file" : "va";
}

/* Every job of a process must drive the same controller the same way. */
static int same_setup(const struct pfn_fio_cfg *a, const struct pfn_fio_cfg *b,
		      struct pfn_err *err)
{
	if (strcmp(a->device, b->device) || a->mode != b->mode || a->mem != b->mem ||
	    a->map != b->map || strcmp(a->peer, b->peer) || a->peer_bar != b->peer_bar)
		return pfn_fail(err, EINVAL,
				"pfn: every job of one fio run must use the same pfn_device, pfn_iommu, pfn_mem, pfn_map and pfn_peer (put them in [global]); run other setups as separate fio runs");
	return 0;
}

static void ctrl_close(struct pfn_fio_ctrl *c)
{
	pfn_dma_close(&c->dma);
	if (c->peer_open)
		pfn_vfio_close(&c->peer);
	pfn_vfio_close(&c->dev);
	pfn_iommu_close(&c->io);
	free(c);
}

static int ctrl_open(struct pfn_fio_ctrl *c, struct pfn_err *err)
{
	const struct pfn_fio_cfg *cfg = &c->cfg;
	uint64_t window = PFN_NVME_IOVA_WINDOW(PFN_NVME_MAX_QPAIRS), base;
	struct pfn_dma_open_opts opts = { .allow_destructive = cfg->allow_destructive };
	int ret;

	ret = pfn_iommu_open(&c->io, cfg->mode, err);
	if (!ret)
		ret = pfn_vfio_open(&c->dev, PFN_SYSFS_DEFAULT, cfg->device, &c->io, err);
	if (ret)
		return ret;
	if (cfg->mem == PFN_FIO_MEM_PEER) {
		ret = pfn_vfio_open(&c->peer, PFN_SYSFS_DEFAULT, cfg->peer, &c->io, err);
		if (ret)
			return ret;
		c->peer_open = true;
	}
	ret = pfn_iova_space_read(&c->iovas, &c->io, err);
	if (!ret)
		ret = pfn_iova_alloc(&c->iovas, window, 2ull << 20, &base, err);
	if (!ret)
		ret = pfn_dma_open2(&c->dma, &c->dev, base, window, &opts, err);
	if (ret == -EPERM)
		return pfn_fail(err, EPERM, "%s; the fio option is pfn_allow_destructive=1",
				err->msg);
	if (ret)
		return ret;
	if (pfn_nvme_info(&c->dma, &c->info, NULL))
		return pfn_fail(err, ENODEV,
				"pfn: %s is driven by the suite's '%s' driver, not an NVMe controller: pfn_device must name an NVMe controller bound to vfio-pci",
				c->dev.bdf, c->dma.ops->name);
	if ((c->info.ns.nsze << c->info.ns.lba_shift) <= PFN_FIO_RESERVED + (1u << 20))
		return pfn_fail(err, ENOSPC, "pfn: NVMe %s nsid %u is too small (%llu bytes): it needs more than %llu",
				c->dev.bdf, c->info.nsid,
				(unsigned long long)(c->info.ns.nsze << c->info.ns.lba_shift),
				(unsigned long long)PFN_FIO_RESERVED + (1u << 20));
	return 0;
}

struct pfn_fio_ctrl *pfn_fio_ctrl_get(const struct pfn_fio_cfg *cfg, struct pfn_err *err)
{
	struct pfn_fio_ctrl *c;

	if (shared) {
		if (same_setup(&shared->cfg, cfg, err))
			return NULL;
		shared->users++;
		return shared;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		pfn_fail(err, ENOMEM, "pfn: engine state");
		return NULL;
	}
	c->cfg = *cfg;
	c->dev.fd = c->peer.fd = -1;
	c->dev.group_fd = c->peer.group_fd = -1;
	c->io.fd = -1;
	if (ctrl_open(c, err)) {
		ctrl_close(c);
		return NULL;
	}
	c->users = 1;
	shared = c;
	return c;
}

void pfn_fio_ctrl_put(struct pfn_fio_ctrl *c)
{
	if (!c || --c->users)
		return;
	shared = NULL;
	ctrl_close(c);
}

struct pfn_vfio_dev *pfn_fio_ctrl_bar(struct pfn_fio_ctrl *c, uint32_t *bar)
{
	if (c->cfg.mem == PFN_FIO_MEM_PEER) {
		*bar = c->cfg.peer_bar;
		return &c->peer;
	}
	*bar = c->cmb.bar;
	return &c->dev;
}
