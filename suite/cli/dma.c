// SPDX-License-Identifier: GPL-2.0-only
/*
 * pfnsuite dma: prove with real device DMA what the IOMMU lets through.
 *
 * (a) A DMA driver (NVMe) copies between two host buffers mapped in an
 *     iommufd IOAS; the bytes are checked, and how the device reports DMA to
 *     an IOVA that is not mapped is recorded.
 * (b) With --target, a peer's BAR is exported as a dma-buf, mapped into the
 *     same IOAS with IOMMU_IOAS_MAP_FILE, and the device DMAs into it (seen
 *     through the BAR's mmap).  Then PCI memory enable of the peer is cleared,
 *     which revokes the dma-buf: the same DMA must no longer reach the BAR.
 *
 * The NVMe driver stages data in the first LBAs of the first namespace:
 * whatever is stored there is destroyed.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "cli.h"
#include "pfn/dma.h"
#include "pfn/iommu.h"
#include "pfn/ktap.h"
#include "pfn/nvme.h"
#include "pfn/iova.h"
#include "pfn/pattern.h"
#include "pfn/pci.h"
#include "pfn/proof.h"
#include "pfn/vfio.h"

/* IOVAs: windows from the IOMMU's usable ranges, allocated once in setup(). */
#define DRIVER_IOVA	(c->iova_driver)
#define SRC_IOVA	(c->iova_src)
#define DST_IOVA	(c->iova_dst)
#define UNMAPPED_IOVA	(c->iova_unmapped)	/* reserved, never mapped */

/* What the test touches in the target BAR. */
#define T_XFER_MAX	0x10000ull	/* DMA'd data at BAR offset 0 */
#define T_LIST_OFF	0x20000ull	/* a PRP list page */
#define T_VIEW		0x40000ull	/* mmap'd for observation */
#define RAW_LEN		0x3000ull	/* PRP1 + a two-entry list */

#define POISON		0xa5

struct dma_ctx {
	struct pfn_ktap k;
	struct pfn_iommu io;
	struct pfn_vfio_dev dev;
	struct pfn_dma dma;
	struct pfn_nvme_info nvme;
	bool is_nvme;
	const char *sysfs;
	int timeout_ms;
	uint64_t page;
	uint64_t buf_len;	/* max transfer + one guard page */
	uint8_t *src;
	uint8_t *dst;
	bool src_mapped;
	bool dst_mapped;
	bool require_device_error;	/* a DMA after revoke must end in an error */
	bool allow_destructive;
	enum pfn_dma_fault test_fault;
	struct pfn_iova_space iovas;
	uint64_t iova_driver;
	uint64_t iova_src;
	uint64_t iova_dst;
	uint64_t iova_unmapped;
	struct pfn_proof proof;
};

struct target {
	struct pfn_vfio_dev dev;
	struct pfn_region bar;
	uint32_t bar_index;
	int dmabuf;
	bool mapped;
	uint64_t iova;
	volatile uint8_t *view;
	uint64_t xfer;
};

/* ---- small helpers -------------------------------------------------------- */

/* Return the first differing offset, or -1 when equal. */
static int64_t first_diff(const uint8_t *a, const uint8_t *b, uint64_t len)
{
	for (uint64_t i = 0; i < len; i++)
		if (a[i] != b[i])
			return (int64_t)i;
	return -1;
}

static int64_t first_not(const uint8_t *a, uint8_t v, uint64_t len)
{
	for (uint64_t i = 0; i < len; i++)
		if (a[i] != v)
			return (int64_t)i;
	return -1;
}

/* BAR access with 64-bit volatile loads and stores (lengths are 8-byte multiples). */
static void bar_read(void *dst, const volatile uint8_t *bar, uint64_t len)
{
	for (uint64_t i = 0; i < len; i += 8) {
		uint64_t v = *(const volatile uint64_t *)(bar + i);

		memcpy((uint8_t *)dst + i, &v, 8);
	}
}

static void bar_write(volatile uint8_t *bar, const void *src, uint64_t len)
{
	for (uint64_t i = 0; i < len; i += 8) {
		uint64_t v;

		memcpy(&v, (const uint8_t *)src + i, 8);
		*(volatile uint64_t *)(bar + i) = v;
	}
}

