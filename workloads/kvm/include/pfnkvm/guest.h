/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest side of pfn-kvm: the guest-physical layout, the mailbox the
 * host and the guest share, the I/O ports the guest reports through, and
 * the 64-bit payload (assembled into the host binary, copied into guest RAM).
 *
 * The guest runs in long mode from its first instruction, with every
 * guest-physical address it uses identity-mapped (GVA == GPA) by 2 MiB pages.
 */
#ifndef PFNKVM_GUEST_H
#define PFNKVM_GUEST_H

#include <stdint.h>

#include "pfn/error.h"

/* Guest-physical layout of the RAM slot (slot 0, at GPA 0). */
#define PKVM_RAM_SIZE		(2ull << 20)
#define PKVM_PML4_GPA		0x1000ull
#define PKVM_PDPT_GPA		0x2000ull
#define PKVM_PD_GPA		0x3000ull	/* one page directory per GiB mapped */
#define PKVM_MAX_MAPPED_GIB	64ull
#define PKVM_GDT_GPA		0x50000ull
#define PKVM_TSS_GPA		0x51000ull
#define PKVM_MAILBOX_GPA	0x60000ull
#define PKVM_SCRATCH_GPA	0x80000ull
#define PKVM_SCRATCH_WORDS	512u		/* one page of 64-bit words */
#define PKVM_CODE_GPA		0x100000ull
#define PKVM_CODE_MAX		0x10000ull
#define PKVM_STACK_TOP		0x1ff000ull

/* Where BARs go: at or above 1 GiB, aligned so that huge mappings fit. */
#define PKVM_BAR_GPA_MIN	(1ull << 30)

/* What the payload does (mailbox ->mode). */
#define PKVM_MODE_SWEEP		1	/* passes of read+write at a stride */
#define PKVM_MODE_SEQUENCE	2	/* write an increasing sequence number */
#define PKVM_MODE_PROBE		3	/* copy words to scratch, write complements */

/* I/O ports the guest writes (OUT, 32-bit; each is a KVM_EXIT_IO). */
#define PKVM_PORT_START		0x10	/* before the first BAR access */
#define PKVM_PORT_FIRST		0x11	/* after the first BAR access (sweep) */
#define PKVM_PORT_PASS		0x12	/* after each pass; value: passes done */
#define PKVM_PORT_PROGRESS	0x13	/* every report_every accesses/writes */
#define PKVM_PORT_DONE		0x14	/* finished; then HLT */
#define PKVM_PORT_CALIB		0x15	/* sweep: right before START, no work between */

/* Mailbox field offsets (the payload is assembled against these). */
#define PKVM_MB_MODE		0x00
#define PKVM_MB_BASE		0x08
#define PKVM_MB_LEN		0x10
#define PKVM_MB_STRIDE		0x18
#define PKVM_MB_COUNT		0x20
#define PKVM_MB_REPORT		0x28
#define PKVM_MB_STOP		0x30
#define PKVM_MB_PROGRESS	0x38
#define PKVM_MB_FIRST		0x40
#define PKVM_MB_CHECKSUM	0x48
#define PKVM_MB_STATUS		0x50

/**
 * struct pkvm_mailbox - shared between host and guest, at PKVM_MAILBOX_GPA
 * @mode: PKVM_MODE_*
 * @base: guest address of the first BAR byte the payload touches
 * @len: bytes of BAR a sweep pass covers (a multiple of @stride)
 * @stride: bytes between accesses (a multiple of 8)
 * @count: sweep: passes; sequence: the last sequence number it writes;
 *	   probe: words to copy (at most PKVM_SCRATCH_WORDS)
 * @report_every: accesses (sweep) or writes (sequence) between two
 *	   PKVM_PORT_PROGRESS exits; UINT64_MAX for none
 * @stop: the host sets it non-zero to end the loop (checked every access)
 * @progress: sweep: accesses done (at each report and pass end); sequence:
 *	   the last sequence number written to the BAR (stored right after it);
 *	   probe: words done at the end.  Sequence starts from its value.
 * @first: sweep: the first 64-bit word read from the BAR
 * @checksum: sweep: sum of every word read
 * @status: 1 once the payload finished
 *
 * Each sweep access reads a 64-bit word and writes the pass number back:
 * 16 bytes moved per access.
 */
struct pkvm_mailbox {
	uint64_t mode;
	uint64_t base;
	uint64_t len;
	uint64_t stride;
	uint64_t count;
	uint64_t report_every;
	uint64_t stop;
	uint64_t progress;
	uint64_t first;
	uint64_t checksum;
	uint64_t status;
};

/* The payload's machine code, between these two symbols. */
extern const unsigned char pkvm_guest_code_start[];
extern const unsigned char pkvm_guest_code_end[];

/**
 * pkvm_guest_code_size() - bytes of payload machine code
 *
 * Return: the size, always below PKVM_CODE_MAX.
 */
uint64_t pkvm_guest_code_size(void);

#endif /* PFNKVM_GUEST_H */
