/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pfnsuite fuzz: a bounded, structure-aware fuzzer of the uAPIs the suite
 * tests (suite/SPEC.md FUZZ).  Each call is built from a seeded generator
 * around the values that matter (page and BAR boundaries, overflow,
 * counts, fds of the wrong kind) and from the live objects of its batch
 * (dma-bufs, mappings, a VM, reference-exporter buffers), and interleaves
 * with revoke, reset and close.  A batch runs in a child process; after
 * it a positive control shows the device still exports and a DMA through
 * a fresh dma-buf mapping still lands.  A batch is reproducible from the
 * seed and its index on the same kernel and device.
 */
#ifndef PFN_FUZZ_H
#define PFN_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../conform/conform.h"

/* ---- generator --------------------------------------------------------- */

/** struct fuzz_rng - splitmix64 state */
struct fuzz_rng {
	uint64_t state;
};

/** fuzz_rng_seed() - the stream of batch @stream of seed @seed */
void fuzz_rng_seed(struct fuzz_rng *r, uint64_t seed, uint64_t stream);
uint64_t fuzz_u64(struct fuzz_rng *r);
/** fuzz_below() - uniform in [0, @n); @n > 0 */
uint64_t fuzz_below(struct fuzz_rng *r, uint64_t n);
/** fuzz_one_in() - true with probability 1/@n */
bool fuzz_one_in(struct fuzz_rng *r, unsigned int n);
/**
 * fuzz_edge() - a value around the boundaries of an object of @size bytes
 * in pages of @page bytes: 0, 1, page +/- 1, size +/- page, size, 2^32,
 * 2^63, ~0 and such, or an aligned value inside the object
 */
uint64_t fuzz_edge(struct fuzz_rng *r, uint64_t size, uint64_t page);

/* ---- the calls --------------------------------------------------------- */

/**
 * enum fuzz_op - what a call exercises
 * @FUZZ_EXPORT: VFIO_DEVICE_FEATURE_DMA_BUF (argsz, flags, region, ranges, counts)
 * @FUZZ_MAP_FILE: IOMMU_IOAS_MAP_FILE (flags, start, length, IOVA, fd kinds)
 * @FUZZ_UNMAP: IOMMU_IOAS_UNMAP
 * @FUZZ_KVM_SLOT: KVM_SET_USER_MEMORY_REGION2 with the dma-buf memslot fields
 * @FUZZ_REF_EXP: the reference exporter's control interface (/dev/pfn_ref_exp)
 * @FUZZ_REF_IMP: the reference importer's control interface (/dev/pfn_ref_imp)
 * @FUZZ_REVOKE: PCI memory disable and enable, or a device reset
 * @FUZZ_CLOSE: close a live dma-buf (maybe mapped or in a memslot)
 */
enum fuzz_op {
	FUZZ_EXPORT,
	FUZZ_MAP_FILE,
	FUZZ_UNMAP,
	FUZZ_KVM_SLOT,
	FUZZ_REF_EXP,
	FUZZ_REF_IMP,
	FUZZ_REVOKE,
	FUZZ_CLOSE,
	FUZZ_OP_COUNT
};

/** fuzz_op_name() - the ioctl's name, e.g. "IOMMU_IOAS_MAP_FILE" */
const char *fuzz_op_name(enum fuzz_op op);

/* Result slots per op: [0] success, [e] errno e, [FUZZ_ERRNO_SLOTS - 1] any larger one. */
#define FUZZ_ERRNO_SLOTS 136

#define FUZZ_DESC_LEN 240
/* One line saying why a batch failed. */
#define FUZZ_WHY_LEN 1024

/**
 * struct fuzz_call - one generated call and its outcome
 * @op: what it exercises
 * @desc: the call's arguments in words, for the log and a saved input
 * @ret: 0 or -errno
 * @must_fail: the rule (suite/SPEC.md FUZZ-2) by which the kernel must
 *	refuse this input, NULL when any outcome is allowed
 * @finding: the SPEC.md finding ID when the kernel under test is known to
 *	accept the input anyway, NULL otherwise
 * @ran: false when the op could not run in this world (see the world's
 *	unavailable reason)
 */
struct fuzz_call {
	enum fuzz_op op;
	char desc[FUZZ_DESC_LEN];
	int ret;
	const char *must_fail;
	const char *finding;
	bool ran;
};

/* ---- the world a batch runs in ----------------------------------------- */

#define FUZZ_MAX_DMABUFS 8
#define FUZZ_MAX_MAPS 16
#define FUZZ_MAX_IMPORTS 8
/* Ranges an export may describe in the argument buffer (a guard page follows). */
#define FUZZ_MAX_RANGES 64