static void result(struct dma_ctx *c, bool ok, const char *name, const char *why)
{
	pfn_ktap_result(&c->k, ok ? PFN_PASS : PFN_FAIL, name, ok ? NULL : why);
}

static const char *errname(int rc)
{
	const char *name = rc ? strerrorname_np(-rc) : "0";

	return name ? name : "unknown errno";
}

/* ---- IOMMU faults in the kernel log (evidence, never a requirement) ------- */

/* Open /dev/kmsg positioned after the last record; -1 when unavailable. */
static int kmsg_mark(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0 && lseek(fd, 0, SEEK_END) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* Is @msg an IOMMU fault report naming @bdf with an address in [@lo, @hi)? */
static bool is_fault(const char *msg, const char *bdf, uint64_t lo, uint64_t hi)
{
	const char *p;
	char *end;

	if (!strcasestr(msg, "fault") || !strstr(msg, bdf + 5))	/* "bb:dd.f" */
		return false;
	for (p = msg; (p = strstr(p, "0x")); p += 2) {
		uint64_t v = strtoull(p, &end, 16);

		if (end > p + 2 && v >= lo && v < hi)
			return true;
	}
	return false;
}

/*
 * Count the IOMMU faults for @bdf in [@lo, @hi) logged since @fd was marked
 * (waiting up to 0.5 s for the fault handler); keep the first in @first.
 * Closes @fd.  Return: the count, or -1 when the log cannot be read.
 */
static int kmsg_faults(int fd, const char *bdf, uint64_t lo, uint64_t hi, char *first,
		       size_t len)
{
	char rec[2048], *msg, *nl;
	int n = 0;
	ssize_t r;

	if (fd < 0)
		return -1;
	first[0] = '\0';
	for (int tries = 0; tries < 50 && !n; tries++) {
		while ((r = read(fd, rec, sizeof(rec) - 1)) != 0) {
			if (r < 0) {
				if (errno == EPIPE)	/* records were overwritten */
					continue;
				break;
			}
			rec[r] = '\0';
			msg = strchr(rec, ';');
			if (!msg)
				continue;
			msg++;
			nl = strchr(msg, '\n');
			if (nl)
				*nl = '\0';
			if (is_fault(msg, bdf, lo, hi) && !n++)
				snprintf(first, len, "%s", msg);
		}
		if (!n)
			usleep(10000);
	}
	close(fd);
	return n;
}

/* ---- (a) host buffer copies -------------------------------------------------- */

/* Copy @size bytes @count times from src to dst and check dst and its guard. */
static bool host_copy(struct dma_ctx *c, uint64_t size, uint64_t count, char *why, size_t len)
{
	struct pfn_err err;
	int64_t d;
	int rc;

	pfn_pattern_fill(c->src, size, (uint32_t)(size * 31 + count));
	memset(c->dst, POISON, c->buf_len);
	rc = pfn_dma_memcpy_start(&c->dma, SRC_IOVA, DST_IOVA, size, count, &err);
	if (!rc)
		rc = pfn_dma_memcpy_wait(&c->dma, c->timeout_ms, &err);
	if (rc) {
		snprintf(why, len, "%s", err.msg);
		return false;
	}
	d = first_diff(c->dst, c->src, size);
	if (d >= 0) {
		snprintf(why, len, "byte %" PRId64 " of dst is %#x, src has %#x", d, c->dst[d],
			 c->src[d]);
		return false;
	}
	d = first_not(c->dst + size, POISON, c->buf_len - size);
	if (d >= 0) {
		snprintf(why, len, "device wrote past the copy: dst byte %" PRIu64 " changed",
			 size + (uint64_t)d);
		return false;
	}
	return true;
}

static void host_copies(struct dma_ctx *c)
{
	const uint64_t max = pfn_dma_max_size(&c->dma);
	const uint64_t sizes[] = {
		c->is_nvme ? c->nvme.ns.lba_size : 4096, 4096, 8192, 12288, 65536,
		max > 4096 ? max - 4096 : max, max,
	};
	uint64_t last = 0;
	char name[64], why[PFN_ERR_MSG_MAX];
	bool ok;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		if (sizes[i] > max || sizes[i] == last)
			continue;
		last = sizes[i];
		ok = host_copy(c, sizes[i], 1, why, sizeof(why));
		snprintf(name, sizeof(name), "host_copy_%" PRIu64, sizes[i]);
		result(c, ok, name, why);
	}
	ok = host_copy(c, max < 65536 ? max : 65536, 3, why, sizeof(why));
	result(c, ok, "host_copy_count3", why);
}

