// SPDX-License-Identifier: GPL-2.0-only
/* The edu DMA engine's register sequencing (edu_engine.h). */
#include <errno.h>

#include "../driver.h"
#include "edu_engine.h"
#include "edu_hw.h"

int edu_probe(volatile uint8_t *regs, uint32_t *version, struct pfn_err *err)
{
	static const uint32_t probes[] = { 0x12345678u, 0xa5a5a5a5u, 0u };
	uint32_t id = pfn_mmio_rd32(regs, EDU_REG_ID), seen;

	*version = id;
	if (id == 0xffffffffu)
		return pfn_fail(err, ENODEV,
				"edu identification register reads all-ones: device gone or memory decoding off");
	if ((id & 0xffffu) != EDU_ID_MAGIC)
		return pfn_fail(err, ENODEV,
				"edu identification register is %#x, not 0x....00ed: not QEMU's edu device",
				id);
	for (unsigned int i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		pfn_mmio_wr32(regs, EDU_REG_ALIVE, probes[i]);
		seen = pfn_mmio_rd32(regs, EDU_REG_ALIVE);
		if (seen != ~probes[i])
			return pfn_fail(err, ENODEV,
					"edu liveness register: wrote %#x, read %#x instead of its inverse %#x",
					probes[i], seen, ~probes[i]);
	}
	return 0;
}

bool edu_dma_running(const volatile uint8_t *regs)
{
	return pfn_mmio_rd64(regs, EDU_REG_DMA_CMD) & EDU_CMD_START;
}

/* Program one DMA and start it; the device ignores writes while one runs. */
static void kick(struct edu_engine *e, uint64_t src, uint64_t dst, uint64_t cnt, uint32_t dir)
{
	pfn_mmio_wr64(e->regs, EDU_REG_DMA_SRC, src);
	pfn_mmio_wr64(e->regs, EDU_REG_DMA_DST, dst);
	pfn_mmio_wr64(e->regs, EDU_REG_DMA_CNT, cnt);
	/* Addresses and count are in place before the start bit. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	pfn_mmio_wr64(e->regs, EDU_REG_DMA_CMD, EDU_CMD_START | dir);
}

int edu_engine_start(struct edu_engine *e, uint64_t src, uint64_t dst, uint64_t size,
		     uint64_t count, struct pfn_err *err)
{
	if (!size || size > EDU_BUF_SIZE || !count)
		return pfn_fail(err, EINVAL, "edu memcpy of %llu bytes x %llu: takes 1..%llu bytes",
				(unsigned long long)size, (unsigned long long)count,
				EDU_BUF_SIZE);
	if (edu_dma_running(e->regs))
		return pfn_fail(err, EBUSY, "edu is still running an earlier DMA");
	e->src = src;
	e->dst = dst;
	e->size = size;
	e->remaining = count;
	e->done = 0;
	e->stage = EDU_POISON;
	kick(e, e->poison_iova, EDU_BUF_ADDR, size < EDU_CHUNK ? size : EDU_CHUNK, 0);
	return 0;
}

/* The next chunk of src into the buffer. */
static void kick_in(struct edu_engine *e)
{
	e->chunk = e->size - e->done < EDU_CHUNK ? e->size - e->done : EDU_CHUNK;
	e->stage = EDU_IN;
	kick(e, e->src + e->done, EDU_BUF_ADDR, e->chunk, 0);
}

int edu_engine_step(struct edu_engine *e, struct pfn_err *err)
{
	uint64_t cmd;

	if (e->stage == EDU_IDLE)
		return 0;
	cmd = pfn_mmio_rd64(e->regs, EDU_REG_DMA_CMD);
	if (cmd == ~0ull) {
		e->stage = EDU_IDLE;
		return pfn_fail(err, ENODEV,
				"edu command register reads all-ones: device gone or memory decoding off");
	}
	if (cmd & EDU_CMD_START)
		return 1;
	switch (e->stage) {
	case EDU_POISON:
		kick_in(e);
		return 1;
	case EDU_IN:
		e->stage = EDU_OUT;
		kick(e, EDU_BUF_ADDR, e->dst + e->done, e->chunk, EDU_CMD_TO_RAM);
		return 1;
	case EDU_OUT:
		e->done += e->chunk;
		if (e->done == e->size && --e->remaining)
			e->done = 0;
		if (e->done < e->size) {
			kick_in(e);
			return 1;
		}
		e->stage = EDU_IDLE;
		return 0;
	case EDU_IDLE:
		break;
	}
	return 0;
}
