// SPDX-License-Identifier: GPL-2.0-only
/* The DMA proof primitive: see pfn/proof.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pfn/pattern.h"
#include "pfn/proof.h"

/* Seeds: canaries and DMA patterns come from disjoint, never-repeating series. */
#define SEED_DMA_BASE		0x10000000u
#define SEED_CANARY_BASE	0xc0000000u

static uint64_t page_size(void)
{
	return (uint64_t)sysconf(_SC_PAGESIZE);
}

/* A new source buffer at a new IOVA. */
static int src_alloc(struct pfn_proof *p, struct pfn_err *err)
{
	uint64_t iova;
	void *va;
	int ret;

	ret = pfn_iova_alloc(p->iovas, p->src_size, page_size(), &iova, err);
	if (ret)
		return ret;
	va = mmap(NULL, p->src_size, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (va == MAP_FAILED)
		return pfn_fail_errno(err, "DMA proof source buffer (%zu bytes)", p->src_size);
	ret = pfn_iommu_map_user(p->iommu, va, p->src_size, iova, PFN_MAP_RW, err);
	if (ret) {
		munmap(va, p->src_size);
		return ret;
	}
	p->src = va;
	p->src_iova = iova;
	return 0;
}

static void src_free(struct pfn_proof *p)
{
	if (!p->src)
		return;
	pfn_iommu_unmap(p->iommu, p->src_iova, p->src_size, NULL);
	munmap(p->src, p->src_size);
	p->src = NULL;
}

int pfn_proof_open(struct pfn_proof *p, struct pfn_dma *dma, struct pfn_iommu *iommu,
		   struct pfn_iova_space *iovas, size_t len, struct pfn_err *err)
{
	uint64_t max = pfn_dma_max_size(dma), page = page_size();

	memset(p, 0, sizeof(*p));
	if (!max)
		return pfn_fail(err, EINVAL, "DMA proof needs an open DMA engine");
	if (len > PFN_PROOF_LEN_MAX)
		len = PFN_PROOF_LEN_MAX;
	if (len > max)
		len = (size_t)max;
	/* Whole 512-byte units: every built-in engine moves at least that. */
	len &= ~(size_t)511;
	if (!len)
		return pfn_fail(err, EINVAL, "DMA engine %s moves at most %llu bytes: too few for a proof",
				dma->ops->name, (unsigned long long)max);
	p->dma = dma;
	p->iommu = iommu;
	p->iovas = iovas;
	p->len = len;
	p->src_size = (len + page - 1) & ~(page - 1);
	p->next_seed = SEED_DMA_BASE;
	p->timeout_ms = PFN_PROOF_TIMEOUT_MS;
	return src_alloc(p, err);
}

void pfn_proof_close(struct pfn_proof *p)
{
	/* A source buffer the engine may still read is left mapped on purpose. */
	if (!p->dead)
		src_free(p);
	p->src = NULL;
	p->target = NULL;
}

void pfn_proof_set_target(struct pfn_proof *p, volatile void *cpu_view)
{
	p->target = cpu_view;
	p->canary = 0;
}

void pfn_proof_remap_target(struct pfn_proof *p, volatile void *cpu_view)
{
	p->target = cpu_view;
}

int pfn_proof_write_canary(struct pfn_proof *p, struct pfn_err *err)
{
	static uint32_t canary_series = SEED_CANARY_BASE;
	size_t at;

	if (!p->target)
		return pfn_fail(err, EINVAL, "DMA proof has no target to write a canary to");
	p->canary = ++canary_series;
	pfn_pattern_fill(p->target, p->len, p->canary);
	at = pfn_pattern_diff(p->target, p->len, p->canary);
	if (at != p->len)
		return pfn_fail(err, EIO,
				"the target does not hold what the CPU wrote (byte %zu of %zu differs): not memory, or not decoding",
				at, p->len);
	return 0;
}

/* After a timeout: recover the engine and never use that source buffer again. */
static void after_timeout(struct pfn_proof *p, struct pfn_proof_dma *d)
{
	struct pfn_err err;

	p->timeouts++;
	if (pfn_dma_recover(p->dma, &err)) {
		p->dead = true;
		snprintf(d->msg + strlen(d->msg), sizeof(d->msg) - strlen(d->msg),
			 "; recovery failed: %s", err.msg);
		return;
	}
	d->recovered = true;
	/* Quiesced: the old buffer can go, but a new one takes its place. */
	src_free(p);
	p->retired++;
	if (src_alloc(p, &err)) {
		p->dead = true;
		snprintf(d->msg + strlen(d->msg), sizeof(d->msg) - strlen(d->msg),
			 "; no new source buffer: %s", err.msg);
	}
}

void pfn_proof_prepare(struct pfn_proof *p, uint64_t dst_iova, struct pfn_proof_dma *d)
{
	memset(d, 0, sizeof(*d));
	d->seed = p->next_seed++;
	d->dst_iova = dst_iova;
	if (p->src)
		pfn_pattern_fill(p->src, p->len, d->seed);
}

int pfn_proof_send(struct pfn_proof *p, struct pfn_proof_dma *d)
{
	struct pfn_err err;
	int ret;

	if (p->dead || !p->src) {
		d->status = -EIO;
		snprintf(d->msg, sizeof(d->msg),
			 "the DMA engine timed out earlier and could not be recovered");
		return d->status;
	}
	p->dmas++;
	pfn_err_clear(&err);
	ret = pfn_dma_memcpy(p->dma, p->src_iova, d->dst_iova, p->len, p->timeout_ms, &err);
	d->status = ret;
	if (ret) {
		d->device_status = p->dma->last_status;
		snprintf(d->msg, sizeof(d->msg), "%s", err.msg[0] ? err.msg : strerror(-ret));
	}
	if (ret == -ETIMEDOUT)
		after_timeout(p, d);
	return d->status;
}

int pfn_proof_dma(struct pfn_proof *p, uint64_t dst_iova, struct pfn_proof_dma *d)
{
	pfn_proof_prepare(p, dst_iova, d);
	return pfn_proof_send(p, d);
}

enum pfn_proof_state pfn_proof_observe(const struct pfn_proof *p, const struct pfn_proof_dma *d,
				       size_t *first_diff)
{
	size_t at;

	if (first_diff)
		*first_diff = 0;
	if (pfn_pattern_diff(p->target, p->len, d->seed) == p->len)
		return PFN_PROOF_LANDED;
	at = p->canary ? pfn_pattern_diff(p->target, p->len, p->canary) : 0;
	if (p->canary && at == p->len)
		return PFN_PROOF_CANARY;
	if (first_diff)
		*first_diff = at;
	return PFN_PROOF_CHANGED;
}

int pfn_proof_control(struct pfn_proof *p, uint64_t dst_iova, const char *what,
		      struct pfn_err *err)
{
	struct pfn_proof_dma d;
	size_t at;
	int ret;

	ret = pfn_proof_write_canary(p, err);
	if (ret)
		return ret;
	ret = pfn_proof_dma(p, dst_iova, &d);
	if (ret == -ETIMEDOUT)
		return pfn_fail(err, ETIMEDOUT, "positive control %s: the DMA engine timed out: %s",
				what, d.msg);
	if (ret)
		return pfn_fail(err, EIO, "positive control %s: the DMA failed: %s", what, d.msg);
	switch (pfn_proof_observe(p, &d, &at)) {
	case PFN_PROOF_LANDED:
		return 0;
	case PFN_PROOF_CANARY:
		return pfn_fail(err, EIO,
				"positive control %s: the engine reported success but nothing landed (the target still holds the canary): the DMA engine or the mapping does not work",
				what);
	case PFN_PROOF_CHANGED:
		break;
	}
	return pfn_fail(err, EIO,
			"positive control %s: the engine reported success but the target holds neither the data nor the canary (byte %zu differs)",
			what, at);
}

const char *pfn_proof_state_name(enum pfn_proof_state state)
{
	switch (state) {
	case PFN_PROOF_LANDED:
		return "landed";
	case PFN_PROOF_CANARY:
		return "canary";
	case PFN_PROOF_CHANGED:
		break;
	}
	return "changed";
}

const char *pfn_proof_state_held(enum pfn_proof_state state)
{
	switch (state) {
	case PFN_PROOF_LANDED:
		return "its data";
	case PFN_PROOF_CANARY:
		return "the canary, byte for byte";
	case PFN_PROOF_CHANGED:
		break;
	}
	return "neither";
}

void pfn_proof_describe(const struct pfn_proof_dma *d, char *buf, size_t len)
{
	if (!d->status)
		snprintf(buf, len, "device reported success");
	else if (d->status == -ETIMEDOUT)
		snprintf(buf, len, "no completion in time (engine %s): %s",
			 d->recovered ? "recovered" : "not recovered", d->msg);
	else if (d->status == -EIO && d->device_status)
		snprintf(buf, len, "device reported an error (status %#x): %s", d->device_status,
			 d->msg);
	else
		snprintf(buf, len, "%s", d->msg);
}