static void argument_checks(struct dma_ctx *c)
{
	const uint64_t max = pfn_dma_max_size(&c->dma);
	struct pfn_err err;
	int rc, rc2;

	/* NVMe's own limits: 4 KiB aligned buffers, whole LBAs (edu takes any). */
	if (c->is_nvme) {
		rc = pfn_dma_memcpy(&c->dma, SRC_IOVA + 512, DST_IOVA, 4096, c->timeout_ms, &err);
		pfn_ktap_diag(&c->k, "unaligned src: %s (%s)", errname(rc), rc ? err.msg : "");
		result(c, rc == -EINVAL, "unaligned_src_einval", "an unaligned source was accepted");
		rc = pfn_dma_memcpy(&c->dma, SRC_IOVA, DST_IOVA, 100, c->timeout_ms, &err);
		result(c, rc == -EINVAL, "partial_lba_einval",
		       "a size not a multiple of the LBA was accepted");
	}

	rc = pfn_dma_memcpy(&c->dma, SRC_IOVA, DST_IOVA, max + 4096, c->timeout_ms, &err);
	result(c, rc == -EINVAL, "oversize_einval", "a copy above the maximum was accepted");

	rc = pfn_dma_memcpy_start(&c->dma, SRC_IOVA, DST_IOVA, 4096, 1, &err);
	rc2 = rc ? rc : pfn_dma_memcpy_start(&c->dma, SRC_IOVA, DST_IOVA, 4096, 1, &err);
	if (!rc)
		rc = pfn_dma_memcpy_wait(&c->dma, c->timeout_ms, &err);
	result(c, !rc && rc2 == -EBUSY, "second_start_ebusy",
	       "a second memcpy_start while one was in flight was not refused with EBUSY");
}

/*
 * DMA to IOVAs with nothing mapped.  A device may report the fault (an error
 * completion) or drop the DMA and complete normally (QEMU drops faulting
 * data-phase DMA; it reports failed PRP-list fetches).  Record which.
 */
static void fault_baseline(struct dma_ctx *c)
{
	char fault[256];
	struct pfn_err err;
	int rc, mark, faults;

	pfn_pattern_fill(c->src, 4096, 7);
	mark = kmsg_mark();
	rc = pfn_dma_memcpy(&c->dma, SRC_IOVA, UNMAPPED_IOVA, 4096, c->timeout_ms, &err);
	faults = kmsg_faults(mark, c->dev.bdf, UNMAPPED_IOVA, UNMAPPED_IOVA + 4096, fault,
			     sizeof(fault));
	if (rc == -EIO)
		pfn_ktap_diag(&c->k, "DMA write to an unmapped IOVA: device reported %s", err.msg);
	else if (!rc)
		pfn_ktap_diag(&c->k,
			      "DMA write to an unmapped IOVA: device completed the command with success (it drops faulting DMA without an error)");
	else
		pfn_ktap_diag(&c->k, "DMA write to an unmapped IOVA: %s", err.msg);
	if (faults > 0)
		pfn_ktap_diag(&c->k, "kernel log: %s", fault);
	result(c, rc == 0 || rc == -EIO, "unmapped_dst_completes",
	       "the device neither completed nor failed the command");

	if (!c->is_nvme)
		return;
	/* A PRP list at an unmapped IOVA: the controller must fetch it and fail. */
	rc = pfn_nvme_io_raw(&c->dma, PFN_NVME_CMD_READ, RAW_LEN, DST_IOVA, UNMAPPED_IOVA,
			     c->timeout_ms, &err);
	pfn_ktap_diag(&c->k, "PRP list at an unmapped IOVA: %s", rc ? err.msg : "success");
	result(c, rc == -EIO, "unmapped_prp_list_fails",
	       "the controller did not report a failed PRP list fetch");

	result(c, host_copy(c, 65536, 1, err.msg, sizeof(err.msg)), "host_copy_after_faults",
	       err.msg);
}

