/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * QEMU's educational PCI device (hw/misc/edu.c, docs/specs/edu.rst): the
 * registers of BAR0 the DMA driver uses.  Private to lib/drivers/edu/.
 */
#ifndef PFN_DRIVERS_EDU_HW_H
#define PFN_DRIVERS_EDU_HW_H

#define EDU_VENDOR		0x1234
#define EDU_DEVICE		0x11e8

#define EDU_REG_ID		0x00	/* RO: 0xMMmm00ed, major.minor version */
#define EDU_ID_MAGIC		0xedu	/* low byte of EDU_REG_ID */
#define EDU_REG_ALIVE		0x04	/* RW: reads the inverse of the last write */
#define EDU_REG_DMA_SRC		0x80	/* 64 bit: source address */
#define EDU_REG_DMA_DST		0x88	/* 64 bit: destination address */
#define EDU_REG_DMA_CNT		0x90	/* 64 bit: bytes */
#define EDU_REG_DMA_CMD		0x98	/* 64 bit: command */
#define EDU_REGS_END		0xa0	/* BAR0 must be at least this large */

#define EDU_CMD_START		(1u << 0)	/* set to start; reads 1 until done */
#define EDU_CMD_TO_RAM		(1u << 1)	/* 0: RAM -> edu buffer, 1: edu buffer -> RAM */
#define EDU_CMD_IRQ		(1u << 2)	/* raise interrupt 0x100 when done (unused) */

/* The device's own DMA buffer, as the DMA registers address it. */
#define EDU_BUF_ADDR		0x40000ull
#define EDU_BUF_SIZE		4096ull

/*
 * Most bytes one DMA moves, always at EDU_BUF_ADDR.  QEMU up to at least
 * 7.2 rejects any DMA that reaches the buffer's last byte (its range check
 * is off by one) with hw_error(), which aborts the whole VM; half the
 * buffer keeps clear of it.
 */
#define EDU_CHUNK		2048ull

/* Each DMA completes on a QEMU_CLOCK_VIRTUAL timer this long after the start. */
#define EDU_DMA_DELAY_MS	100

#endif /* PFN_DRIVERS_EDU_HW_H */
