// SPDX-License-Identifier: GPL-2.0-only
/*
 * UNPLUG: hot-unplug of the target (QEMU device_del through the VM runner)
 * while its dma-buf is mapped and a DMA device uses it.  vfio-pci asks for
 * the device back through the request eventfd; once the test lets go, the
 * device leaves, the dma-buf is revoked for good, and a DMA through the old
 * IOVA must be refused by the IOMMU (a DMAR fault for the DMA device: the
 * BAR no longer exists to be looked at).  Runs last: the target is gone
 * for the rest of the boot.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dma_rig.h"
#include "host_request.h"
#include "kstate.h"

#define SEED_BEFORE	0x0b1e0001u
#define SEED_AFTER	0x0b1e0002u

/* The runner's QEMU device ids (suite/runner/README.md). */
static const char *qemu_id(const struct pfn_pci_info *info)
{
	if (info->vendor == 0x1af4 && info->device == 0x1110)
		return "ivshmem0";
	if (info->vendor == 0x1b36 && info->device == 0x0010)
		return "nvme0";
	if (info->vendor == 0x8086 && info->device == 0x10d3)
		return "nic0";
	return NULL;
}

static bool device_present(const struct conform_ctx *ctx, const char *bdf)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s", ctx->sysfs, bdf);
	return stat(path, &st) == 0;
}

static void unplug_while_mapped(const struct conform_ctx *ctx, struct conform_result *res)
{
	char cmd[160], resp[1024], needle[32];
	uint64_t iova = RIG_BAR_IOVA;
	struct kstate before, after;
	struct host_request hreq;
	struct pollfd pfd;
	struct dma_rig rig;
	struct pfn_err err;
	long faults0, faults1;
	const char *id;
	uint64_t hits;
	int efd, ret;

	if (!getenv("PFN_RESULTS")) {
		conform_skip(res, "hot-unplug needs the VM runner's host-request bridge; on a real host, unplug the slot with the platform's tools and run REV cases instead");
		return;
	}
	kstate_take(&before);
	if (!rig_open(&rig, ctx, PFN_MODE_IOMMUFD, res))
		return;
	id = qemu_id(&rig.target.info);
	if (!id) {
		conform_skip(res, "no QEMU device id known for %04x:%04x", rig.target.info.vendor,
			     rig.target.info.device);
		goto out;
	}
	if (rig_dma_pattern(&rig, SEED_BEFORE, &err) || !rig_bar_holds(&rig, SEED_BEFORE)) {
		conform_fail(res, "baseline DMA did not land: the rig does not work");
		goto out;
	}
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0 || pfn_vfio_set_req_eventfd(&rig.target, efd, &err)) {
		conform_fail(res, "request eventfd: %s", efd < 0 ? strerror(errno) : err.msg);
		if (efd >= 0)
			close(efd);
		goto out;
	}
	snprintf(cmd, sizeof(cmd), "{\"execute\":\"device_del\",\"arguments\":{\"id\":\"%s\"}}", id);
	ret = host_request_send(&hreq, cmd, &err);
	if (ret) {
		if (ret == -EOPNOTSUPP)
			conform_skip(res, "%s", err.msg);
		else
			conform_fail(res, "%s", err.msg);
		close(efd);
		goto out;
	}
	/* vfio-pci signals the request eventfd when the kernel wants it back. */
	pfd = (struct pollfd){ .fd = efd, .events = POLLIN };
	ret = poll(&pfd, 1, 15000);
	if (ret <= 0 || read(efd, &hits, sizeof(hits)) != sizeof(hits)) {
		conform_fail(res, "vfio-pci did not request %s back within 15 s of device_del",
			     ctx->target_bdf);
		close(efd);
		goto out;
	}
	close(efd);
	/* Let go of the device: the unplug completes and revokes the dma-buf. */
	munmap(rig.bar, RIG_SLICE);
	rig.bar = MAP_FAILED;
	pfn_vfio_close(&rig.target);
	if (host_request_wait(&hreq, resp, sizeof(resp), 20000, &err)) {
		conform_fail(res, "device_del of %s: %s", id, err.msg);
		goto out;
	}
	conform_note(res, "device_del %s: %s", id, resp);
	for (int i = 0; i < 100 && device_present(ctx, ctx->target_bdf); i++)
		usleep(100 * 1000);
	if (device_present(ctx, ctx->target_bdf)) {
		conform_fail(res, "%s is still present 10 s after it was released", ctx->target_bdf);
		goto out;
	}

	/*
	 * The IOMMU driver rate-limits its fault messages (10 per 5 s); earlier
	 * cases fault on purpose, so let the window pass or ours goes unlogged.
	 */
	sleep(6);
	snprintf(needle, sizeof(needle), "[%s]", ctx->dma_bdf);
	faults0 = klog_count("DMAR: [DMA Write", needle);
	ret = rig_dma_pattern(&rig, SEED_AFTER, &err);
	usleep(200 * 1000);	/* fault reporting is asynchronous */
	faults1 = klog_count("DMAR: [DMA Write", needle);
	conform_note(res, "DMA after unplug: %s; IOMMU write faults for %s: %ld -> %ld",
		     ret ? err.msg : "device reported success", ctx->dma_bdf, faults0, faults1);
	if (ret == 0 && faults0 >= 0 && faults1 <= faults0)
		conform_fail(res, "after the unplug a DMA to the old IOVA completed with no IOMMU fault");
	else if (faults0 < 0)
		conform_skip(res, "cannot read the kernel log to see the IOMMU refuse the DMA");
	ret = pfn_ioas_map_file(rig.iommu.fd, rig.iommu.ioas_id, rig.dmabuf, 0, ctx->page,
				&(uint64_t){ iova + RIG_SLICE }, PFN_MAP_RW, NULL);
	conform_expect_errno(res, "MAP_FILE of the dma-buf of an unplugged device", ret, ENODEV);
out:
	rig_close(&rig);
	kstate_take(&after);
	if (kstate_check(&before, &after, resp, sizeof(resp)) == 0)
		conform_fail(res, "%s", resp);
}

const struct conform_case conform_unplug_cases[] = {
	{ "UNPLUG-001", "hot_unplug_while_mapped", "REV-5", CONFORM_NEEDS_DMA, unplug_while_mapped },
};

const unsigned int conform_unplug_count =
	sizeof(conform_unplug_cases) / sizeof(conform_unplug_cases[0]);