/* ---- (b) the target BAR, before and after revoke ----------------------------- */

static int target_open(struct dma_ctx *c, struct target *t, const char *bdf,
		       struct pfn_err *err)
{
	struct pfn_range whole;
	void *va;
	int ret;

	ret = pfn_vfio_open(&t->dev, c->sysfs, bdf, &c->io, err);
	if (ret)
		return ret;
	ret = pfn_vfio_region(&t->dev, t->bar_index, &t->bar, err);
	if (ret)
		return ret;
	if (t->bar.size < T_VIEW || !(t->bar.flags & VFIO_REGION_INFO_FLAG_MMAP))
		return pfn_fail(err, EINVAL, "%s BAR %u (%#llx bytes) is not an mmap-able BAR of at least %#llx bytes",
				t->dev.bdf, t->bar_index, (unsigned long long)t->bar.size,
				(unsigned long long)T_VIEW);
	ret = pfn_vfio_set_memory_enable(&t->dev, true, err);
	if (ret)
		return ret;
	whole = (struct pfn_range){ 0, t->bar.size };
	ret = pfn_vfio_dmabuf_export(&t->dev, t->bar_index, &whole, 1, O_RDWR | O_CLOEXEC, err);
	if (ret < 0)
		return ret;
	t->dmabuf = ret;
	ret = pfn_iova_alloc(&c->iovas, t->bar.size, 1ull << 21, &t->iova, err);
	if (!ret)
		ret = pfn_ioas_map_file(c->io.fd, c->io.ioas_id, t->dmabuf, 0, t->bar.size,
					&t->iova, PFN_MAP_RW, err);
	if (ret)
		return ret;
	t->mapped = true;
	ret = pfn_vfio_bar_mmap(&t->dev, t->bar_index, 0, T_VIEW, c->page, 0, &va, err);
	if (ret)
		return ret;
	t->view = va;
	return 0;
}

static void target_close(struct dma_ctx *c, struct target *t)
{
	if (t->view)
		munmap((void *)t->view, T_VIEW);
	if (t->mapped)
		pfn_ioas_unmap(c->io.fd, c->io.ioas_id, t->iova, t->bar.size, NULL, NULL);
	if (t->dmabuf >= 0)
		close(t->dmabuf);
	pfn_vfio_close(&t->dev);
}

/* NVMe Read of RAW_LEN scratch bytes: PRP1 = dst, PRP2 = a list in the BAR. */
static int read_with_list_in_bar(struct dma_ctx *c, struct target *t, struct pfn_err *err)
{
	memset(c->dst, POISON, c->buf_len);
	return pfn_nvme_io_raw(&c->dma, PFN_NVME_CMD_READ, RAW_LEN, DST_IOVA,
			       t->iova + T_LIST_OFF, c->timeout_ms, err);
}

/* A positive control through @iova: the DMA must complete and land byte for byte. */
static bool control(struct dma_ctx *c, struct target *t, uint64_t iova, const char *name,
		    const char *what)
{
	struct pfn_err err;
	int rc;

	pfn_proof_set_target(&c->proof, t->view);
	rc = pfn_proof_control(&c->proof, iova, what, &err);
	pfn_ktap_diag(&c->k, "%s: %s", what, rc ? err.msg : "landed byte for byte");
	result(c, !rc, name, err.msg);
	return !rc;
}

