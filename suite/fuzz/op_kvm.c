// SPDX-License-Identifier: GPL-2.0-only
/* Fuzz calls on KVM: KVM_SET_USER_MEMORY_REGION2 with the dma-buf memslot fields. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/kvm.h>

#include "fuzz.h"
#include "pfnkvm/dmabuf_slot.h"

#define GPA_BASE (1ull << 32)

static uint32_t gen_flags(struct fuzz_rng *r)
{
	switch (fuzz_below(r, 10)) {
	case 0: return KVM_MEM_DMABUF | KVM_MEM_READONLY;
	case 1: return KVM_MEM_DMABUF | (uint32_t)fuzz_u64(r);
	case 2: return (uint32_t)fuzz_u64(r);
	default: return KVM_MEM_DMABUF;
	}
}

/* The rule by which the kernel must refuse @s, NULL when any outcome is allowed. */
static const char *slot_rule(const struct fuzz_world *w, const struct pkvm_region_dmabuf *s,
			     const struct fuzz_dmabuf *buf)
{
	uint64_t page = w->ctx->page, end;

	if ((s->flags & ~KVM_MEM_READONLY) != KVM_MEM_DMABUF || !s->memory_size)
		return NULL;	/* another kind of slot, or a delete */
	if (s->userspace_addr)
		return "KVM-uaddr-with-dmabuf";
	if (s->guest_memfd || s->guest_memfd_offset)
		return "KVM-guest-memfd-with-dmabuf";
	if (!buf)
		return "KVM-fd-kind";
	if ((s->guest_phys_addr | s->memory_size | s->dmabuf_offset) & (page - 1))
		return "KVM-unaligned";
	if (__builtin_add_overflow(s->dmabuf_offset, s->memory_size, &end) || end > buf->size)
		return "KVM-past-dmabuf";
	if (!buf->writable && !(s->flags & KVM_MEM_READONLY))
		return "KVM-write-readonly-dmabuf";	/* SPEC.md KVM-8 */
	return NULL;
}

void fuzz_op_kvm_slot(struct fuzz_world *w, struct fuzz_rng *r, struct fuzz_call *c)
{
	struct pkvm_region_dmabuf s;
	const struct fuzz_dmabuf *buf;
	uint64_t page = w->ctx->page, size, pages;
	char fdname[32];
	long ret;

	if (w->vm < 0) {
		snprintf(c->desc, sizeof(c->desc), "no VM: %s", w->unavailable[FUZZ_KVM_SLOT]);
		return;
	}
	memset(&s, 0, sizeof(s));
	s.dmabuf_fd = (uint32_t)fuzz_world_fd(w, r, fdname, sizeof(fdname), &buf);
	size = buf ? buf->size : page;
	pages = size / page ? size / page : 1;
	s.slot = fuzz_below(r, 10) ? (uint32_t)fuzz_below(r, 4) : (uint32_t)fuzz_edge(r, 1u << 16, 1);
	s.flags = gen_flags(r);
	s.guest_phys_addr = fuzz_below(r, 10) < 8 ? GPA_BASE + fuzz_below(r, 64) * page * 16 :
			    fuzz_edge(r, GPA_BASE, page);
	if (fuzz_below(r, 10) < 7) {
		uint64_t at = fuzz_below(r, pages);

		s.dmabuf_offset = at * page;
		s.memory_size = (1 + fuzz_below(r, pages - at < 16 ? pages - at : 16)) * page;
	} else {
		s.dmabuf_offset = fuzz_one_in(r, 2) ? fuzz_edge(r, size, page) : 0;
		s.memory_size = fuzz_one_in(r, 4) ? 0 : fuzz_edge(r, size, page);
	}
	if (fuzz_one_in(r, 10))
		s.userspace_addr = fuzz_edge(r, 1ull << 40, page);
	if (fuzz_one_in(r, 20))
		s.guest_memfd = (uint32_t)fuzz_u64(r);
	snprintf(c->desc, sizeof(c->desc),
		 "slot=%#x flags=%#x gpa=%#llx size=%#llx uaddr=%#llx guest_memfd=%u fd=%s offset=%#llx",
		 s.slot, s.flags, (unsigned long long)s.guest_phys_addr,
		 (unsigned long long)s.memory_size, (unsigned long long)s.userspace_addr,
		 s.guest_memfd, fdname, (unsigned long long)s.dmabuf_offset);
	c->must_fail = slot_rule(w, &s, buf);

	fuzz_issue(w, c);
	ret = ioctl(w->vm, KVM_SET_USER_MEMORY_REGION2, &s);
	fuzz_call_ret(c, ret);
}
