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
#include "pfn/iova.h"
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
 * @target_is_memory: the BAR behaves as memory (checked once per run: what
 *	the CPU writes reads back, and stays; see SPEC.md MEM-1)
 * @target_memory_why: when it does not, what was seen
 * @dma_fault: test-only (enum pfn_dma_fault): make the DMA engine dead, to
 *	show that every DMA-proven case then fails rig_broken
 * @allow_destructive: the DMA engine may overwrite data on its device
 * @vfio_container: what serves /dev/vfio/vfio (pfn_type1_backend()): on
 *	"iommufd-compat" the VMA path cannot map a BAR and its findings do not
 *	apply
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
	bool target_is_memory;
	char target_memory_why[PFN_ERR_MSG_MAX];
	int dma_fault;
	bool allow_destructive;
	const char *vfio_container;
};

/**
 * enum conform_reason - why a case failed (or what a finding saw), as a
 * stable code for machines: conformance.json's "reason_code" and the KTAP
 * result line's "[code]" prefix.  suite/SPEC.md lists them.
 * @CONFORM_REASON_NONE: passed, or skipped
 * @CONFORM_REASON_CHECK: an observed value (errno, count, field) differs
 *	from what the requirement says
 * @CONFORM_REASON_LANDED: a device DMA reached memory it must not reach
 * @CONFORM_REASON_CHANGED: memory changed although no DMA should have
 *	touched it, and not to the DMA's data
 * @CONFORM_REASON_NO_CALLBACK: an importer was not told of a move/revoke
 * @CONFORM_REASON_GUEST_RAN: a KVM guest kept accessing revoked memory
 * @CONFORM_REASON_RIG_BROKEN: a positive control failed: the DMA engine or
 *	the mapping does not work, so no verdict can be given
 * @CONFORM_REASON_ENGINE_TIMEOUT: the DMA engine did not complete in time
 * @CONFORM_REASON_CRASHED: the case's process died (signal, early exit)
 * @CONFORM_REASON_TIMEOUT: the case exceeded its time limit and was killed
 * @CONFORM_REASON_SETUP: setting the case up failed (open, export, map)
 */
enum conform_reason {
	CONFORM_REASON_NONE,
	CONFORM_REASON_CHECK,
	CONFORM_REASON_LANDED,
	CONFORM_REASON_CHANGED,
	CONFORM_REASON_NO_CALLBACK,
	CONFORM_REASON_GUEST_RAN,
	CONFORM_REASON_RIG_BROKEN,
	CONFORM_REASON_ENGINE_TIMEOUT,
	CONFORM_REASON_CRASHED,
	CONFORM_REASON_TIMEOUT,
	CONFORM_REASON_SETUP,
};

/** conform_reason_name() - the code's stable name, e.g. "landed". */
const char *conform_reason_name(enum conform_reason reason);

/**
 * struct conform_result - a case's outcome
 * @result: PASS, FAIL, SKIP or XFAIL (a finding)
 * @finding: the outcome documents a gap of the kernel under test
 * @code: why it failed, or what the finding saw
 * @reason: one line: why it failed or was skipped, or what was found
 * @notes: extra diagnostic lines printed as KTAP comments ("" for none)
 */
struct conform_result {
	enum pfn_result result;
	bool finding;
	enum conform_reason code;
	char reason[PFN_ERR_MSG_MAX];
	char notes[1024];
};

/* Case needs, checked before the case runs (SKIP with the reason if unmet). */
#define CONFORM_NEEDS_DMA	(1u << 0)	/* a DMA-capable device */
#define CONFORM_NEEDS_MEMORY	(1u << 1)	/* a target BAR that behaves as memory */
#define CONFORM_STRESS		(1u << 2)	/* runs up to --stress-seconds: longer limit */

/* Time limit of a case unless it sets its own (seconds). */
#define CONFORM_TIMEOUT_DEFAULT	60

