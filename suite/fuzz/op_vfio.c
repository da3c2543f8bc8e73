// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz calls on the target device: VFIO_DEVICE_FEATURE_DMA_BUF, and the
 * revoke (memory disable, reset) and close interleavings.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>
#include <linux/vfio.h>

#include "fuzz.h"

#define HDR_LEN (sizeof(struct vfio_device_feature) + sizeof(struct vfio_device_feature_dma_buf))

/* A range of the BAR: mostly valid, sometimes at or past an edge. */
static void gen_range(struct fuzz_world *w, struct fuzz_rng *r, struct vfio_region_dma_range *d)
{
	uint64_t page = w->ctx->page, size = w->ctx->target_bar_size;
	uint64_t pages = size / page, at, n;

	if (fuzz_below(r, 10) < 7) {
		at = fuzz_below(r, pages);
		n = 1 + fuzz_below(r, pages - at < 16 ? pages - at : 16);
		d->offset = at * page;
		d->length = n * page;
		return;
	}
	d->offset = fuzz_one_in(r, 2) ? fuzz_edge(r, size, page) : fuzz_below(r, pages) * page;
	d->length = fuzz_edge(r, size, page);
}

/* The rule, if any, by which the kernel must refuse these ranges. */
static const char *ranges_rule(struct fuzz_world *w, uint32_t region,
			       const struct vfio_region_dma_range *d, uint32_t n)
{
	uint64_t page = w->ctx->page, total = 0, end;

	for (uint32_t i = 0; i < n; i++) {
		if (!d[i].length)
			return "EXPORT-range-empty";
		if ((d[i].offset | d[i].length) & (page - 1))
			return "EXPORT-range-unaligned";
		if (__builtin_add_overflow(total, d[i].length, &total))
			return "EXPORT-total-overflow";
		if (region == w->ctx->target_bar &&
		    (__builtin_add_overflow(d[i].offset, d[i].length, &end) ||
		     end > w->ctx->target_bar_size))
			return "EXPORT-range-past-bar";
	}
	return NULL;
}

void fuzz_op_export(struct fuzz_world *w, struct fuzz_rng *r, struct fuzz_call *c)
{
	uint8_t *end = (uint8_t *)w->args + w->args_len;
	struct vfio_device_feature *hdr;
	struct vfio_device_feature_dma_buf *db;
	uint32_t declared, provided, argsz, need, open_flags;
	uint64_t size = 0;
	bool raw_flags = false;
	long ret;

	switch (fuzz_below(r, 10)) {
	case 0: declared = 0; break;
	case 1: declared = FUZZ_MAX_RANGES; break;
	case 2: declared = FUZZ_MAX_RANGES + 1; break;	/* runs into the guard page */
	case 3: declared = fuzz_one_in(r, 2) ? ~0u : (uint32_t)fuzz_u64(r); break;
	default: declared = 1 + (uint32_t)fuzz_below(r, 4); break;
	}
	provided = declared < FUZZ_MAX_RANGES ? declared : FUZZ_MAX_RANGES;
	/* the ranges end where the guard page begins */
	hdr = (struct vfio_device_feature *)(end - FUZZ_MAX_RANGES * sizeof(db->dma_ranges[0]) -
					     HDR_LEN);
	db = (struct vfio_device_feature_dma_buf *)hdr->data;
	memset(hdr, 0, HDR_LEN + FUZZ_MAX_RANGES * sizeof(db->dma_ranges[0]));
	db->region_index = fuzz_below(r, 5) ? w->ctx->target_bar : (uint32_t)fuzz_edge(r, 8, 1);
	switch (fuzz_below(r, 10)) {
	case 0: open_flags = O_RDONLY | O_CLOEXEC; break;
	case 1: open_flags = (uint32_t)fuzz_u64(r); break;
	default: open_flags = O_RDWR | O_CLOEXEC; break;
	}
	db->open_flags = open_flags;
	db->flags = fuzz_below(r, 10) ? 0 : (uint32_t)fuzz_u64(r) | 1;
	db->nr_ranges = declared;
	for (uint32_t i = 0; i < provided; i++)
		gen_range(w, r, &db->dma_ranges[i]);
	need = (uint32_t)(HDR_LEN + provided * sizeof(db->dma_ranges[0]));
	switch (fuzz_below(r, 10)) {
	case 0: argsz = (uint32_t)fuzz_below(r, HDR_LEN); break;	/* header cut */
	case 1: argsz = need > HDR_LEN ? HDR_LEN + (uint32_t)fuzz_below(r, need - HDR_LEN) : need; break;
	case 2: argsz = need + (uint32_t)fuzz_below(r, 4096); break;
	default: argsz = need; break;
	}
	hdr->argsz = argsz;
	hdr->flags = VFIO_DEVICE_FEATURE_DMA_BUF;
	switch (fuzz_below(r, 12)) {
	case 0: hdr->flags |= VFIO_DEVICE_FEATURE_SET; break;
	case 1: hdr->flags |= VFIO_DEVICE_FEATURE_PROBE; break;
	case 2: hdr->flags = (uint32_t)fuzz_u64(r); raw_flags = true; break;
	default: hdr->flags |= VFIO_DEVICE_FEATURE_GET; break;
	}
	snprintf(c->desc, sizeof(c->desc),
		 "flags=%#x argsz=%u (need %u) region=%u open_flags=%#x dmabuf.flags=%#x nr_ranges=%u first=[%#llx+%#llx]",
		 hdr->flags, argsz, need, db->region_index, open_flags, db->flags, declared,
		 provided ? (unsigned long long)db->dma_ranges[0].offset : 0ull,
		 provided ? (unsigned long long)db->dma_ranges[0].length : 0ull);

	/* what the kernel must refuse (suite/SPEC.md FUZZ-2) */
	if (raw_flags)
		c->must_fail = NULL;	/* any feature, any op bits: no rule here */
	else if (hdr->flags & VFIO_DEVICE_FEATURE_SET)
		c->must_fail = "EXPORT-set";
	else if (hdr->flags & VFIO_DEVICE_FEATURE_PROBE)
		c->must_fail = NULL;	/* a probe reads no payload: any argsz */
	else if (argsz < HDR_LEN)
		c->must_fail = "EXPORT-argsz-below-header";
	else if (!declared)
		c->must_fail = "EXPORT-no-ranges";
	else if (db->flags)
		c->must_fail = "EXPORT-unknown-flags";
	else if (db->region_index >= VFIO_PCI_ROM_REGION_INDEX)
		c->must_fail = "EXPORT-not-a-bar";
	else if (declared > FUZZ_MAX_RANGES)
		c->must_fail = "EXPORT-ranges-unreadable";
	else if ((c->must_fail = ranges_rule(w, db->region_index, db->dma_ranges, provided)))
		;
	else if (argsz < need) {
		/* the ranges lie past argsz: the uAPI says argsz covers them */
		c->must_fail = "EXPORT-ranges-past-argsz";
		c->finding = "FIND-040";
	}

	fuzz_issue(w, c);
	ret = ioctl(w->fx.target.fd, VFIO_DEVICE_FEATURE, hdr);
	fuzz_call_ret(c, ret);
	if (ret > 0 && (hdr->flags & VFIO_DEVICE_FEATURE_GET)) {
		for (uint32_t i = 0; i < provided; i++)
			size += db->dma_ranges[i].length;
		fuzz_world_add_buf(w, (int)ret, size, true, (open_flags & O_ACCMODE) != O_RDONLY);
	}
}

