/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The pfn fio engine's logic, apart from fio: the controller shared by the
 * job threads (ctrl.c), the placement and mapping of each thread's I/O
 * buffers (place.c), revoke under I/O with its DMA proof (revoke.c) and
 * the per-job report (report.c).  Only fio_engine.c includes fio's headers.
 *
 * One process (fio with thread=1) drives one NVMe controller bound to
 * vfio-pci: it is opened once, in one IOMMU address space (iommufd IOAS or
 * a type1 container), and every job thread gets an I/O queue pair of its
 * own.  The first PFN_FIO_RESERVED bytes of the namespace belong to the
 * suite's DMA driver (its scratch range); fio's "file" is the rest.
 */
#ifndef PFN_FIO_H
#define PFN_FIO_H

#include <stdbool.h>
#include <stdint.h>

#include "pfn/dma.h"
#include "pfn/error.h"
#include "pfn/iommu.h"
#include "pfn/iova.h"
#include "pfn/nvme.h"
#include "pfn/vfio.h"

/* Bytes at the end of a revoked job's BAR slice kept for the DMA proof. */
#define PFN_FIO_PROOF_TAIL	(64ull << 10)

/* Namespace bytes kept for the driver's scratch range (memcpy, proofs). */
#define PFN_FIO_RESERVED	(2ull << 20)

/** enum pfn_fio_mem - where a thread's I/O buffers live */
enum pfn_fio_mem {
	PFN_FIO_MEM_HOST,	/* anonymous host memory */
	PFN_FIO_MEM_MEMFD,	/* a memfd */
	PFN_FIO_MEM_UDMABUF,	/* a udmabuf made of a memfd */
	PFN_FIO_MEM_PEER,	/* a slice of a peer device's BAR */
	PFN_FIO_MEM_CMB,	/* the controller's own CMB (a slice of its BAR) */
};

/** enum pfn_fio_map - how the buffers reach the IOMMU */
enum pfn_fio_map {
	PFN_FIO_MAP_VA,		/* by address: type1 MAP_DMA or iommufd IOAS_MAP of a VMA */
	PFN_FIO_MAP_FILE,	/* by file: iommufd IOAS_MAP_FILE (memfd, udmabuf, dma-buf) */
};

/** enum pfn_fio_revoke - how the buffers are revoked under I/O (a test) */
enum pfn_fio_revoke {
	PFN_FIO_REVOKE_NONE,
	PFN_FIO_REVOKE_MEMORY,	/* clear PCI_COMMAND_MEMORY of the BAR's device */
	PFN_FIO_REVOKE_RESET,	/* VFIO_DEVICE_RESET of it */
};

/**
 * struct pfn_fio_cfg - the engine options of a job (all jobs of a process
 * must name the same device and IOMMU mode)
 * @device: the NVMe controller's BDF
 * @peer: the peer device's BDF (mem=peer)
 * @peer_bar: its BAR
 * @mem: placement
 * @map: mapping path
 * @mode: IOMMU backend
 * @allow_destructive: a namespace holding data may be overwritten
 * @timeout_ms: longest wait for one command
 * @revoke: revoke under I/O (peer/cmb placements)
 * @revoke_ms: after this many ms of I/O
 * @report: file the job's report line is appended to, "" for none
 */
struct pfn_fio_cfg {
	char device[PFN_BDF_LEN];
	char peer[PFN_BDF_LEN];
	unsigned int peer_bar;
	enum pfn_fio_mem mem;
	enum pfn_fio_map map;
	enum pfn_iommu_mode mode;
	bool allow_destructive;
	int timeout_ms;
	enum pfn_fio_revoke revoke;
	unsigned int revoke_ms;
	char report[4096];
};

const char *pfn_fio_mem_name(enum pfn_fio_mem mem);
const char *pfn_fio_map_name(enum pfn_fio_map map);

/**
 * struct pfn_fio_ctrl - the controller all job threads share
 * @users: job threads holding it
 * @cfg: the configuration of the first job
 * @io: the IOMMU address space
 * @dev: the controller
 * @peer: the peer device (mem=peer), open when @peer_open
 * @peer_open: @peer is open
 * @iovas: usable IOVA ranges
 * @dma: the suite's NVMe driver on @dev
 * @info: what the driver found
 * @bar_next: next free byte of the BAR that buffers are placed in
 * @cmb: the controller's CMB (mem=cmb), once @cmb_iova is set
 * @cmb_iova: IOVA window of the whole CMB; buffers sit at their CMB offset
 *	in it, and the controller is told it is where the host sees the CMB
 *	(CMBMSC.CBA), so that it serves those data pointers itself
 */
struct pfn_fio_ctrl {
	unsigned int users;
	struct pfn_fio_cfg cfg;
	struct pfn_iommu io;
	struct pfn_vfio_dev dev;
	struct pfn_vfio_dev peer;
	bool peer_open;
	struct pfn_iova_space iovas;
	struct pfn_dma dma;
	struct pfn_nvme_info info;
	uint64_t bar_next;
	struct pfn_nvme_cmb cmb;
	uint64_t cmb_iova;
};

/** pfn_fio_lock() / pfn_fio_unlock() - the process-wide engine lock. */
void pfn_fio_lock(void);
void pfn_fio_unlock(void);

/**
 * pfn_fio_ctrl_get() - the shared controller, opened by the first caller
 * @cfg: the job's options (checked against the first job's)
 * @err: one line: what is wrong and what to do
 * Call with the engine lock held.  Return: the controller or NULL.
 */
