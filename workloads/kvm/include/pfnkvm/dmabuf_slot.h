/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The proposed UAPI for KVM memslots backed by a dma-buf (see README.md,
 * "dma-buf memslot UAPI proposal"), and its run-time probe.  Nothing here
 * is in Linux 7.3: on a stock kernel the probe reports why the path is
 * unavailable and every dma-buf memslot case is SKIP.
 *
 *   KVM_CAP_MEMSLOT_DMABUF   KVM_CHECK_EXTENSION > 0: the flag is accepted
 *   KVM_MEM_DMABUF           memslot flag for KVM_SET_USER_MEMORY_REGION2:
 *                            the slot is backed by @dmabuf_fd from
 *                            @dmabuf_offset; userspace_addr must be 0
 *   KVM_MEMORY_EXIT_FLAG_REVOKED
 *                            KVM_EXIT_MEMORY_FAULT flag: the access hit a
 *                            dma-buf slot whose exporter revoked it
 */
#ifndef PFNKVM_DMABUF_SLOT_H
#define PFNKVM_DMABUF_SLOT_H

#include <stddef.h>
#include <stdint.h>

#include "pfn/error.h"
#include "pfnkvm/vm.h"

#ifndef KVM_MEM_DMABUF
#define KVM_MEM_DMABUF			(1u << 3)
#endif
#ifndef KVM_CAP_MEMSLOT_DMABUF
#define KVM_CAP_MEMSLOT_DMABUF		252
#endif
#ifndef KVM_MEMORY_EXIT_FLAG_REVOKED
#define KVM_MEMORY_EXIT_FLAG_REVOKED	(1ull << 4)
#endif

/**
 * struct pkvm_region_dmabuf - struct kvm_userspace_memory_region2 with the
 * proposed fields (same size and layout; @dmabuf_fd takes pad1 and
 * @dmabuf_offset takes pad2[0])
 * @slot: slot number (address space in the upper 16 bits)
 * @flags: KVM_MEM_DMABUF, optionally KVM_MEM_READONLY
 * @guest_phys_addr: guest-physical start
 * @memory_size: bytes, page multiple, within the dma-buf
 * @userspace_addr: must be 0 with KVM_MEM_DMABUF
 * @guest_memfd_offset: must be 0 (no guest_memfd with KVM_MEM_DMABUF yet)
 * @guest_memfd: must be 0
 * @dmabuf_fd: the dma-buf
 * @dmabuf_offset: byte offset into the dma-buf, page aligned
 * @pad2: zero
 */
struct pkvm_region_dmabuf {
	uint32_t slot;
	uint32_t flags;
	uint64_t guest_phys_addr;
	uint64_t memory_size;
	uint64_t userspace_addr;
	uint64_t guest_memfd_offset;
	uint32_t guest_memfd;
	uint32_t dmabuf_fd;
	uint64_t dmabuf_offset;
	uint64_t pad2[13];
};

/**
 * pkvm_dmabuf_slot_set() - KVM_SET_USER_MEMORY_REGION2 with KVM_MEM_DMABUF
 * @vm: VM
 * @slot: slot number
 * @gpa: guest-physical start
 * @size: bytes (0 deletes the slot)
 * @dmabuf_fd: the dma-buf
 * @offset: offset into it
 * @err: error detail
 *
 * Return: 0 or -errno (-EINVAL from a kernel that does not know the flag).
 */
int pkvm_dmabuf_slot_set(struct pkvm_vm *vm, uint32_t slot, uint64_t gpa, uint64_t size,
			 int dmabuf_fd, uint64_t offset, struct pfn_err *err);

/**
 * pkvm_dmabuf_slot_set_raw() - KVM_SET_USER_MEMORY_REGION2 of @r exactly as
 * given (for argument-checking cases)
 * Return: 0 or -errno.
 */
int pkvm_dmabuf_slot_set_raw(struct pkvm_vm *vm, const struct pkvm_region_dmabuf *r);

/**
 * pkvm_dmabuf_slot_probe() - does this kernel take dma-buf memslots?
 * @vm: a VM (a scratch slot is created and deleted in it)
 * @dmabuf_fd: a dma-buf of at least one page, or -1 to probe the cap only
 * @why: receives the reason when it does not (one line)
 * @len: size of @why
 *
 * Checks KVM_CAP_MEMSLOT_DMABUF, then tries the flag for real: a kernel
 * that reports the cap but refuses the flag is not running the proposal.
 * Return: 1 when supported, 0 when not (@why says why), -errno when the
 * probe itself failed.
 */
int pkvm_dmabuf_slot_probe(struct pkvm_vm *vm, int dmabuf_fd, char *why, size_t len);

#endif /* PFNKVM_DMABUF_SLOT_H */
