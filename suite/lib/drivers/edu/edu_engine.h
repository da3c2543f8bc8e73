/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The edu DMA engine's register sequencing, apart from device bring-up so
 * that it can be unit-tested against a fake BAR.  Private to lib/drivers/edu/.
 *
 * A memcpy is a series of DMAs, each polled on the START bit of the command
 * register: poison from driver memory into the edu buffer (so that a read
 * the IOMMU refuses, which edu ignores, leaves poison rather than an earlier
 * copy's bytes), then per chunk of at most EDU_CHUNK bytes src into the
 * buffer and the buffer to dst; with a count, the chunks repeat.  A 4 KiB
 * memcpy is five DMAs.
 */
#ifndef PFN_DRIVERS_EDU_ENGINE_H
#define PFN_DRIVERS_EDU_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "pfn/error.h"

enum edu_stage {
	EDU_IDLE,
	EDU_POISON,	/* poison page -> edu buffer */
	EDU_IN,		/* a chunk of src -> edu buffer */
	EDU_OUT,	/* edu buffer -> the chunk of dst */
};

/**
 * struct edu_engine - one edu's DMA sequencing
 * @regs: BAR0
 * @poison_iova: IOVA of a page of poison bytes in driver memory
 * @stage: the DMA the device is doing
 * @src: memcpy source IOVA
 * @dst: memcpy destination IOVA
 * @size: bytes, 1..EDU_BUF_SIZE
 * @remaining: repetitions left, this one included
 * @done: bytes of this repetition copied
 * @chunk: bytes of the chunk in flight
 */
struct edu_engine {
	volatile uint8_t *regs;
	uint64_t poison_iova;
	enum edu_stage stage;
	uint64_t src;
	uint64_t dst;
	uint64_t size;
	uint64_t remaining;
	uint64_t done;
	uint64_t chunk;
};

/**
 * edu_probe() - is @regs an edu that answers?
 * @regs: BAR0
 * @version: receives the identification register
 * @err: error detail
 *
 * Return: 0; -ENODEV (all-ones: gone or memory decoding off; wrong magic; the
 * liveness register does not invert what is written).
 */
int edu_probe(volatile uint8_t *regs, uint32_t *version, struct pfn_err *err);

/** edu_dma_running() - the device has a DMA in flight (START reads 1). */
bool edu_dma_running(const volatile uint8_t *regs);

/**
 * edu_engine_start() - start a memcpy: kicks the poison DMA
 * @e: an engine with no memcpy in flight and an idle device
 * @src: source IOVA
 * @dst: destination IOVA
 * @size: bytes, 1..EDU_BUF_SIZE
 * @count: repetitions, >= 1
 * @err: error detail
 *
 * Return: 0; -EINVAL (size); -EBUSY (the device still runs a DMA).
 */
int edu_engine_start(struct edu_engine *e, uint64_t src, uint64_t dst, uint64_t size,
		     uint64_t count, struct pfn_err *err);

/**
 * edu_engine_step() - advance when the device finished the current DMA
 * @e: an engine
 * @err: error detail
 *
 * Return: 1 (a DMA is in flight), 0 (the memcpy is done, or none was
 * started), -ENODEV (the command register reads all-ones).
 */
int edu_engine_step(struct edu_engine *e, struct pfn_err *err);

#endif /* PFN_DRIVERS_EDU_ENGINE_H */
