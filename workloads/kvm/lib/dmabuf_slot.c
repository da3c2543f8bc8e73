// SPDX-License-Identifier: GPL-2.0-only
/* The proposed KVM_MEM_DMABUF memslot: setting one, and probing for it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/kvm.h>

#include "pfnkvm/dmabuf_slot.h"

/* A scratch slot number for the probe, far from the ones pfn-kvm uses. */
#define PROBE_SLOT 31u
#define PROBE_GPA (PKVM_MAX_MAPPED_GIB << 30)
#define PROBE_SIZE 4096ull

_Static_assert(sizeof(struct pkvm_region_dmabuf) == sizeof(struct kvm_userspace_memory_region2),
	       "the proposal keeps the size of kvm_userspace_memory_region2");
_Static_assert(__builtin_offsetof(struct pkvm_region_dmabuf, dmabuf_fd) ==
	       __builtin_offsetof(struct kvm_userspace_memory_region2, pad1),
	       "dmabuf_fd takes pad1");
_Static_assert(__builtin_offsetof(struct pkvm_region_dmabuf, dmabuf_offset) ==
	       __builtin_offsetof(struct kvm_userspace_memory_region2, pad2),
	       "dmabuf_offset takes pad2[0]");
_Static_assert(__builtin_offsetof(struct pkvm_region_dmabuf, guest_memfd) ==
	       __builtin_offsetof(struct kvm_userspace_memory_region2, guest_memfd),
	       "same layout up to guest_memfd");

int pkvm_dmabuf_slot_set(struct pkvm_vm *vm, uint32_t slot, uint64_t gpa, uint64_t size,
			 int dmabuf_fd, uint64_t offset, struct pfn_err *err)
{
	struct pkvm_region_dmabuf r = {
		.slot = slot,
		.flags = KVM_MEM_DMABUF,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.dmabuf_fd = (uint32_t)dmabuf_fd,
		.dmabuf_offset = offset,
	};

	if (!vm->memory2)
		return pfn_fail(err, EOPNOTSUPP,
				"the kernel has no KVM_SET_USER_MEMORY_REGION2 (KVM_CAP_USER_MEMORY2)");
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION2, &r))
		return pfn_fail_errno(err, "KVM_SET_USER_MEMORY_REGION2 (KVM_MEM_DMABUF) slot %u gpa %#llx size %#llx",
				      slot, (unsigned long long)gpa, (unsigned long long)size);
	return 0;
}

int pkvm_dmabuf_slot_set_raw(struct pkvm_vm *vm, const struct pkvm_region_dmabuf *r)
{
	return ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION2, r) ? -errno : 0;
}

int pkvm_dmabuf_slot_probe(struct pkvm_vm *vm, int dmabuf_fd, char *why, size_t len)
{
	struct pfn_err err;
	int cap, ret;

	why[0] = '\0';
	if (!vm->memory2) {
		snprintf(why, len,
			 "no dma-buf memslots: the kernel lacks KVM_SET_USER_MEMORY_REGION2 (KVM_CAP_USER_MEMORY2)");
		return 0;
	}
	cap = pkvm_vm_check_extension(vm, KVM_CAP_MEMSLOT_DMABUF);
	if (cap < 0) {
		snprintf(why, len, "KVM_CHECK_EXTENSION failed: %s", strerror(-cap));
		return cap;
	}
	if (dmabuf_fd < 0) {
		if (!cap)
			snprintf(why, len,
				 "no dma-buf memslots: KVM_CHECK_EXTENSION(KVM_CAP_MEMSLOT_DMABUF = %d, proposed) is 0",
				 KVM_CAP_MEMSLOT_DMABUF);
		return cap > 0;
	}
	ret = pkvm_dmabuf_slot_set(vm, PROBE_SLOT, PROBE_GPA, PROBE_SIZE, dmabuf_fd, 0, &err);
	if (!ret) {
		pkvm_dmabuf_slot_set(vm, PROBE_SLOT, PROBE_GPA, 0, dmabuf_fd, 0, NULL);
		if (cap > 0)
			return 1;
		snprintf(why, len,
			 "the kernel takes KVM_MEM_DMABUF but does not report KVM_CAP_MEMSLOT_DMABUF (%d): not the proposed UAPI",
			 KVM_CAP_MEMSLOT_DMABUF);
		return 0;
	}
	if (!cap)
		snprintf(why, len,
			 "no dma-buf memslots in this kernel: KVM_CHECK_EXTENSION(KVM_CAP_MEMSLOT_DMABUF = %d, proposed) is 0 and KVM_SET_USER_MEMORY_REGION2 with KVM_MEM_DMABUF (%#x) fails with %s",
			 KVM_CAP_MEMSLOT_DMABUF, KVM_MEM_DMABUF,
			 strerrorname_np(err.code) ? strerrorname_np(err.code) : "?");
	else
		snprintf(why, len,
			 "the kernel reports capability %d but refuses KVM_MEM_DMABUF (%s): not the proposed UAPI",
			 KVM_CAP_MEMSLOT_DMABUF, err.msg);
	return 0;
}