/**
 * struct fuzz_dmabuf - a live dma-buf of the batch
 * @fd: its fd
 * @size: bytes
 * @vfio: exported by the target (else by the reference exporter)
 * @writable: opened O_RDWR
 */
struct fuzz_dmabuf {
	int fd;
	uint64_t size;
	bool vfio;
	bool writable;
};

/**
 * struct fuzz_world - the objects one batch works on; every fd is -1 when
 * absent
 * @ctx: the run's target
 * @fx: an iommufd IOAS with the target attached
 * @bufs: live dma-bufs
 * @n_bufs: how many
 * @maps: IOVA ranges mapped by MAP_FILE calls that succeeded
 * @n_maps: how many
 * @memfd: a sealed memfd of @memfd_size bytes (a file MAP_FILE takes)
 * @memfd_size: its size
 * @eventfd: an fd of a kind nothing here takes
 * @vm: a KVM VM (-1 without /dev/kvm)
 * @kvm: /dev/kvm
 * @ref_exp: /dev/pfn_ref_exp
 * @ref_imp: /dev/pfn_ref_imp
 * @imports: live import ids of @ref_imp
 * @n_imports: how many
 * @args: an argument buffer of FUZZ_MAX_RANGES ranges followed by a
 *	PROT_NONE guard page, so a kernel reading past what was declared
 *	faults instead of reading stack
 * @args_len: its usable bytes
 * @unavailable: per op, why it cannot run here ("" when it can)
 * @on_issue: called with each call just before it enters the kernel (so a
 *	hang or crash can be pinned on it), NULL for none
 * @on_issue_arg: its argument
 */
struct fuzz_world {
	const struct conform_ctx *ctx;
	struct conform_fixture fx;
	struct fuzz_dmabuf bufs[FUZZ_MAX_DMABUFS];
	unsigned int n_bufs;
	struct {
		uint64_t iova;
		uint64_t length;
	} maps[FUZZ_MAX_MAPS];
	unsigned int n_maps;
	int memfd;
	uint64_t memfd_size;
	int eventfd;
	int kvm;
	int vm;
	int ref_exp;
	int ref_imp;
	uint32_t imports[FUZZ_MAX_IMPORTS];
	unsigned int n_imports;
	void *args;
	size_t args_len;
	char unavailable[FUZZ_OP_COUNT][160];
	void (*on_issue)(const struct fuzz_call *c, void *arg);
	void *on_issue_arg;
};

/**
 * fuzz_world_open() - build the world of one batch
 * Return: 0, or -errno with @err saying why (the target cannot be opened).
 * An op whose interface is missing is marked unavailable, not an error.
 */
int fuzz_world_open(struct fuzz_world *w, const struct conform_ctx *ctx, struct pfn_err *err);
/** fuzz_world_close() - close everything (the close paths are part of the test) */
void fuzz_world_close(struct fuzz_world *w);

/**
 * fuzz_world_fd() - an fd for an argument: usually a live dma-buf, else a
 * memfd, an eventfd, the iommufd itself, a closed fd, -1 or a huge number
 * @w: the world
 * @r: the generator
 * @what: receives a name for the log ("vfio-dmabuf2", "eventfd", "closed")
 * @len: size of @what
 * @buf: receives the dma-buf the fd is, or NULL when it is none
 */
int fuzz_world_fd(struct fuzz_world *w, struct fuzz_rng *r, char *what, size_t len,
		  const struct fuzz_dmabuf **buf);

/** fuzz_world_add_buf() - remember a new dma-buf (closed when the pool is full) */
void fuzz_world_add_buf(struct fuzz_world *w, int fd, uint64_t size, bool vfio, bool writable);

/* ---- each op: generate one call in @w, run it, fill @c ------------------ */

void fuzz_op_export(struct fuzz_world *w, struct fuzz_rng *r, struct fuzz_call *c);
void fuzz_op_revoke(struct fuzz_world *w, struct fuzz_rng *r, struct fuzz_call *c);
void fuzz_op_close(struct fuzz_world *w, struct fuzz_rng *r, struct fuzz_call *c);
void fuzz_op_map_file(struct fuzz_world *w, struct fuzz_rng *r, struct fuzz_call *c);
void fuzz_op_unmap(struct fuzz_world *w, struct fuzz_rng *r, struct fuzz_call *c);
void fuzz_op_kvm_slot(struct fuzz_world *w, struct fuzz_rng *r, struct fuzz_call *c);
void fuzz_op_ref_exp(struct fuzz_world *w, struct fuzz_rng *r, struct fuzz_call *c);
void fuzz_op_ref_imp(struct fuzz_world *w, struct fuzz_rng *r, struct fuzz_call *c);

