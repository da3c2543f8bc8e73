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

/*
 * The runner's QEMU device id of @bdf, from $PFN_RESULTS/devices.tsv
 * (suite/runner/README.md: "bdf qemu_id vendor:device" per line).  Devices
 * are told apart by BDF, never by vendor id: two NVMe controllers must not
 * be confused.  Return: 0, -ENOENT (no file), -ESRCH (no such BDF).
 */
static int qemu_id_of(const char *bdf, char *id, size_t len)
{
	const char *dir = getenv("PFN_RESULTS");
	char path[512], line[256], b[32], q[64];
	int ret = -ESRCH;
	FILE *f;

	if (!dir)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/devices.tsv", dir);
	f = fopen(path, "re");
	if (!f)
		return -ENOENT;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || sscanf(line, "%31s %63s", b, q) != 2)
			continue;
		if (!strcmp(b, bdf)) {
			/* "-": QEMU gave the device no id, so it cannot be named */
			if (strcmp(q, "-")) {
				snprintf(id, len, "%s", q);
				ret = 0;
			}
			break;
		}
	}
	fclose(f);
	return ret;
}

static bool device_present(const struct conform_ctx *ctx, const char *bdf)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s", ctx->sysfs, bdf);
	return stat(path, &st) == 0;
}

/* After the unplug: the DMA device, with a fresh host buffer, still works. */
static bool engine_alive(struct dma_rig *rig, struct conform_result *res)
{
	uint64_t len = (rig->proof.len + 4095) & ~4095ull, iova;
	struct pfn_err err;
	bool ok = false;
	void *buf;
	int ret;

	buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
		   -1, 0);
	if (buf == MAP_FAILED)
		return conform_fail_as(res, CONFORM_REASON_SETUP, "host buffer: %s", strerror(errno));
	ret = pfn_iova_alloc(&rig->iovas, len, 1ull << 21, &iova, &err);
	if (!ret)
		ret = pfn_iommu_map_user(&rig->iommu, buf, len, iova, PFN_MAP_RW, &err);
	if (ret) {
		conform_fail_as(res, CONFORM_REASON_SETUP, "mapping a host buffer: %s", err.msg);
		goto out;
	}
	pfn_proof_set_target(&rig->proof, buf);
	ret = pfn_proof_control(&rig->proof, iova, "into host memory after the unplug", &err);
	ok = ret ? rig_fail_control(res, ret, &err) : true;
	pfn_iommu_unmap(&rig->iommu, iova, len, NULL);
out:
	pfn_proof_set_target(&rig->proof, NULL);
	munmap(buf, len);
	return ok;
}

static void unplug_while_mapped(const struct conform_ctx *ctx, struct conform_result *res)
{
	char cmd[160], resp[1024], id[64];
	struct kstate before, after;
	struct host_request hreq;
	struct pfn_proof_dma d;
	struct pollfd pfd;
	struct dma_rig rig;
	struct pfn_err err;
	long faults0, faults1;
	uint64_t hits, iova, old_iova;
	char how[PFN_ERR_MSG_MAX + 64];
	int efd, ret;

	if (!getenv("PFN_RESULTS")) {
		conform_skip(res, "hot-unplug needs the VM runner's host-request bridge; on a real host, unplug the slot with the platform's tools and run REV cases instead");
		return;
	}
	if (!strcmp(ctx->target_bdf, ctx->dma_bdf)) {
		conform_fail_as(res, CONFORM_REASON_SETUP,
				"the target %s is also the DMA device: unplugging it would remove the engine that proves the unplug",
				ctx->target_bdf);
		return;
	}
	ret = qemu_id_of(ctx->target_bdf, id, sizeof(id));
	if (ret) {
		conform_skip(res, "the runner's devices.tsv %s %s: cannot tell QEMU which device to unplug",
			     ret == -ENOENT ? "is missing, so it does not name" : "does not name",
			     ctx->target_bdf);
		return;
	}
	kstate_take(&before);
	if (!rig_open(&rig, ctx, PFN_MODE_IOMMUFD, res))
		return;
	if (!rig_control(&rig, "before the unplug", res))
		goto out;
	old_iova = rig.bar_iova;
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0 || pfn_vfio_set_req_eventfd(&rig.target, efd, &err)) {
		conform_fail_as(res, CONFORM_REASON_SETUP, "request eventfd: %s",
				efd < 0 ? strerror(errno) : err.msg);
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
			conform_fail_as(res, CONFORM_REASON_SETUP, "%s", err.msg);
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
	pfn_proof_remap_target(&rig.proof, NULL);
	pfn_vfio_close(&rig.target);
	if (host_request_wait(&hreq, resp, sizeof(resp), 20000, &err)) {
		conform_fail_as(res, CONFORM_REASON_SETUP, "device_del of %s: %s", id, err.msg);
		goto out;
	}
	conform_note(res, "device_del %s (%s): %s", id, ctx->target_bdf, resp);
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
	faults0 = klog_iommu_faults(ctx->dma_bdf);
	pfn_proof_dma(&rig.proof, old_iova, &d);
	usleep(200 * 1000);	/* fault reporting is asynchronous */
	faults1 = klog_iommu_faults(ctx->dma_bdf);
	pfn_proof_describe(&d, how, sizeof(how));
	conform_note(res, "DMA after unplug: %s; IOMMU faults for %s: %ld -> %ld", how,
		     ctx->dma_bdf, faults0, faults1);
	if (faults0 < 0)
		conform_fail_as(res, CONFORM_REASON_SETUP,
				"cannot read the kernel log to see the IOMMU refuse the DMA (klogctl needs root)");
	else if (d.status == -ETIMEDOUT)
		conform_fail_as(res, CONFORM_REASON_ENGINE_TIMEOUT,
				"the DMA after the unplug timed out: %s", d.msg);
	else if (faults1 <= faults0)
		conform_fail_as(res, d.status ? CONFORM_REASON_CHECK : CONFORM_REASON_LANDED,
				d.status ? "after the unplug the DMA failed, but not by an IOMMU refusal (no fault report for %s): %s" :
				"after the unplug a DMA to the old IOVA completed with no IOMMU fault for %s%s",
				ctx->dma_bdf, d.status ? d.msg : "");
	if (pfn_iova_alloc(&rig.iovas, ctx->page, ctx->page, &iova, &err) == 0) {
		ret = pfn_ioas_map_file(rig.iommu.fd, rig.iommu.ioas_id, rig.dmabuf, 0, ctx->page,
					&iova, PFN_MAP_RW, NULL);
		conform_expect_errno(res, "MAP_FILE of the dma-buf of an unplugged device", ret,
				     ENODEV);
	}
	/* The refusal meant something only if the engine still works. */
	engine_alive(&rig, res);
out:
	rig_close(&rig);
	kstate_take(&after);
	if (kstate_check(&before, &after, resp, sizeof(resp)) == 0)
		conform_fail(res, "%s", resp);
}

const struct conform_case conform_unplug_cases[] = {
	{ "UNPLUG-001", "hot_unplug_while_mapped", "REV-5", CONFORM_NEEDS_DMA, unplug_while_mapped, 0 },
};

const unsigned int conform_unplug_count =
	sizeof(conform_unplug_cases) / sizeof(conform_unplug_cases[0]);