/* Judge a DMA that must not have landed; the BAR must hold the canary. */
static void must_not_land(struct dma_ctx *c, const struct pfn_proof_dma *d, const char *name,
			  const char *what)
{
	char how[PFN_ERR_MSG_MAX + 64], why[PFN_ERR_MSG_MAX + 128];
	enum pfn_proof_state st;
	size_t at;

	pfn_proof_describe(d, how, sizeof(how));
	st = pfn_proof_observe(&c->proof, d, &at);
	pfn_ktap_diag(&c->k, "%s: %s; the BAR holds %s", what, how, pfn_proof_state_held(st));
	if (st == PFN_PROOF_LANDED)
		snprintf(why, sizeof(why), "[landed] %s landed in the BAR", what);
	else if (st == PFN_PROOF_CHANGED)
		snprintf(why, sizeof(why), "[changed] the BAR changed (byte %zu) across %s", at, what);
	else if (d->status == -ETIMEDOUT)
		snprintf(why, sizeof(why), "[engine_timeout] %s timed out: %s", what, d->msg);
	result(c, st == PFN_PROOF_CANARY && d->status != -ETIMEDOUT, name, why);
}

static void target_tests(struct dma_ctx *c, const char *bdf, uint32_t bar_index)
{
	struct target t = { .bar_index = bar_index, .dmabuf = -1 };
	uint64_t list[RAW_LEN / 4096 - 1] = { 0 }, list_seen[RAW_LEN / 4096 - 1];
	struct pfn_proof_dma during, after;
	uint64_t iova, old_iova, unmapped;
	struct pfn_err err;
	bool ok, list_test;
	int rc;

	rc = target_open(c, &t, bdf, &err);
	pfn_ktap_diag(&c->k, "target %s BAR%u: %#llx bytes, dma-buf fd %d mapped at IOVA %#llx",
		      bdf, bar_index, (unsigned long long)t.bar.size, t.dmabuf,
		      (unsigned long long)t.iova);
	result(c, !rc, "target_dmabuf_map", err.msg);
	if (rc) {
		target_close(c, &t);
		return;
	}
	t.xfer = c->proof.len;
	list_test = c->is_nvme && t.xfer >= RAW_LEN;

	/* Host buffer -> BAR, seen through the BAR's mmap (the positive control). */
	if (!control(c, &t, t.iova, "p2p_dma_into_bar", "DMA host -> BAR through the dma-buf")) {
		target_close(c, &t);
		return;
	}

	/* BAR -> host buffer: the device reads the BAR. */
	pfn_pattern_fill(t.view, t.xfer, 0xb0b0b0b0u);
	memset(c->dst, POISON, c->buf_len);
	rc = pfn_dma_memcpy(&c->dma, t.iova, DST_IOVA, t.xfer, c->timeout_ms, &err);
	ok = !rc && pfn_pattern_diff(c->dst, t.xfer, 0xb0b0b0b0u) == t.xfer;
	result(c, ok, "p2p_dma_from_bar", rc ? err.msg : "host buffer does not hold the BAR's bytes");

	/* A PRP list the controller must fetch from the BAR. */
	if (list_test) {
		pfn_pattern_fill(c->src, RAW_LEN, 0x11570000u);
		rc = pfn_dma_memcpy(&c->dma, SRC_IOVA, DST_IOVA, RAW_LEN, c->timeout_ms, &err);
		list[0] = DST_IOVA + 4096;
		list[1] = DST_IOVA + 8192;
		bar_write(t.view + T_LIST_OFF, list, sizeof(list));
		if (!rc)
			rc = read_with_list_in_bar(c, &t, &err);
		ok = !rc && pfn_pattern_diff(c->dst, RAW_LEN, 0x11570000u) == RAW_LEN;
		result(c, ok, "prp_list_in_bar",
		       rc ? err.msg : "data read through a PRP list in the BAR is wrong");
	}

	/* Revoke: clear PCI memory enable of the target, canary in place. */
	pfn_proof_set_target(&c->proof, t.view);
	if (pfn_proof_write_canary(&c->proof, &err)) {
		result(c, false, "revoke_memory_disable", err.msg);
		target_close(c, &t);
		return;
	}
	rc = pfn_vfio_set_memory_enable(&t.dev, false, &err);
	pfn_ktap_diag(&c->k, "cleared PCI_COMMAND_MEMORY of %s: %s", bdf, rc ? err.msg : "done");
	result(c, !rc, "revoke_memory_disable", err.msg);
	if (rc) {
		target_close(c, &t);
		return;
	}
	rc = pfn_iova_alloc(&c->iovas, t.bar.size, 1ull << 21, &iova, &err);
	if (!rc)
		rc = pfn_ioas_map_file(c->io.fd, c->io.ioas_id, t.dmabuf, 0, t.bar.size, &iova,
				       PFN_MAP_RW, &err);
	pfn_ktap_diag(&c->k, "new IOMMU_IOAS_MAP_FILE of the revoked dma-buf: %s",
		      rc ? err.msg : "succeeded");
	if (!rc)
		pfn_ioas_unmap(c->io.fd, c->io.ioas_id, iova, t.bar.size, NULL, NULL);
	result(c, rc == -ENODEV, "map_after_revoke_refused",
	       rc ? "refused, but not with ENODEV" : "a revoked dma-buf could be mapped");

	/* A DMA while decoding is off: its status is evidence, the BAR is judged later. */
	pfn_proof_dma(&c->proof, t.iova, &during);
	pfn_ktap_diag(&c->k, "DMA host -> BAR while revoked: %s",
		      during.status ? during.msg : "device reported success");
	if (list_test) {
		rc = read_with_list_in_bar(c, &t, &err);
		pfn_ktap_diag(&c->k, "NVMe Read with its PRP list in the revoked BAR: %s",
			      rc ? err.msg : "success");
		result(c, rc == -EIO && c->dma.last_status, "prp_list_in_bar_after_revoke_fails",
		       rc ? err.msg : "the controller fetched a PRP list from a revoked BAR");
	}

	/* Re-enable: what the DMA while revoked did is visible now. */
	rc = pfn_vfio_set_memory_enable(&t.dev, true, &err);
	result(c, !rc, "memory_reenable", err.msg);
	if (rc) {
		target_close(c, &t);
		return;
	}
	must_not_land(c, &during, "p2p_dma_while_revoked_does_not_land",
		      "a DMA while the BAR was revoked");
	if (list_test) {
		bar_read(list_seen, t.view + T_LIST_OFF, sizeof(list_seen));
		result(c, !memcmp(list, list_seen, sizeof(list)), "prp_list_page_unchanged",
		       "the PRP list page in the BAR changed");
	}

	/*
	 * The old mapping with decoding on again: memory enable must not bring
	 * the IOMMU mapping back (the revoke holds until userspace maps again).
	 */
	if (pfn_proof_write_canary(&c->proof, &err)) {
		result(c, false, "p2p_dma_after_revoke_does_not_land", err.msg);
		target_close(c, &t);
		return;
	}
	pfn_proof_dma(&c->proof, t.iova, &after);
	must_not_land(c, &after, "p2p_dma_after_revoke_does_not_land",
		      "a DMA through the old mapping after memory was enabled again");
	if (c->require_device_error)
		result(c, after.status == -EIO, "p2p_dma_after_revoke_reports_error",
		       "the device reported success (--require-device-error)");

	/* Recovery: unmap and map the dma-buf again at a fresh IOVA; DMA must land. */
	old_iova = t.iova;
	rc = pfn_ioas_unmap(c->io.fd, c->io.ioas_id, old_iova, t.bar.size, &unmapped, &err);
	pfn_ktap_diag(&c->k, "IOMMU_IOAS_UNMAP of the revoked area: %s", rc ? err.msg : "done");
	t.mapped = false;
	rc = pfn_iova_alloc(&c->iovas, t.bar.size, 1ull << 21, &t.iova, &err);
	if (!rc)
		rc = pfn_ioas_map_file(c->io.fd, c->io.ioas_id, t.dmabuf, 0, t.bar.size, &t.iova,
				       PFN_MAP_RW, &err);
	if (rc) {
		result(c, false, "p2p_dma_after_remap", err.msg);
	} else {
		t.mapped = true;
		control(c, &t, t.iova, "p2p_dma_after_remap",
			"DMA host -> BAR through a fresh mapping after the revoke");
	}
	target_close(c, &t);
}