/** fuzz_step() - pick an op and run one call of it */
void fuzz_step(struct fuzz_world *w, struct fuzz_rng *r, struct fuzz_call *c);

/** fuzz_issue() - @c is generated and about to enter the kernel */
void fuzz_issue(struct fuzz_world *w, const struct fuzz_call *c);

/** fuzz_call_ret() - @c->ret from a raw ioctl's return value and errno */
void fuzz_call_ret(struct fuzz_call *c, long ret);

struct fuzz_options;

/* ---- counts ------------------------------------------------------------ */

#define FUZZ_MAX_FINDINGS 8

/**
 * struct fuzz_stats - what a run saw, summed over its batches
 * @calls: calls run, per op
 * @not_run: calls of an op unavailable in the world, per op
 * @result: outcome histogram per op: [0] success, [e] errno e
 * @accepted: inputs a rule says must fail that succeeded, outside a
 *	documented finding, per op: each is a failure
 * @first_accepted: the first of those, "OP RULE: arguments"
 * @findings: accepted inputs of documented findings
 * @n_findings: entries of @findings
 */
struct fuzz_stats {
	uint64_t calls[FUZZ_OP_COUNT];
	uint64_t not_run[FUZZ_OP_COUNT];
	uint64_t result[FUZZ_OP_COUNT][FUZZ_ERRNO_SLOTS];
	uint64_t accepted[FUZZ_OP_COUNT];
	char first_accepted[FUZZ_DESC_LEN + 96];
	struct {
		const char *id;
		const char *rule;
		uint64_t count;
		char example[FUZZ_DESC_LEN];
	} findings[FUZZ_MAX_FINDINGS];
	unsigned int n_findings;
};

/** fuzz_stats_add() - count call @c; Return: true when it broke a rule (a failure) */
bool fuzz_stats_add(struct fuzz_stats *st, const struct fuzz_call *c);

/**
 * struct fuzz_verdict - the run's failures besides accepted inputs
 * @batches: batches run
 * @splats: new kernel splat lines (WARNING, BUG, KASAN, lockdep, RCU stall, hung task)
 * @hangs: batches that did not finish in time
 * @crashes: batch processes that died
 * @control_failures: positive controls that failed after a batch
 * @leaked_dmabufs: dma-bufs alive after the run that were not before it (-1: unknown)
 * @first_failure: the first failure, one line
 */
struct fuzz_verdict {
	uint64_t batches;
	long splats;
	unsigned int hangs;
	unsigned int crashes;
	unsigned int control_failures;
	long leaked_dmabufs;
	char first_failure[FUZZ_WHY_LEN];
};

/** fuzz_report_print() - the per-op table and the findings, as KTAP comments */
void fuzz_report_print(const struct fuzz_stats *st, const char (*unavailable)[160]);

/** fuzz_report_json() - write the results JSON (pfnsuite-fuzz/1) to @path */
int fuzz_report_json(const char *path, const struct fuzz_stats *st,
		     const char (*unavailable)[160], const struct fuzz_verdict *v,
		     const struct fuzz_options *opt, struct pfn_err *err);

/* ---- the run ----------------------------------------------------------- */

/**
 * struct fuzz_options - how to run
 * @iterations: calls in all
 * @seed: the generator's seed
 * @batch: calls per batch (each batch: one child process, then a control)
 * @batch_timeout_s: a batch that does not finish in time is a hang
 * @save_dir: where a failing batch is saved as a replayable input (NULL: not saved)
 * @replay: a saved input to run instead of generating batches (NULL: none)
 * @json_path: results JSON (NULL: none)
 * @verbose: print every call
 */
struct fuzz_options {
	uint64_t iterations;
	uint64_t seed;
	unsigned int batch;
	unsigned int batch_timeout_s;
	const char *save_dir;
	const char *replay;
	const char *json_path;
	bool verbose;
};

/**
 * fuzz_input_read() - read a saved input (--save-dir): its seed, batch
 * index and calls per batch
 * Return: 0, or a negative errno with @err saying what is wrong.
 */
int fuzz_input_read(const char *path, uint64_t *seed, uint64_t *batch, unsigned int *calls,
		    struct pfn_err *err);

/**
 * fuzz_run() - run the fuzzer against @ctx's target
 * Return: an enum cli_exit: 0 no splat, no hang, no control failure and no
 * bad input accepted outside a documented finding; 1 otherwise; 2 bad
 * input (a replay file that is not one); 3 the target cannot be opened.
 */
int fuzz_run(const struct conform_ctx *ctx, const struct fuzz_options *opt);

#endif /* PFN_FUZZ_H */
