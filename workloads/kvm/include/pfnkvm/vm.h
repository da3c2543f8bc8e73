/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A minimal VM: one VM, one vCPU in 64-bit long mode, a 2 MiB RAM slot
 * holding page tables, mailbox and payload, and room for more memslots.
 * No in-kernel irqchip: HLT and port I/O exit to userspace.
 */
#ifndef PFNKVM_VM_H
#define PFNKVM_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pfn/error.h"
#include "pfnkvm/guest.h"

struct kvm_run;

#define PKVM_DEV_KVM "/dev/kvm"
#define PKVM_SLOT_RAM 0u
#define PKVM_SLOT_BAR 1u

/**
 * struct pkvm_vm - one VM with one vCPU
 * @kvm_fd: /dev/kvm
 * @vm_fd: the VM
 * @vcpu_fd: vCPU 0
 * @run: vCPU 0's shared kvm_run
 * @run_size: bytes mapped at @run
 * @ram: host mapping of the RAM slot (PKVM_RAM_SIZE bytes at GPA 0)
 * @map_end: the guest page tables identity-map [0, @map_end)
 * @memory2: the kernel has KVM_SET_USER_MEMORY_REGION2
 */
struct pkvm_vm {
	int kvm_fd;
	int vm_fd;
	int vcpu_fd;
	struct kvm_run *run;
	size_t run_size;
	uint8_t *ram;
	uint64_t map_end;
	bool memory2;
};

/**
 * pkvm_kvm_available() - can this process create VMs?
 * @err: why not: no /dev/kvm (no KVM in the kernel, or no hardware
 *	 virtualization: nested SVM needs ``-cpu max`` or ``svm=on``), no access,
 *	 or an unexpected API version
 *
 * Return: 0, -ENOENT without /dev/kvm, another -errno otherwise.
 */
int pkvm_kvm_available(struct pfn_err *err);

/**
 * pkvm_vm_create() - create the VM, its RAM slot and its vCPU in long mode
 * @vm: filled on success; on failure everything is released
 * @map_end: guest-physical bytes the guest page tables must map (rounded up
 *	to 1 GiB, at most PKVM_MAX_MAPPED_GIB GiB)
 * @err: error detail
 *
 * The vCPU starts at the payload (copied in) with RDI = the mailbox, whose
 * fields the caller fills through pkvm_vm_mailbox() before running it.
 *
 * Return: 0 or -errno.
 */
int pkvm_vm_create(struct pkvm_vm *vm, uint64_t map_end, struct pfn_err *err);

/** pkvm_vm_destroy() - release everything; safe on a zeroed or failed @vm. */
void pkvm_vm_destroy(struct pkvm_vm *vm);

/** pkvm_vm_mailbox() - the host's view of the mailbox in guest RAM. */
volatile struct pkvm_mailbox *pkvm_vm_mailbox(struct pkvm_vm *vm);

/** pkvm_vm_scratch() - the host's view of the guest's scratch page. */
volatile uint64_t *pkvm_vm_scratch(struct pkvm_vm *vm);

/**
 * pkvm_vm_set_slot() - KVM_SET_USER_MEMORY_REGION(2) of an ordinary slot
 * @vm: VM
 * @slot: slot number
 * @flags: KVM_MEM_* flags
 * @gpa: guest-physical start
 * @size: bytes (0 deletes the slot)
 * @hva: userspace address backing it
 * @err: error detail
 *
 * Return: 0 or -errno.
 */
int pkvm_vm_set_slot(struct pkvm_vm *vm, uint32_t slot, uint32_t flags, uint64_t gpa,
		     uint64_t size, void *hva, struct pfn_err *err);

/**
 * pkvm_vm_check_extension() - KVM_CHECK_EXTENSION on the VM
 * Return: the capability's value (0 when absent), or -errno.
 */
int pkvm_vm_check_extension(struct pkvm_vm *vm, long cap);

/**
 * pkvm_vm_reset_vcpu() - point the vCPU at the payload entry again
 * @vm: VM
 * @err: error detail
 *
 * For running the payload a second time in the same VM.
 * Return: 0 or -errno.
 */
int pkvm_vm_reset_vcpu(struct pkvm_vm *vm, struct pfn_err *err);

#endif /* PFNKVM_VM_H */
