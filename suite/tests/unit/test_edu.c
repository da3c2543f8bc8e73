// SPDX-License-Identifier: GPL-2.0-only
/*
 * The edu driver's register sequencing against a fake BAR: what a memcpy
 * writes to the DMA registers, in which order, and how it waits on the
 * START bit; and what the probe refuses.
 */
#include <errno.h>
#include <stdalign.h>
#include <stdlib.h>

#include "edu/edu_engine.h"
#include "edu/edu_hw.h"
#include "harness.h"

#define POISON_IOVA 0x100000000ull
#define SRC 0x200000000ull
#define DST 0x800000000ull

static alignas(8) uint8_t bar[4096];

static uint64_t reg64(uint64_t off)
{
	uint64_t v;

	memcpy(&v, bar + off, 8);
	return le64toh(v);
}

static void set64(uint64_t off, uint64_t v)
{
	v = htole64(v);
	memcpy(bar + off, &v, 8);
}

static void set32(uint64_t off, uint32_t v)
{
	v = htole32(v);
	memcpy(bar + off, &v, 4);
}

/* The device finishing its DMA: START clears, the rest of cmd stays. */
static void device_done(void)
{
	set64(EDU_REG_DMA_CMD, reg64(EDU_REG_DMA_CMD) & ~(uint64_t)EDU_CMD_START);
}

/* Does the running DMA go @src -> @dst, @cnt bytes, in direction @dir? */
static bool dma_is(uint64_t src, uint64_t dst, uint64_t cnt, uint64_t dir)
{
	bool ok = reg64(EDU_REG_DMA_SRC) == src && reg64(EDU_REG_DMA_DST) == dst &&
		  reg64(EDU_REG_DMA_CNT) == cnt &&
		  reg64(EDU_REG_DMA_CMD) == (EDU_CMD_START | dir);

	if (!ok)
		printf("# DMA src %#llx dst %#llx cnt %llu cmd %#llx\n",
		       (unsigned long long)reg64(EDU_REG_DMA_SRC),
		       (unsigned long long)reg64(EDU_REG_DMA_DST),
		       (unsigned long long)reg64(EDU_REG_DMA_CNT),
		       (unsigned long long)reg64(EDU_REG_DMA_CMD));
	return ok;
}

static struct edu_engine engine(void)
{
	memset(bar, 0, sizeof(bar));
	return (struct edu_engine){ .regs = bar, .poison_iova = POISON_IOVA };
}

static bool memcpy_sequence(void)
{
	struct edu_engine e = engine();
	struct pfn_err err;

	CHECK_INT(edu_engine_step(&e, &err), 0);	/* nothing started */
	CHECK_INT(edu_engine_start(&e, SRC, DST, 4096, 1, &err), 0);
	/* 1: poison into the edu buffer (RAM -> device), half of it */
	CHECK(dma_is(POISON_IOVA, EDU_BUF_ADDR, 2048, 0));
	CHECK_INT(edu_engine_step(&e, &err), 1);	/* still running: nothing rewritten */
	CHECK(dma_is(POISON_IOVA, EDU_BUF_ADDR, 2048, 0));
	device_done();
	/* 2: the first half of src into the buffer */
	CHECK_INT(edu_engine_step(&e, &err), 1);
	CHECK(dma_is(SRC, EDU_BUF_ADDR, 2048, 0));
	device_done();
	/* 3: the buffer to the first half of dst (device -> RAM) */
	CHECK_INT(edu_engine_step(&e, &err), 1);
	CHECK(dma_is(EDU_BUF_ADDR, DST, 2048, EDU_CMD_TO_RAM));
	CHECK_INT(edu_engine_step(&e, &err), 1);
	device_done();
	/* 4, 5: the second half, again through the start of the buffer */
	CHECK_INT(edu_engine_step(&e, &err), 1);
	CHECK(dma_is(SRC + 2048, EDU_BUF_ADDR, 2048, 0));
	device_done();
	CHECK_INT(edu_engine_step(&e, &err), 1);
	CHECK(dma_is(EDU_BUF_ADDR, DST + 2048, 2048, EDU_CMD_TO_RAM));
	device_done();
	CHECK_INT(edu_engine_step(&e, &err), 0);
	CHECK_INT(e.stage, EDU_IDLE);
	return true;
}

