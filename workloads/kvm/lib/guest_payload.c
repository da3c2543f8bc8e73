// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest payload: 64-bit machine code assembled into the host binary by
 * the host's assembler (no separate build step) and copied to PKVM_CODE_GPA.
 * It is position independent and uses no stack, no interrupts and no
 * memory but the mailbox (RDI on entry), the scratch page and the BAR.
 * Register use: RSI = BAR base, RBX = offset, R8 = length (sweep) or
 * scratch base (probe), R9 = stride, R10 = count, R11 = pass, R12 = accesses
 * or sequence, R13 = checksum, R14/R15 = report interval / countdown.
 */
#include "pfnkvm/guest.h"

#define STR_(x) #x
#define STR(x) STR_(x)
#define MB(field) STR(PKVM_MB_##field) "(%rdi)"
#define OUT(port) "\tmov $" STR(port) ", %edx\n\toutl %eax, %dx\n"

_Static_assert(__builtin_offsetof(struct pkvm_mailbox, mode) == PKVM_MB_MODE, "mailbox");
_Static_assert(__builtin_offsetof(struct pkvm_mailbox, base) == PKVM_MB_BASE, "mailbox");
_Static_assert(__builtin_offsetof(struct pkvm_mailbox, len) == PKVM_MB_LEN, "mailbox");
_Static_assert(__builtin_offsetof(struct pkvm_mailbox, stride) == PKVM_MB_STRIDE, "mailbox");
_Static_assert(__builtin_offsetof(struct pkvm_mailbox, count) == PKVM_MB_COUNT, "mailbox");
_Static_assert(__builtin_offsetof(struct pkvm_mailbox, report_every) == PKVM_MB_REPORT,
	       "mailbox");
_Static_assert(__builtin_offsetof(struct pkvm_mailbox, stop) == PKVM_MB_STOP, "mailbox");
_Static_assert(__builtin_offsetof(struct pkvm_mailbox, progress) == PKVM_MB_PROGRESS,
	       "mailbox");
_Static_assert(__builtin_offsetof(struct pkvm_mailbox, first) == PKVM_MB_FIRST, "mailbox");
_Static_assert(__builtin_offsetof(struct pkvm_mailbox, checksum) == PKVM_MB_CHECKSUM,
	       "mailbox");
_Static_assert(__builtin_offsetof(struct pkvm_mailbox, status) == PKVM_MB_STATUS, "mailbox");