/**
 * struct conform_case - one conformance case
 * @id: stable identifier, e.g. "EXP-004"
 * @name: short snake_case description
 * @req: the SPEC.md requirement it proves, e.g. "EXP-4"
 * @needs: CONFORM_NEEDS_* and CONFORM_STRESS
 * @run: the case; starts with @res->result == PFN_PASS.  It runs in a
 *	 process of its own: a crash or a hang fails this case only.
 * @timeout_s: time limit in seconds; 0: the run's default
 *	 (CONFORM_TIMEOUT_DEFAULT; CONFORM_STRESS cases add --stress-seconds)
 */
struct conform_case {
	const char *id;
	const char *name;
	const char *req;
	uint32_t needs;
	void (*run)(const struct conform_ctx *ctx, struct conform_result *res);
	unsigned int timeout_s;
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
/* Self-tests of the runner (--selftest): cases that crash or hang on purpose. */
extern const struct conform_case conform_self_cases[];
extern const unsigned int conform_self_count;

/* ---- outcome helpers (each returns false so cases can `return` them) ---- */

bool conform_fail(struct conform_result *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* conform_fail() with a reason code other than CONFORM_REASON_CHECK. */
bool conform_fail_as(struct conform_result *res, enum conform_reason code, const char *fmt,
		     ...) __attribute__((format(printf, 3, 4)));
bool conform_skip(struct conform_result *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A finding: what the kernel under test does, documented in SPEC.md. */
bool conform_finding(struct conform_result *res, enum conform_reason code, const char *fmt,
		     ...) __attribute__((format(printf, 3, 4)));
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
 * @iovas: the IOAS's usable IOVA ranges, read after the attach
 * @iova_a: a window as large as the target BAR (at least 1 GiB), 1 GiB aligned
 * @iova_b: a second such window
 */
struct conform_fixture {
	struct pfn_iommu iommu;
	struct pfn_vfio_dev target;
	struct pfn_iova_space iovas;
	uint64_t iova_a;
	uint64_t iova_b;
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

/**
 * conform_ref_modules() - load the reference exporter and importer
 * (reference-kernel/modules, or $PFN_REF_MODULES) unless they are loaded
 * Return: true when /dev/pfn_ref_exp and /dev/pfn_ref_imp are there;
 * otherwise @res says why (SKIP when the kernel has no memory models).
 */
bool conform_ref_modules(const struct conform_ctx *ctx, struct conform_result *res);

/**
 * conform_expect_map_refused() - a MAP_FILE that must fail and map nothing
 * @fx: the fixture; the map is tried at @fx->iova_a
 * @fd: the dma-buf
 * @len: bytes from offset 0
 * @flags: PFN_MAP_*
 * @what: what was attempted, for the message
 * @want: the expected positive errno
 * @res: failed when the errno differs or the IOAS is not empty afterwards
 *
 * Return: the map's result (0 when it was wrongly accepted, -errno).
 */
int conform_expect_map_refused(struct conform_fixture *fx, int fd, uint64_t len, uint32_t flags,
			       const char *what, int want, struct conform_result *res);

/* ---- runner ---------------------------------------------------------- */

/**
 * struct conform_options - how to run
 * @filter: comma-separated fnmatch(3) globs on "ID_name" or "ID" (NULL: all)
 * @json_path: where to write results JSON (NULL: none)
 * @expect_path: expected outcomes to hold the run to (NULL: none)
 * @list_only: print the case list, run nothing
 * @selftest: add the runner's self-test cases (SELF-*)
 * @case_timeout_s: default time limit of a case (0: CONFORM_TIMEOUT_DEFAULT)
 * @stress_only: run only the stress cases (CONFORM_STRESS): the soak
 */
struct conform_options {
	const char *filter;
	const char *json_path;
	const char *expect_path;
	bool list_only;
	bool selftest;
	unsigned int case_timeout_s;
	bool stress_only;
};

/** conform_run() - run the cases; Return: exit status (0: no FAIL). */
int conform_run(const struct conform_ctx *ctx, const struct conform_options *opt);

#endif /* PFN_CONFORM_H */