struct pfn_fio_ctrl *pfn_fio_ctrl_get(const struct pfn_fio_cfg *cfg, struct pfn_err *err);

/** pfn_fio_ctrl_put() - drop a reference; the last one closes everything. */
void pfn_fio_ctrl_put(struct pfn_fio_ctrl *c);

/**
 * pfn_fio_ctrl_bar() - the device whose BAR holds the buffers (mem=peer:
 * the peer, mem=cmb: the controller itself) and that BAR's index
 */
struct pfn_vfio_dev *pfn_fio_ctrl_bar(struct pfn_fio_ctrl *c, uint32_t *bar);

/**
 * struct pfn_fio_buf - one thread's I/O buffers, placed and mapped
 * @cpu: CPU view (what fio fills and verifies)
 * @len: bytes
 * @iova: where the controller sees @cpu
 * @fd: the memfd, udmabuf or dma-buf behind it, -1 for none
 * @memfd: the memfd of a udmabuf, -1 otherwise
 * @bar_off: offset in the BAR (BAR placements)
 * @mapped: the IOMMU mapping exists
 * @map_ns: time the IOMMU map call took
 * @setup_ns: time from nothing to mapped buffers (allocation, export, map)
 * @revoked: the buffers were revoked (no new I/O is sent into them)
 */
struct pfn_fio_buf {
	void *cpu;
	uint64_t len;
	uint64_t iova;
	int fd;
	int memfd;
	uint64_t bar_off;
	bool mapped;
	uint64_t map_ns;
	uint64_t setup_ns;
	bool revoked;
};

/**
 * pfn_fio_buf_alloc() - place @len bytes and map them for the controller
 * @c: the controller (engine lock held)
 * @len: bytes fio asked for
 * @b: filled; on failure what was done is recorded for pfn_fio_buf_free()
 * @err: one line: what failed, and what to do
 */
int pfn_fio_buf_alloc(struct pfn_fio_ctrl *c, uint64_t len, struct pfn_fio_buf *b,
		      struct pfn_err *err);

/** pfn_fio_buf_free() - unmap and release; call when no command uses it. */
void pfn_fio_buf_free(struct pfn_fio_ctrl *c, struct pfn_fio_buf *b);

/** pfn_fio_now_ns() - CLOCK_MONOTONIC in nanoseconds. */
uint64_t pfn_fio_now_ns(void);

/**
 * struct pfn_fio_revoke_result - what revoke under I/O did
 * @done: the revoke was issued
 * @at_ns: when (pfn_fio_now_ns())
 * @rc: the revoke call's result
 * @control_before: the positive control before the revoke landed (0) or
 *	its error
 * @after: the proof DMA through the old mapping after the revoke: its
 *	state (landed / canary / changed), -1 when not judged
 * @after_status: that DMA's completion status
 * @control_after: the positive control after (the controller still
 *	works), 0 or its error
 * @map_after_rc: a new map of the revoked buffer (the dma-buf path:
 *	-ENODEV expected)
 * @msg: what went wrong, or a one-line summary
 */
struct pfn_fio_revoke_result {
	bool done;
	uint64_t at_ns;
	int rc;
	int control_before;
	int after;
	int after_status;
	int control_after;
	int map_after_rc;
	char msg[PFN_ERR_MSG_MAX + 128];
};

/**
 * pfn_fio_revoke_run() - revoke @b under I/O and judge it with the DMA
 * proof: positive control into the buffer's BAR slice, revoke, memory
 * enabled again, canary, a DMA through the old IOVA (must not land on the
 * dma-buf path), a positive control through a fresh host mapping
 * @c: the controller (engine lock held; the memcpy engine is free)
 * @b: the buffers (a BAR placement); @b->revoked is set before the revoke
 * @kind: how
 * @out: the outcome
 */
void pfn_fio_revoke_run(struct pfn_fio_ctrl *c, struct pfn_fio_buf *b, enum pfn_fio_revoke kind,
			struct pfn_fio_revoke_result *out);

/**
 * struct pfn_fio_job_report - one job's figures besides fio's own
 * @job: job name
 * @cfg: its options
 * @buf_bytes: its buffers' size (a copy: fio frees them before the report)
 * @setup_ns: their setup time
 * @map_ns: their IOMMU map time
 * @qp_ns: time to create the job's queue pair
 * @free_ns: time to unmap and release the buffers
 * @faults_minor: minor CPU faults of the job thread while it ran
 * @faults_major: major CPU faults
 * @io_errors: I/Os the engine completed with an error
 * @first_error: the first error's text
 * @revoke: revoke outcome (cfg.revoke)
 * @first_error_after_revoke_ns: time from the revoke to the first failed I/O
 */
struct pfn_fio_job_report {
	const char *job;
	const struct pfn_fio_cfg *cfg;
	uint64_t buf_bytes;
	uint64_t setup_ns;
	uint64_t map_ns;
	uint64_t qp_ns;
	uint64_t free_ns;
	uint64_t faults_minor;
	uint64_t faults_major;
	uint64_t io_errors;
	char first_error[PFN_ERR_MSG_MAX + 128];
	struct pfn_fio_revoke_result revoke;
	int64_t first_error_after_revoke_ns;
};

/**
 * pfn_fio_report_write() - append @r as one JSON line to @r->cfg->report
 * Return: 0 or a negative errno (@err says why).
 */
int pfn_fio_report_write(const struct pfn_fio_job_report *r, struct pfn_err *err);

#endif /* PFN_FIO_H */
