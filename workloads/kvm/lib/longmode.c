// SPDX-License-Identifier: GPL-2.0-only
/* Long-mode setup of the vCPU: page tables, GDT, CPUID, registers. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/kvm.h>

#include "longmode.h"
#include "pfnkvm/guest.h"

#define PTE_PRESENT	(1ull << 0)
#define PTE_WRITE	(1ull << 1)
#define PTE_LARGE	(1ull << 7)

#define CR0_PE		(1ull << 0)
#define CR0_MP		(1ull << 1)
#define CR0_ET		(1ull << 4)
#define CR0_NE		(1ull << 5)
#define CR0_WP		(1ull << 16)
#define CR0_AM		(1ull << 18)
#define CR0_PG		(1ull << 31)
#define CR4_PAE		(1ull << 5)
#define CR4_OSFXSR	(1ull << 9)
#define CR4_OSXMMEXCPT	(1ull << 10)
#define EFER_SCE	(1ull << 0)
#define EFER_LME	(1ull << 8)
#define EFER_LMA	(1ull << 10)

#define SEL_CODE	0x08
#define SEL_DATA	0x10
#define SEL_TSS		0x18
#define TSS_LIMIT	0x67
#define GDT_ENTRIES	5	/* null, code, data, TSS (two slots) */

int pkvm_lm_build_memory(uint8_t *ram, uint64_t map_end, struct pfn_err *err)
{
	uint64_t gib = (map_end + (1ull << 30) - 1) >> 30;
	uint64_t *pml4 = (uint64_t *)(ram + PKVM_PML4_GPA);
	uint64_t *pdpt = (uint64_t *)(ram + PKVM_PDPT_GPA);
	uint64_t *gdt = (uint64_t *)(ram + PKVM_GDT_GPA);
	uint64_t code = pkvm_guest_code_size();
	uint64_t tss = PKVM_TSS_GPA;

	if (gib > PKVM_MAX_MAPPED_GIB)
		return pfn_fail(err, EINVAL, "cannot map %llu GiB in the guest (max %llu)",
				(unsigned long long)gib, PKVM_MAX_MAPPED_GIB);
	if (code > PKVM_CODE_MAX)
		return pfn_fail(err, E2BIG, "payload of %llu bytes does not fit",
				(unsigned long long)code);

	/* Identity map [0, gib GiB) with 2 MiB pages: one PD per GiB. */
	pml4[0] = PKVM_PDPT_GPA | PTE_PRESENT | PTE_WRITE;
	for (uint64_t i = 0; i < gib; i++) {
		uint64_t pd_gpa = PKVM_PD_GPA + i * 0x1000;
		uint64_t *pd = (uint64_t *)(ram + pd_gpa);

		pdpt[i] = pd_gpa | PTE_PRESENT | PTE_WRITE;
		for (uint64_t j = 0; j < 512; j++)
			pd[j] = (i << 30 | j << 21) | PTE_PRESENT | PTE_WRITE | PTE_LARGE;
	}

	/* Flat GDT: 64-bit code, data, and a 64-bit TSS descriptor. */
	gdt[1] = 0x00af9b000000ffffull;
	gdt[2] = 0x00cf93000000ffffull;
	gdt[3] = (TSS_LIMIT & 0xffff) | (tss & 0xffffff) << 16 | 0x89ull << 40 |
		 ((uint64_t)TSS_LIMIT >> 16 & 0xf) << 48 | (tss >> 24 & 0xff) << 56;
	gdt[4] = tss >> 32;

	memcpy(ram + PKVM_CODE_GPA, pkvm_guest_code_start, code);
	return 0;
}

int pkvm_lm_set_cpuid(int kvm_fd, int vcpu_fd, struct pfn_err *err)
{
	struct kvm_cpuid2 *cpuid = NULL;
	int ret, nent = 64;

	for (;;) {
		free(cpuid);
		cpuid = calloc(1, sizeof(*cpuid) + (size_t)nent * sizeof(cpuid->entries[0]));
		if (!cpuid)
			return pfn_fail(err, ENOMEM, "allocating CPUID entries");
		cpuid->nent = (uint32_t)nent;
		if (!ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid))
			break;
		if (errno != E2BIG || nent >= 4096) {
			ret = pfn_fail_errno(err, "KVM_GET_SUPPORTED_CPUID");
			free(cpuid);
			return ret;
		}
		nent *= 2;
	}
	ret = ioctl(vcpu_fd, KVM_SET_CPUID2, cpuid) ? pfn_fail_errno(err, "KVM_SET_CPUID2") : 0;
	free(cpuid);
	return ret;
}

static void segment(struct kvm_segment *s, uint16_t selector, uint8_t type, bool code)
{
	memset(s, 0, sizeof(*s));
	s->base = 0;
	s->limit = 0xffffffff;
	s->selector = selector;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->g = 1;
	s->l = code;
	s->db = !code;
}

int pkvm_lm_set_registers(int vcpu_fd, struct pfn_err *err)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (ioctl(vcpu_fd, KVM_GET_SREGS, &sregs))
		return pfn_fail_errno(err, "KVM_GET_SREGS");
	segment(&sregs.cs, SEL_CODE, 0xb, true);
	segment(&sregs.ds, SEL_DATA, 0x3, false);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	memset(&sregs.tr, 0, sizeof(sregs.tr));
	sregs.tr.base = PKVM_TSS_GPA;
	sregs.tr.limit = TSS_LIMIT;
	sregs.tr.selector = SEL_TSS;
	sregs.tr.type = 0xb;	/* busy 64-bit TSS */
	sregs.tr.present = 1;
	sregs.gdt.base = PKVM_GDT_GPA;
	sregs.gdt.limit = GDT_ENTRIES * 8 - 1;
	sregs.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_PG;
	sregs.cr3 = PKVM_PML4_GPA;
	sregs.cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
	sregs.efer = EFER_SCE | EFER_LME | EFER_LMA;
	if (ioctl(vcpu_fd, KVM_SET_SREGS, &sregs))
		return pfn_fail_errno(err, "KVM_SET_SREGS (long mode)");

	memset(&regs, 0, sizeof(regs));
	regs.rflags = 0x2;
	regs.rip = PKVM_CODE_GPA;
	regs.rsp = PKVM_STACK_TOP;
	regs.rdi = PKVM_MAILBOX_GPA;
	if (ioctl(vcpu_fd, KVM_SET_REGS, &regs))
		return pfn_fail_errno(err, "KVM_SET_REGS");
	return 0;
}