__asm__(
	"\t.pushsection .rodata.pkvm_guest, \"a\"\n"
	"\t.balign 16\n"
	"\t.globl pkvm_guest_code_start\n"
	"\t.hidden pkvm_guest_code_start\n"
	"\t.globl pkvm_guest_code_end\n"
	"\t.hidden pkvm_guest_code_end\n"
	"\t.code64\n"
	"pkvm_guest_code_start:\n"
	"\tmov " MB(MODE) ", %rax\n"
	"\tcmp $" STR(PKVM_MODE_SEQUENCE) ", %rax\n"
	"\tje .Lpkvm_seq\n"
	"\tcmp $" STR(PKVM_MODE_PROBE) ", %rax\n"
	"\tje .Lpkvm_probe\n"

	/* sweep: passes of (read word, add to checksum, write pass number) */
	"\tmov " MB(BASE) ", %rsi\n"
	"\tmov " MB(LEN) ", %r8\n"
	"\tmov " MB(STRIDE) ", %r9\n"
	"\tmov " MB(COUNT) ", %r10\n"
	"\tmov " MB(REPORT) ", %r14\n"
	"\tmov %r14, %r15\n"
	"\txor %r11d, %r11d\n"
	"\txor %r12d, %r12d\n"
	"\txor %r13d, %r13d\n"
	OUT(PKVM_PORT_CALIB)
	OUT(PKVM_PORT_START)
	"\tmov (%rsi), %rax\n"
	"\tmov %rax, " MB(FIRST) "\n"
	OUT(PKVM_PORT_FIRST)
	".Lpkvm_pass:\n"
	"\txor %ebx, %ebx\n"
	".Lpkvm_access:\n"
	"\tmov (%rsi,%rbx), %rax\n"
	"\tadd %rax, %r13\n"
	"\tmov %r11, (%rsi,%rbx)\n"
	"\tinc %r12\n"
	"\tadd %r9, %rbx\n"
	"\tdec %r15\n"
	"\tjnz 1f\n"
	"\tmov %r14, %r15\n"
	"\tmov %r12, " MB(PROGRESS) "\n"
	"\tmov %r12d, %eax\n"
	OUT(PKVM_PORT_PROGRESS)
	"1:\n"
	"\tcmpq $0, " MB(STOP) "\n"
	"\tjne .Lpkvm_done\n"
	"\tcmp %r8, %rbx\n"
	"\tjb .Lpkvm_access\n"
	"\tinc %r11\n"
	"\tmov %r12, " MB(PROGRESS) "\n"
	"\tmov %r11d, %eax\n"
	OUT(PKVM_PORT_PASS)
	"\tcmp %r10, %r11\n"
	"\tjb .Lpkvm_pass\n"
	"\tjmp .Lpkvm_done\n"

	/* sequence: BAR word = ++seq, then progress = seq, until count or stop */
	".Lpkvm_seq:\n"
	"\tmov " MB(BASE) ", %rsi\n"
	"\tmov " MB(COUNT) ", %r10\n"
	"\tmov " MB(REPORT) ", %r14\n"
	"\tmov %r14, %r15\n"
	"\tmov " MB(PROGRESS) ", %r12\n"
	"\txor %r13d, %r13d\n"
	OUT(PKVM_PORT_START)
	".Lpkvm_seq_loop:\n"
	"\tinc %r12\n"
	"\tmov %r12, (%rsi)\n"
	"\tmov %r12, " MB(PROGRESS) "\n"
	"\tdec %r15\n"
	"\tjnz 2f\n"
	"\tmov %r14, %r15\n"
	"\tmov %r12d, %eax\n"
	OUT(PKVM_PORT_PROGRESS)
	"2:\n"
	"\tcmpq $0, " MB(STOP) "\n"
	"\tjne .Lpkvm_done\n"
	"\tcmp %r10, %r12\n"
	"\tjb .Lpkvm_seq_loop\n"
	"\tjmp .Lpkvm_done\n"

	/* probe: scratch[i] = BAR[i * stride]; BAR[i * stride] = ~scratch[i] */
	".Lpkvm_probe:\n"
	"\tmov " MB(BASE) ", %rsi\n"
	"\tmov " MB(COUNT) ", %r10\n"
	"\tmov " MB(STRIDE) ", %r9\n"
	"\tmov $" STR(PKVM_SCRATCH_GPA) ", %r8\n"
	"\txor %ebx, %ebx\n"
	"\txor %r12d, %r12d\n"
	"\txor %r13d, %r13d\n"
	OUT(PKVM_PORT_START)
	".Lpkvm_probe_loop:\n"
	"\tcmp %r10, %r12\n"
	"\tjae .Lpkvm_done\n"
	"\tmov (%rsi,%rbx), %rax\n"
	"\tmov %rax, (%r8,%r12,8)\n"
	"\tnot %rax\n"
	"\tmov %rax, (%rsi,%rbx)\n"
	"\tinc %r12\n"
	"\tadd %r9, %rbx\n"
	"\tjmp .Lpkvm_probe_loop\n"

	".Lpkvm_done:\n"
	"\tmov %r12, " MB(PROGRESS) "\n"
	"\tmov %r13, " MB(CHECKSUM) "\n"
	"\tmovq $1, " MB(STATUS) "\n"
	OUT(PKVM_PORT_DONE)
	"3:\n"
	"\thlt\n"
	"\tjmp 3b\n"
	"pkvm_guest_code_end:\n"
	"\t.popsection\n");

uint64_t pkvm_guest_code_size(void)
{
	return (uint64_t)(pkvm_guest_code_end - pkvm_guest_code_start);
}
