/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * 64-bit long mode for the vCPU, as the KVM selftests set it up: identity
 * page tables, a flat GDT with a 64-bit code segment and a TSS, and the
 * control registers (CR0.PG|PE, CR4.PAE, EFER.LME|LMA).  Library-internal.
 */
#ifndef PFNKVM_LONGMODE_H
#define PFNKVM_LONGMODE_H

#include <stdint.h>

#include "pfn/error.h"

/**
 * pkvm_lm_build_memory() - write page tables, GDT and payload into @ram
 * @ram: the PKVM_RAM_SIZE bytes of guest RAM at GPA 0 (zeroed)
 * @map_end: bytes to identity-map with 2 MiB pages (rounded up to 1 GiB)
 * @err: error detail
 *
 * Return: 0 or -errno.
 */
int pkvm_lm_build_memory(uint8_t *ram, uint64_t map_end, struct pfn_err *err);

/** pkvm_lm_set_cpuid() - give the vCPU every CPUID leaf KVM supports (LM included). */
int pkvm_lm_set_cpuid(int kvm_fd, int vcpu_fd, struct pfn_err *err);

/**
 * pkvm_lm_set_registers() - long-mode segments and control registers,
 * RIP at the payload, RSP at the stack top, RDI at the mailbox
 */
int pkvm_lm_set_registers(int vcpu_fd, struct pfn_err *err);

#endif /* PFNKVM_LONGMODE_H */
