// SPDX-License-Identifier: GPL-2.0-only
/*
 * VM, RAM slot and vCPU creation.  The long-mode register state and the
 * guest page tables are in longmode.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "longmode.h"
#include "pfnkvm/vm.h"

int pkvm_kvm_available(struct pfn_err *err)
{
	int fd, ver, ret = 0;

	fd = open(PKVM_DEV_KVM, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return pfn_fail(err, ENOENT,
					"no %s: the kernel has no KVM, or the CPU offers no virtualization (under QEMU use -cpu max for nested SVM; kvm_intel needs VMX, which TCG lacks)",
					PKVM_DEV_KVM);
		return pfn_fail_errno(err, "open %s", PKVM_DEV_KVM);
	}
	ver = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (ver != KVM_API_VERSION)
		ret = pfn_fail(err, ENOTSUP, "KVM API version %d, expected %d", ver,
			       KVM_API_VERSION);
	close(fd);
	return ret;
}

int pkvm_vm_check_extension(struct pkvm_vm *vm, long cap)
{
	int ret = ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, cap);

	return ret < 0 ? -errno : ret;
}

int pkvm_vm_set_slot(struct pkvm_vm *vm, uint32_t slot, uint32_t flags, uint64_t gpa,
		     uint64_t size, void *hva, struct pfn_err *err)
{
	struct kvm_userspace_memory_region2 r2 = {
		.slot = slot,
		.flags = flags,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)hva,
	};
	struct kvm_userspace_memory_region r1 = {
		.slot = slot,
		.flags = flags,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)hva,
	};
	int ret;

	if (vm->memory2)
		ret = ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION2, &r2);
	else
		ret = ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r1);
	if (ret)
		return pfn_fail_errno(err, "KVM_SET_USER_MEMORY_REGION%s slot %u gpa %#llx size %#llx",
				      vm->memory2 ? "2" : "", slot, (unsigned long long)gpa,
				      (unsigned long long)size);
	return 0;
}

volatile struct pkvm_mailbox *pkvm_vm_mailbox(struct pkvm_vm *vm)
{
	return (volatile struct pkvm_mailbox *)(vm->ram + PKVM_MAILBOX_GPA);
}

volatile uint64_t *pkvm_vm_scratch(struct pkvm_vm *vm)
{
	return (volatile uint64_t *)(vm->ram + PKVM_SCRATCH_GPA);
}

static int create_vcpu(struct pkvm_vm *vm, struct pfn_err *err)
{
	int size;

	vm->vcpu_fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0);
	if (vm->vcpu_fd < 0)
		return pfn_fail_errno(err, "KVM_CREATE_VCPU");
	size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(struct kvm_run))
		return pfn_fail_errno(err, "KVM_GET_VCPU_MMAP_SIZE returned %d", size);
	vm->run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu_fd, 0);
	if (vm->run == MAP_FAILED) {
		vm->run = NULL;
		return pfn_fail_errno(err, "mmap of the vCPU's kvm_run");
	}
	vm->run_size = (size_t)size;
	return 0;
}

int pkvm_vm_create(struct pkvm_vm *vm, uint64_t map_end, struct pfn_err *err)
{
	int ret;

	memset(vm, 0, sizeof(*vm));
	vm->kvm_fd = vm->vm_fd = vm->vcpu_fd = -1;
	if (map_end > PKVM_MAX_MAPPED_GIB << 30)
		return pfn_fail(err, EINVAL, "guest would need %#llx bytes mapped; at most %llu GiB",
				(unsigned long long)map_end, PKVM_MAX_MAPPED_GIB);
	vm->map_end = map_end < PKVM_RAM_SIZE ? PKVM_RAM_SIZE : map_end;

	vm->kvm_fd = open(PKVM_DEV_KVM, O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		ret = pkvm_kvm_available(err);
		return ret ? ret : pfn_fail_errno(err, "open %s", PKVM_DEV_KVM);
	}
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		ret = pfn_fail_errno(err, "KVM_CREATE_VM");
		goto fail;
	}
	vm->memory2 = ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY2) > 0;

	vm->ram = mmap(NULL, PKVM_RAM_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->ram == MAP_FAILED) {
		vm->ram = NULL;
		ret = pfn_fail_errno(err, "allocating %llu bytes of guest RAM",
				     (unsigned long long)PKVM_RAM_SIZE);
		goto fail;
	}
	ret = pkvm_lm_build_memory(vm->ram, vm->map_end, err);
	if (ret)
		goto fail;
	ret = pkvm_vm_set_slot(vm, PKVM_SLOT_RAM, 0, 0, PKVM_RAM_SIZE, vm->ram, err);
	if (ret)
		goto fail;
	ret = create_vcpu(vm, err);
	if (ret)
		goto fail;
	ret = pkvm_lm_set_cpuid(vm->kvm_fd, vm->vcpu_fd, err);
	if (ret)
		goto fail;
	ret = pkvm_vm_reset_vcpu(vm, err);
	if (ret)
		goto fail;
	return 0;
fail:
	pkvm_vm_destroy(vm);
	return ret;
}

int pkvm_vm_reset_vcpu(struct pkvm_vm *vm, struct pfn_err *err)
{
	return pkvm_lm_set_registers(vm->vcpu_fd, err);
}

void pkvm_vm_destroy(struct pkvm_vm *vm)
{
	if (vm->run)
		munmap(vm->run, vm->run_size);
	vm->run = NULL;
	if (vm->vcpu_fd >= 0)
		close(vm->vcpu_fd);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	vm->vcpu_fd = vm->vm_fd = vm->kvm_fd = -1;
	if (vm->ram)
		munmap(vm->ram, PKVM_RAM_SIZE);
	vm->ram = NULL;
}