/* QEMU 7.2 aborts the VM on a DMA that reaches the buffer's last byte. */
static bool never_touches_buffer_end(void)
{
	static const uint64_t sizes[] = { 1, 100, 2047, 2048, 2049, 4095, 4096 };
	struct pfn_err err;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct edu_engine e = engine();
		uint64_t moved = 0;
		int ret = edu_engine_start(&e, SRC, DST, sizes[i], 2, &err);

		while (ret == 1 || (ret == 0 && e.stage != EDU_IDLE)) {
			uint64_t cmd = reg64(EDU_REG_DMA_CMD), cnt = reg64(EDU_REG_DMA_CNT);
			uint64_t buf = cmd & EDU_CMD_TO_RAM ? reg64(EDU_REG_DMA_SRC) :
							      reg64(EDU_REG_DMA_DST);

			CHECK_INT(buf, EDU_BUF_ADDR);
			CHECK(cnt >= 1 && buf + cnt < EDU_BUF_ADDR + EDU_BUF_SIZE);
			if (cmd & EDU_CMD_TO_RAM)
				moved += cnt;
			device_done();
			ret = edu_engine_step(&e, &err);
		}
		CHECK_INT(ret, 0);
		CHECK_INT(moved, 2 * sizes[i]);
	}
	return true;
}

static bool memcpy_count_repeats(void)
{
	struct edu_engine e = engine();
	struct pfn_err err;
	int dmas = 1;

	CHECK_INT(edu_engine_start(&e, SRC, DST, 100, 3, &err), 0);
	for (;;) {
		device_done();
		if (!edu_engine_step(&e, &err))
			break;
		dmas++;
		CHECK_INT(reg64(EDU_REG_DMA_CNT), 100);
		CHECK(dmas <= 7);
	}
	CHECK_INT(dmas, 1 + 2 * 3);	/* poison once, then in + out per copy */
	return true;
}

static bool start_refusals(void)
{
	struct edu_engine e = engine();
	struct pfn_err err;

	CHECK_INT(edu_engine_start(&e, SRC, DST, 0, 1, &err), -EINVAL);
	CHECK_INT(edu_engine_start(&e, SRC, DST, 4097, 1, &err), -EINVAL);
	CHECK_INT(edu_engine_start(&e, SRC, DST, 4096, 0, &err), -EINVAL);
	set64(EDU_REG_DMA_CMD, EDU_CMD_START);	/* a DMA someone else left running */
	CHECK_INT(edu_engine_start(&e, SRC, DST, 4096, 1, &err), -EBUSY);
	CHECK_INT(reg64(EDU_REG_DMA_SRC), 0);	/* nothing written */
	return true;
}

static bool device_gone(void)
{
	struct edu_engine e = engine();
	struct pfn_err err;

	CHECK_INT(edu_engine_start(&e, SRC, DST, 4096, 1, &err), 0);
	memset(bar, 0xff, sizeof(bar));
	CHECK_INT(edu_engine_step(&e, &err), -ENODEV);
	CHECK_CONTAINS(err.msg, "all-ones");
	CHECK_INT(e.stage, EDU_IDLE);
	return true;
}

static bool probe_refusals(void)
{
	uint32_t version;
	struct pfn_err err;

	memset(bar, 0xff, sizeof(bar));
	CHECK_INT(edu_probe(bar, &version, &err), -ENODEV);
	CHECK_CONTAINS(err.msg, "all-ones");
	memset(bar, 0, sizeof(bar));
	set32(EDU_REG_ID, 0x01000042);
	CHECK_INT(edu_probe(bar, &version, &err), -ENODEV);
	CHECK_CONTAINS(err.msg, "not QEMU's edu");
	/* Right ID, but plain memory does not invert what is written: not alive. */
	set32(EDU_REG_ID, 0x010000ed);
	CHECK_INT(edu_probe(bar, &version, &err), -ENODEV);
	CHECK_CONTAINS(err.msg, "liveness");
	CHECK_INT(version, 0x010000ed);
	return true;
}

static const struct unit_case cases[] = {
	{ "memcpy_sequence", memcpy_sequence },
	{ "never_touches_buffer_end", never_touches_buffer_end },
	{ "memcpy_count_repeats", memcpy_count_repeats },
	{ "start_refusals", start_refusals },
	{ "device_gone", device_gone },
	{ "probe_refusals", probe_refusals },
};

UNIT_MAIN("edu DMA engine register sequencing", cases)