/* ---- setup and the command ----------------------------------------------------- */

static int map_buffer(struct dma_ctx *c, uint8_t **buf, uint64_t iova, bool *mapped,
		      struct pfn_err *err)
{
	void *va = mmap(NULL, c->buf_len, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (va == MAP_FAILED)
		return pfn_fail_errno(err, "allocating a %llu-byte buffer",
				      (unsigned long long)c->buf_len);
	*buf = va;
	if (pfn_iommu_map_user(&c->io, va, c->buf_len, iova, PFN_MAP_RW, err))
		return -err->code;
	*mapped = true;
	return 0;
}

static int setup(struct dma_ctx *c, const char *bdf, struct pfn_err *err)
{
	int ret;

	ret = pfn_iommu_open(&c->io, PFN_MODE_IOMMUFD, err);
	if (ret)
		return ret;
	ret = pfn_vfio_open(&c->dev, c->sysfs, bdf, &c->io, err);
	if (ret)
		return ret;
	ret = pfn_iova_space_read(&c->iovas, &c->io, err);
	if (!ret)
		ret = pfn_iova_alloc(&c->iovas, PFN_DMA_IOVA_WINDOW, PFN_DMA_IOVA_WINDOW,
				     &c->iova_driver, err);
	if (ret)
		return ret;
	ret = pfn_dma_open2(&c->dma, &c->dev, DRIVER_IOVA, PFN_DMA_IOVA_WINDOW,
			    &(struct pfn_dma_open_opts){ .allow_destructive = c->allow_destructive },
			    err);
	if (ret)
		return ret;
	pfn_dma_set_test_fault(&c->dma, c->test_fault);
	c->is_nvme = !pfn_nvme_info(&c->dma, &c->nvme, NULL);
	c->buf_len = pfn_dma_max_size(&c->dma) + c->page;
	c->buf_len = (c->buf_len + c->page - 1) & ~(c->page - 1);
	ret = pfn_iova_alloc(&c->iovas, c->buf_len, 1ull << 21, &c->iova_src, err);
	if (!ret)
		ret = pfn_iova_alloc(&c->iovas, c->buf_len, 1ull << 21, &c->iova_dst, err);
	if (!ret)
		ret = pfn_iova_alloc(&c->iovas, 1ull << 21, 1ull << 21, &c->iova_unmapped, err);
	if (!ret)
		ret = map_buffer(c, &c->src, SRC_IOVA, &c->src_mapped, err);
	if (!ret)
		ret = map_buffer(c, &c->dst, DST_IOVA, &c->dst_mapped, err);
	if (!ret)
		ret = pfn_proof_open(&c->proof, &c->dma, &c->io, &c->iovas, PFN_PROOF_LEN_MAX, err);
	return ret;
}

static void teardown(struct dma_ctx *c)
{
	pfn_proof_close(&c->proof);
	pfn_dma_close(&c->dma);
	if (c->src_mapped)
		pfn_iommu_unmap(&c->io, SRC_IOVA, c->buf_len, NULL);
	if (c->dst_mapped)
		pfn_iommu_unmap(&c->io, DST_IOVA, c->buf_len, NULL);
	if (c->src)
		munmap(c->src, c->buf_len);
	if (c->dst)
		munmap(c->dst, c->buf_len);
	pfn_vfio_close(&c->dev);
	pfn_iommu_close(&c->io);
}

static void dma_usage(FILE *out)
{
	fprintf(out,
		"usage: pfnsuite dma --device BDF [--target BDF [--bar N]] [--timeout-ms MS]\n"
		"                    [--require-device-error] [--allow-destructive] [--sysfs DIR]\n"
		"                    [--test-dma-fault silent]\n"
		"  Drives --device (an NVMe controller bound to vfio-pci) as a DMA engine in an\n"
		"  iommufd IOAS: copies between host buffers and checks the bytes.  With\n"
		"  --target (e.g. ivshmem 1af4:1110, BAR 2, the default), exports that BAR as a\n"
		"  dma-buf, maps it into the same IOAS, DMAs into it, revokes it by clearing PCI\n"
		"  memory enable, and checks that the same DMA no longer reaches the BAR.\n"
		"  A DMA after revoke passes when the device reports an error or the IOMMU\n"
		"  logs a fault for it; --require-device-error accepts only the former\n"
		"  (QEMU's NVMe drops faulting data DMA without an error).\n"
		"  WARNING: the data in the first LBAs (up to 1 MiB) of the NVMe's first\n"
		"  namespace is overwritten: use a scratch disk.  A namespace holding a\n"
		"  partition table or filesystem is refused unless --allow-destructive.\n"
		"  --test-dma-fault silent (TEST ONLY): the engine reports success and moves\n"
		"  nothing; every proof must then fail.\n"
		"  Prints KTAP; exits 0 only when every case passed (or was skipped).\n");
}

int cmd_dma(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "target", required_argument, NULL, 't' },
		{ "bar", required_argument, NULL, 'b' },
		{ "timeout-ms", required_argument, NULL, 'T' },
		{ "sysfs", required_argument, NULL, 's' },
		{ "require-device-error", no_argument, NULL, 'R' },
		{ "allow-destructive", no_argument, NULL, 'A' },
		{ "test-dma-fault", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct dma_ctx c = { .sysfs = PFN_SYSFS_DEFAULT, .timeout_ms = 30000 };
	const char *device = NULL, *target = NULL;
	char bdf[PFN_BDF_LEN], tbdf[PFN_BDF_LEN];
	unsigned long bar = 2;
	struct pfn_err err;
	int opt, ret;
	char *end;

	while ((opt = getopt_long(argc, argv, "d:t:b:T:s:AF:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			device = optarg;
			break;
		case 't':
			target = optarg;
			break;
		case 'b':
			bar = strtoul(optarg, &end, 0);
			if (*end || bar >= PFN_NUM_BARS) {
				fprintf(stderr, "pfnsuite dma: --bar takes 0 to 5\n");
				return 2;
			}
			break;
		case 'T':
			c.timeout_ms = (int)strtol(optarg, &end, 0);
			if (*end || c.timeout_ms <= 0) {
				fprintf(stderr, "pfnsuite dma: --timeout-ms takes a positive number\n");
				return 2;
			}
			break;
		case 's':
			c.sysfs = optarg;
			break;
		case 'R':
			c.require_device_error = true;
			break;
		case 'A':
			c.allow_destructive = true;
			break;
		case 'F':
			if (strcmp(optarg, "silent")) {
				fprintf(stderr, "pfnsuite dma: --test-dma-fault takes silent\n");
				return 2;
			}
			c.test_fault = PFN_DMA_FAULT_SILENT;
			break;
		case 'h':
			dma_usage(stdout);
			return 0;
		default:
			return cli_bad_option("dma", argv);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "pfnsuite dma: unexpected argument '%s'\n", argv[optind]);
		return CLI_EXIT_USAGE;
	}
	if (!device) {
		fprintf(stderr, "pfnsuite dma: --device BDF is required: the DMA engine to drive (see --help)\n");
		return CLI_EXIT_USAGE;
	}
	/* absent, unbound or unsuitable devices are bad input, before any KTAP */
	if ((target && cli_check_device(c.sysfs, target, tbdf, NULL, &err)) ||
	    pfn_bdf_parse(device, bdf, &err) ||
	    cli_check_dma_device(c.sysfs, bdf, target ? tbdf : "", &err)) {
		fprintf(stderr, "pfnsuite dma: %s\n", err.msg);
		return CLI_EXIT_USAGE;
	}
	c.page = (uint64_t)sysconf(_SC_PAGESIZE);
	c.io.fd = -1;
	c.dev.fd = c.dev.group_fd = -1;

	pfn_ktap_begin(&c.k, stdout, -1);
	ret = setup(&c, bdf, &err);
	if (ret) {
		result(&c, false, "dma_driver_open", err.msg);
		teardown(&c);
		return pfn_ktap_end(&c.k);
	}
	pfn_ktap_diag(&c.k, "%s: %s", bdf, c.dma.desc);
	pfn_ktap_diag(&c.k, "IOMMU: iommufd IOAS %u; driver window %#llx, src %#llx, dst %#llx",
		      c.io.ioas_id, (unsigned long long)c.iova_driver,
		      (unsigned long long)c.iova_src, (unsigned long long)c.iova_dst);
	result(&c, true, "dma_driver_open", NULL);

	host_copies(&c);
	argument_checks(&c);
	fault_baseline(&c);
	if (target)
		target_tests(&c, tbdf, (uint32_t)bar);

	teardown(&c);
	return pfn_ktap_end(&c.k);
}
