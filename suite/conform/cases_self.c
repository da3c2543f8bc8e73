// SPDX-License-Identifier: GPL-2.0-only
/*
 * SELF: self-tests of the conformance runner, run only with --selftest.
 * Each misbehaves on purpose the way a real case can (a SIGBUS from a
 * zapped BAR mmap, a call that never returns) and must come out as that
 * case's FAIL with reason "crashed" or "timeout", the run going on.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "conform.h"

/*
 * Touch the target BAR's mmap while PCI memory decoding is off: vfio-pci's
 * fault handler refuses the access and the process gets SIGBUS.
 */
static void self_sigbus(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct conform_fixture fx;
	struct pfn_err err;
	volatile uint32_t *bar;
	void *va;

	if (!conform_fixture_open(ctx, &fx, res))
		return;
	if (pfn_vfio_bar_mmap(&fx.target, ctx->target_bar, 0, ctx->page, ctx->page, 0, &va,
			      &err)) {
		conform_fail_as(res, CONFORM_REASON_SETUP, "%s", err.msg);
		goto out;
	}
	if (pfn_vfio_set_memory_enable(&fx.target, false, &err)) {
		conform_fail_as(res, CONFORM_REASON_SETUP, "%s", err.msg);
		goto out_unmap;
	}
	conform_note(res, "reading the BAR mmap with PCI memory disabled");
	bar = va;
	(void)bar[0];	/* SIGBUS here */
	conform_fail(res, "a read of the BAR mmap with PCI memory disabled returned: no SIGBUS");
	pfn_vfio_set_memory_enable(&fx.target, true, NULL);
out_unmap:
	munmap(va, ctx->page);
out:
	conform_fixture_close(&fx);
}

/* Never return within the case's 2-second limit. */
static void self_hang(const struct conform_ctx *ctx, struct conform_result *res)
{
	(void)ctx;
	conform_note(res, "sleeping past the time limit");
	sleep(3600);
	conform_fail(res, "woke up: the time limit did not stop the case");
}

const struct conform_case conform_self_cases[] = {
	{ "SELF-001", "sigbus_is_contained", "RUN-1", 0, self_sigbus, 0 },
	{ "SELF-002", "hang_is_contained", "RUN-1", 0, self_hang, 2 },
};

const unsigned int conform_self_count = sizeof(conform_self_cases) / sizeof(conform_self_cases[0]);
