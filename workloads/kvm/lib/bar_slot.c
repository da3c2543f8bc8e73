// SPDX-License-Identifier: GPL-2.0-only
/* A BAR slice in the guest: through the vfio mmap (VMA) or a dma-buf. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pfnkvm/bar_slot.h"
#include "pfnkvm/dmabuf_slot.h"
#include "pfnkvm/runner.h"

const char *pkvm_path_name(enum pkvm_path path)
{
	return path == PKVM_PATH_DMABUF ? "dmabuf" : "vma";
}

uint64_t pkvm_bar_gpa(uint64_t len)
{
	uint64_t gpa = PKVM_BAR_GPA_MIN;

	while (gpa < len)
		gpa <<= 1;
	return gpa;
}

static int add_vma(struct pkvm_bar_slot *s, struct pkvm_vm *vm, struct pkvm_target *t,
		   uint32_t mmap_flags, struct pfn_err *err)
{
	double t0;
	int ret;

	t0 = pkvm_now();
	ret = pfn_vfio_bar_mmap(&t->dev, t->bar, s->offset, s->len, s->align, mmap_flags,
				&s->host_view, err);
	s->map_us = (pkvm_now() - t0) * 1e6;
	if (ret) {
		s->host_view = NULL;
		return ret;
	}
	t0 = pkvm_now();
	ret = pkvm_vm_set_slot(vm, s->slot, 0, s->gpa, s->len, s->host_view, err);
	s->slot_us = (pkvm_now() - t0) * 1e6;
	s->slot_set = !ret;
	return ret;
}

static int add_dmabuf(struct pkvm_bar_slot *s, struct pkvm_vm *vm, struct pkvm_target *t,
		      struct pfn_err *err)
{
	struct pfn_range range = { s->offset, s->len };
	char why[PFN_ERR_MSG_MAX];
	struct pfn_err xerr;
	double t0;
	int ret;

	t0 = pkvm_now();
	ret = pfn_vfio_dmabuf_export(&t->dev, t->bar, &range, 1, O_RDWR | O_CLOEXEC, &xerr);
	s->map_us = (pkvm_now() - t0) * 1e6;
	if (ret < 0) {
		if (ret == -ENOTTY || ret == -EINVAL || ret == -EOPNOTSUPP)
			return pfn_fail(err, EOPNOTSUPP, "no vfio dma-buf export of %s BAR %u: %s",
					t->dev.bdf, t->bar, xerr.msg);
		return pfn_fail(err, -ret, "%s", xerr.msg);
	}
	s->dmabuf_fd = ret;
	ret = pkvm_dmabuf_slot_probe(vm, s->dmabuf_fd, why, sizeof(why));
	if (ret < 0)
		return pfn_fail(err, -ret, "probing dma-buf memslots: %s", why);
	if (ret == 0)
		return pfn_fail(err, EOPNOTSUPP, "%s", why);
	t0 = pkvm_now();
	ret = pkvm_dmabuf_slot_set(vm, s->slot, s->gpa, s->len, s->dmabuf_fd, 0, err);
	s->slot_us = (pkvm_now() - t0) * 1e6;
	s->slot_set = !ret;
	if (ret)
		return ret;
	/* The host observes the BAR through its own mmap. */
	return pfn_vfio_bar_mmap(&t->dev, t->bar, s->offset, s->len, s->align, 0, &s->host_view,
				 err);
}

int pkvm_bar_slot_add(struct pkvm_bar_slot *s, struct pkvm_vm *vm, struct pkvm_target *t,
		      enum pkvm_path path, uint64_t offset, uint64_t len, uint64_t align,
		      uint32_t mmap_flags, uint64_t gpa, struct pfn_err *err)
{
	int ret;

	memset(s, 0, sizeof(*s));
	s->path = path;
	s->slot = PKVM_SLOT_BAR;
	s->gpa = gpa;
	s->offset = offset;
	s->len = len;
	s->align = align;
	s->dmabuf_fd = -1;
	if (gpa + len > vm->map_end)
		return pfn_fail(err, EINVAL, "BAR slot [%#llx+%#llx] lies outside the guest's page tables",
				(unsigned long long)gpa, (unsigned long long)len);
	if (path == PKVM_PATH_VMA)
		ret = add_vma(s, vm, t, mmap_flags, err);
	else
		ret = add_dmabuf(s, vm, t, err);
	if (ret)
		pkvm_bar_slot_remove(s, vm);
	return ret;
}

int pkvm_bar_dmabuf_supported(struct pkvm_target *t, char *why, size_t len)
{
	struct pfn_range range = { 0, 4096 };
	struct pkvm_vm vm;
	struct pfn_err err;
	int fd, ret;

	fd = pfn_vfio_dmabuf_export(&t->dev, t->bar, &range, 1, O_RDWR | O_CLOEXEC, &err);
	if (fd < 0) {
		snprintf(why, len, "no vfio dma-buf export of %s BAR %u: %s", t->dev.bdf, t->bar,
			 err.msg);
		return fd == -ENOTTY || fd == -EINVAL || fd == -EOPNOTSUPP ? 0 : fd;
	}
	ret = pkvm_vm_create(&vm, PKVM_RAM_SIZE, &err);
	if (ret) {
		snprintf(why, len, "%s", err.msg);
		close(fd);
		return ret;
	}
	ret = pkvm_dmabuf_slot_probe(&vm, fd, why, len);
	pkvm_vm_destroy(&vm);
	close(fd);
	return ret;
}

void pkvm_bar_slot_remove(struct pkvm_bar_slot *s, struct pkvm_vm *vm)
{
	if (s->slot_set && vm->vm_fd >= 0) {
		if (s->path == PKVM_PATH_DMABUF)
			pkvm_dmabuf_slot_set(vm, s->slot, s->gpa, 0, s->dmabuf_fd, 0, NULL);
		else
			pkvm_vm_set_slot(vm, s->slot, 0, s->gpa, 0, NULL, NULL);
	}
	s->slot_set = false;
	if (s->host_view)
		munmap(s->host_view, s->len);
	s->host_view = NULL;
	if (s->dmabuf_fd >= 0)
		close(s->dmabuf_fd);
	s->dmabuf_fd = -1;
}

uint64_t pkvm_natural_align(uint64_t len)
{
	uint64_t align = 1ull << 30;

	while (align > len && align > 4096)
		align >>= 1;
	return align;
}
