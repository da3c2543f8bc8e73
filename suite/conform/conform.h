/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Conformance cases: each has an ID, cites a requirement of suite/SPEC.md,
 * and reports PASS, FAIL or SKIP with the reason.  A case may instead report
 * a finding: a documented gap of the kernel under test (such as the type1
 * VMA path surviving a revoke), under its own ID, as a KTAP XFAIL ("ok N
 * name # XFAIL FINDING: ...") -- an expected failure, never a pass.
 */
#ifndef PFN_CONFORM_H
#define PFN_CONFORM_H

#include <stdbool.h>
#include <stdint.h>

#include "pfn/error.h"
#include "pfn/iommu.h"
#include "pfn/ktap.h"
#include "pfn/pci.h"
#include "pfn/vfio.h"

/**
 * struct conform_ctx - what every case may use; read-only for cases
 * @sysfs: sysfs mount point
 * @target_bdf: device whose BAR is exported (ivshmem in the emulated target)
 * @target_bar: the BAR under test (largest mmap-capable one by default)
 * @target_bar_size: its size in bytes
 * @dma_bdf: DMA-capable device driving the proofs (NVMe), "" when none
 * @dma_why: why there is no DMA device, when @dma_bdf is ""
 * @page: the CPU page size
 * @stress_seconds: upper bound for each race/stress case
 * @stress_iterations: upper bound for each race/stress case
 */
struct conform_ctx {
	const char *sysfs;
	char target_bdf[PFN_BDF_LEN];
	uint32_t target_bar;
	uint64_t target_bar_size;
	char dma_bdf[PFN_BDF_LEN];
	char dma_why[PFN_ERR_MSG_MAX];
	uint64_t page;
	double stress_seconds;
	unsigned int stress_iterations;
};

/**
 * struct conform_result - a case's outcome
 * @result: PASS, FAIL, SKIP or XFAIL (a finding)
 * @finding: the outcome documents a gap of the kernel under test
 * @reason: one line: why it failed or was skipped, or what was found
 * @notes: extra diagnostic lines printed as KTAP comments ("" for none)
 */
struct conform_result {
	enum pfn_result result;
	bool finding;
	char reason[PFN_ERR_MSG_MAX];
	char notes[1024];
};

/* Case needs, checked before the case runs (SKIP with the reason if unmet). */
#define CONFORM_NEEDS_DMA	(1u << 0)	/* a DMA-capable device */

/**
 * struct conform_case - one conformance case
 * @id: stable identifier, e.g. "EXP-004"
 * @name: short snake_case description
 * @req: the SPEC.md requirement it proves, e.g. "EXP-4"
 * @needs: CONFORM_NEEDS_*
 * @run: the case; starts with @res->result == PFN_PASS
 */
struct conform_case {
	const char *id;
	const char *name;
	const char *req;
	uint32_t needs;
	void (*run)(const struct conform_ctx *ctx, struct conform_result *res);
};

/* Case tables, one per family (cases_*.c). */
extern const struct conform_case conform_export_cases[];
extern const unsigned int conform_export_count;
extern const struct conform_case conform_import_cases[];
extern const unsigned int conform_import_count;
extern const struct conform_case conform_revoke_cases[];
extern const unsigned int conform_revoke_count;
extern const struct conform_case conform_life_cases[];
extern const unsigned int conform_life_count;
extern const struct conform_case conform_race_cases[];
extern const unsigned int conform_race_count;
extern const struct conform_case conform_model_cases[];
extern const unsigned int conform_model_count;
extern const struct conform_case conform_kvm_cases[];
extern const unsigned int conform_kvm_count;
extern const struct conform_case conform_unplug_cases[];
extern const unsigned int conform_unplug_count;

/* ---- outcome helpers (each returns false so cases can `return` them) ---- */

bool conform_fail(struct conform_result *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
bool conform_skip(struct conform_result *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
bool conform_finding(struct conform_result *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void conform_note(struct conform_result *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * conform_expect_errno() - check a call's result against an exact errno
 * @res: case result, failed with a message when the check does not hold
 * @what: what was attempted, for the message
 * @got: the call's return (>= 0 success, -errno failure)
 * @want: the expected positive errno (0: success expected)
 *
 * Return: true when @got matches.
 */
bool conform_expect_errno(struct conform_result *res, const char *what, int got, int want);

/* ---- fixtures -------------------------------------------------------- */

/**
 * struct conform_fixture - an iommufd IOAS with the target device attached
 * @iommu: the address space
 * @target: the target device, opened in iommufd mode
 */
struct conform_fixture {
	struct pfn_iommu iommu;
	struct pfn_vfio_dev target;
};

/**
 * conform_fixture_open() - open the target in a fresh iommufd IOAS
 * Return: true on success; otherwise @res is failed (or skipped when the
 * kernel lacks iommufd or the VFIO cdev) and false is returned.
 */
bool conform_fixture_open(const struct conform_ctx *ctx, struct conform_fixture *fx,
			  struct conform_result *res);
void conform_fixture_close(struct conform_fixture *fx);

/**
 * conform_export() - export [@offset, @offset + @length) of the target BAR
 * Return: the dma-buf fd, or -errno with @res failed (skipped when the
 * kernel has no dma-buf export).
 */
int conform_export(const struct conform_ctx *ctx, struct conform_fixture *fx,
		   uint64_t offset, uint64_t length, struct conform_result *res);

/**
 * conform_make_udmabuf() - a udmabuf (CPU-memory dma-buf) of @size bytes
 * @size: page-multiple size
 * @memfd: receives the sealed memfd behind it (-1 on failure); close it
 * @res: skipped when the kernel has no udmabuf, failed on other errors
 * Return: the dma-buf fd, or -1 with @res set.
 */
int conform_make_udmabuf(uint64_t size, int *memfd, struct conform_result *res);

/* ---- runner ---------------------------------------------------------- */

/**
 * struct conform_options - how to run
 * @filter: fnmatch(3) glob on "ID_name" (NULL: all)
 * @json_path: where to write results JSON (NULL: none)
 * @list_only: print the case list, run nothing
 */
struct conform_options {
	const char *filter;
	const char *json_path;
	bool list_only;
};

/** conform_run() - run the cases; Return: exit status (0: no FAIL). */
int conform_run(const struct conform_ctx *ctx, const struct conform_options *opt);

#endif /* PFN_CONFORM_H */
