/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Putting a BAR into the guest, by one of two paths:
 *
 *  - VMA: mmap the BAR through vfio-pci (at a chosen user alignment, so
 *    that the fault handler can insert 2 MiB / 1 GiB PFN mappings) and make
 *    that mmap an ordinary memslot's userspace_addr.  KVM resolves guest
 *    faults through hva_to_pfn_remapped(): this is what Linux 7.3 offers.
 *  - dma-buf: export the BAR slice as a vfio dma-buf and hand the fd to
 *    KVM in a KVM_MEM_DMABUF memslot (proposed UAPI, dmabuf_slot.h).
 *
 * Either way the host keeps its own mmap of the slice (@host_view) to
 * observe the BAR; it must only be touched while PCI memory is enabled.
 */
#ifndef PFNKVM_BAR_SLOT_H
#define PFNKVM_BAR_SLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pfn/error.h"
#include "pfnkvm/target.h"
#include "pfnkvm/vm.h"

/**
 * enum pkvm_path - how the BAR reaches the guest
 * @PKVM_PATH_VMA: vfio mmap + ordinary memslot
 * @PKVM_PATH_DMABUF: vfio dma-buf + KVM_MEM_DMABUF memslot
 */
enum pkvm_path {
	PKVM_PATH_VMA,
	PKVM_PATH_DMABUF,
};

/** pkvm_path_name() - "vma" or "dmabuf". */
const char *pkvm_path_name(enum pkvm_path path);

/**
 * struct pkvm_bar_slot - a BAR slice mapped into the guest
 * @path: how
 * @slot: memslot number
 * @gpa: guest-physical address of the slice
 * @offset: offset of the slice in the BAR
 * @len: bytes
 * @align: user alignment of the VMA path's mmap
 * @host_view: host mmap of the slice (the memslot's backing on the VMA path)
 * @dmabuf_fd: the dma-buf (dma-buf path), -1 otherwise
 * @map_us: microseconds to mmap the slice (VMA path) or export it (dma-buf)
 * @slot_us: microseconds KVM_SET_USER_MEMORY_REGION2 took for the slot
 * @slot_set: the memslot exists
 */
struct pkvm_bar_slot {
	enum pkvm_path path;
	uint32_t slot;
	uint64_t gpa;
	uint64_t offset;
	uint64_t len;
	uint64_t align;
	void *host_view;
	int dmabuf_fd;
	double map_us;
	double slot_us;
	bool slot_set;
};

/**
 * pkvm_bar_gpa() - where a slice of @len bytes goes in the guest: 1 GiB, or
 * @len rounded up to a power of two when that is larger (natural alignment)
 */
uint64_t pkvm_bar_gpa(uint64_t len);

/**
 * pkvm_bar_slot_add() - map [@offset, @offset + @len) of the target's BAR
 * at @gpa in the guest through @path
 * @s: filled on success
 * @vm: VM
 * @t: target
 * @path: PKVM_PATH_VMA or PKVM_PATH_DMABUF
 * @offset: page-aligned offset in the BAR
 * @len: page-multiple bytes
 * @align: VMA path: user alignment of the mmap (also used for @host_view)
 * @mmap_flags: PFN_MMAP_EXACT_ALIGN or 0
 * @gpa: guest-physical address (aligned at least like @align)
 * @err: error detail; -EOPNOTSUPP on the dma-buf path when the kernel has
 *	 no dma-buf memslots or no vfio dma-buf export
 *
 * Return: 0 or -errno.
 */
int pkvm_bar_slot_add(struct pkvm_bar_slot *s, struct pkvm_vm *vm, struct pkvm_target *t,
		      enum pkvm_path path, uint64_t offset, uint64_t len, uint64_t align,
		      uint32_t mmap_flags, uint64_t gpa, struct pfn_err *err);

/**
 * pkvm_natural_align() - the largest power of two, from 4 KiB up to 1 GiB,
 * that is not above @len: the alignment a @len-byte slice labels a
 * dma-buf memslot with (no VMA reaches the guest on that path)
 * @len: slice length in bytes
 */
uint64_t pkvm_natural_align(uint64_t len);

/**
 * pkvm_bar_dmabuf_supported() - can the target's BAR reach a guest through
 * a dma-buf memslot on this kernel?
 * @t: target (a one-page dma-buf of its BAR is exported for the probe)
 * @why: receives the reason when not (one line, names the missing piece)
 * @len: size of @why
 *
 * Return: 1 yes, 0 no (@why says why), -errno when the probe failed.
 */
int pkvm_bar_dmabuf_supported(struct pkvm_target *t, char *why, size_t len);

/** pkvm_bar_slot_remove() - delete the memslot, unmap, close; safe to repeat. */
void pkvm_bar_slot_remove(struct pkvm_bar_slot *s, struct pkvm_vm *vm);

#endif /* PFNKVM_BAR_SLOT_H */