void fuzz_op_revoke(struct fuzz_world *w, struct fuzz_rng *r, struct fuzz_call *c)
{
	struct pfn_vfio_dev *dev = &w->fx.target;
	int ret;

	switch (fuzz_below(r, 4)) {
	case 0:
		snprintf(c->desc, sizeof(c->desc), "VFIO_DEVICE_RESET");
		fuzz_issue(w, c);
		ret = pfn_vfio_reset(dev, NULL);
		break;
	case 1:
		snprintf(c->desc, sizeof(c->desc), "PCI memory disable (left disabled)");
		fuzz_issue(w, c);
		ret = pfn_vfio_set_memory_enable(dev, false, NULL);
		break;
	case 2:
		snprintf(c->desc, sizeof(c->desc), "PCI memory enable");
		fuzz_issue(w, c);
		ret = pfn_vfio_set_memory_enable(dev, true, NULL);
		break;
	default:
		snprintf(c->desc, sizeof(c->desc), "PCI memory disable, then enable");
		fuzz_issue(w, c);
		ret = pfn_vfio_set_memory_enable(dev, false, NULL);
		if (!ret)
			ret = pfn_vfio_set_memory_enable(dev, true, NULL);
		break;
	}
	c->ran = true;
	c->ret = ret;
}

void fuzz_op_close(struct fuzz_world *w, struct fuzz_rng *r, struct fuzz_call *c)
{
	unsigned int i;

	c->ran = true;
	if (w->vm >= 0 && fuzz_one_in(r, 4)) {
		/* VM teardown with whatever memslots it holds */
		snprintf(c->desc, sizeof(c->desc), "close the VM, create a new one");
		fuzz_issue(w, c);
		close(w->vm);
		w->vm = ioctl(w->kvm, KVM_CREATE_VM, 0);
		c->ret = w->vm < 0 ? -errno : 0;
		return;
	}
	if (!w->n_bufs) {
		snprintf(c->desc, sizeof(c->desc), "close: no live dma-buf");
		c->ret = 0;
		return;
	}
	i = (unsigned int)fuzz_below(r, w->n_bufs);
	snprintf(c->desc, sizeof(c->desc), "close %s-dmabuf%u (maybe mapped, in a memslot or imported)",
		 w->bufs[i].vfio ? "vfio" : "ref", i);
	fuzz_issue(w, c);
	c->ret = close(w->bufs[i].fd) ? -errno : 0;
	w->bufs[i] = w->bufs[--w->n_bufs];
}
