/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pfn-dpdk's DPDK side: the EAL, the two ports, the packet-buffer pools
 * (hugepages or a peer BAR, mapped by the VMA path or the dma-buf path),
 * the traffic loop and the revoke experiment.  Every function returns 0 or
 * a negative errno and fills a struct pfn_err; only main.c prints.
 */
#ifndef PFNDPDK_DPDK_H
#define PFNDPDK_DPDK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mempool.h>

#include "iommu_ops.h"
#include "pfn/error.h"
#include "pfn/iommu.h"
#include "pfn/vfio.h"
#include "pfndpdk/frame.h"
#include "pfndpdk/opts.h"

/* The IOVA every pool is mapped at (256 GiB): inside a 39-bit IOMMU, far
 * from guest RAM (IOVA-as-PA) and from user addresses (IOVA-as-VA); checked
 * free in DPDK's memory map before use. */
#define PDPDK_POOL_IOVA		(1ull << 38)
#define PDPDK_RING		256
#define PDPDK_BURST		32
#define PDPDK_PAGE		4096ull
/* A reason: an error message with words around it. */
#define PDPDK_REASON_MAX	(PFN_ERR_MSG_MAX + 192)

/** struct pdpdk_port - an ethdev port, found by its BDF */
struct pdpdk_port {
	uint16_t id;
	char bdf[PFN_BDF_LEN];
	char driver[32];
	struct rte_ether_addr mac;
	bool started;
};

/**
 * struct pdpdk_peer - the device whose BAR holds the bar_* pools, opened
 * through its VFIO cdev (its own iommufd: only for the BAR's mmap and its
 * dma-buf export, the NIC never sees that address space)
 */
struct pdpdk_peer {
	struct pfn_iommu iommu;
	struct pfn_vfio_dev dev;
	bool open;
	int bar;
	uint64_t bar_size;
};

/**
 * struct pdpdk_pool_cost - what creating and mapping a pool cost
 * @setup_us: allocation, extmem registration and mempool creation
 * @map_us: the IOMMU map (rte_dev_dma_map or IOMMU_IOAS_MAP_FILE)
 * @faults: CPU page faults (minor + major) during setup and map
 * @ops: IOMMU work of the map, when @ops_counted
 * @ops_counted: the tracefs counter ran
 * @ops_why: why not
 */
struct pdpdk_pool_cost {
	double setup_us;
	double map_us;
	uint64_t faults;
	struct iommu_ops_counts ops;
	bool ops_counted;
	char ops_why[PFN_ERR_MSG_MAX];
};

/**
 * struct pdpdk_pool - one packet-buffer pool and what it cost
 * @kind: the case
 * @va: CPU view of the buffers (hugepages, or the BAR's mmap)
 * @iova: where the NIC reaches them
 * @len: bytes
 * @mp: the mempool (external buffers)
 * @registered: rte_extmem_register() done
 * @mapped: the NIC's IOMMU mapping is in place
 * @dmabuf_fd: the exported BAR slice (dma-buf path), -1 otherwise
 * @ioas_fd: the container fd the dma-buf is mapped through (not owned)
 * @ioas_id: the container's IOAS
 * @cost: what it cost
 */
struct pdpdk_pool {
	enum pdpdk_case kind;
	void *va;
	uint64_t iova;
	size_t len;
	struct rte_mempool *mp;
	bool registered;
	bool mapped;
	int dmabuf_fd;
	int ioas_fd;
	uint32_t ioas_id;
	struct pdpdk_pool_cost cost;
};

/**
 * struct pdpdk_traffic - one traffic sample
 * @frame_size: bytes with FCS
 * @seconds: transmit time
 * @tx_frames: frames the NIC took
 * @rx_frames: frames received (any content)
 * @rx_ok: of which verified byte for byte
 * @bad: received frames by verdict (bad_* and foreign, stale)
 * @out_of_order: frames whose sequence number went backwards
 * @lost: frames sent and never received
 * @imissed, @ierrors, @oerrors, @rx_nombuf: the ports' error counters
 * @faults: CPU page faults during the sample
 * @first_bad_after_us: time from the start to the first bad frame (0: none)
 * @unread: frames received but not read (the BAR was not decoding)
 */
struct pdpdk_traffic {
	unsigned int frame_size;
	double seconds;
	uint64_t tx_frames;
	uint64_t rx_frames;
	uint64_t rx_ok;
	uint64_t bad[PDPDK_FRAME_BAD_DATA + 1];
	uint64_t out_of_order;
	uint64_t lost;
	uint64_t imissed;
	uint64_t ierrors;
	uint64_t oerrors;
	uint64_t rx_nombuf;
	uint64_t faults;
	uint64_t unread;
};

/* eal.c */
int pdpdk_eal_init(const struct pdpdk_opts *o, const char *prog, struct pfn_err *err);
void pdpdk_eal_cleanup(void);
int pdpdk_check_port_driver(const char *opt, const char *bdf, struct pfn_err *err);
int pdpdk_hugepages_ready(unsigned int want, struct pfn_err *err);

/* port.c */
int pdpdk_port_find(struct pdpdk_port *p, const char *opt, const char *bdf, struct pfn_err *err);
int pdpdk_port_start(struct pdpdk_port *p, struct rte_mempool *rx_pool, struct pfn_err *err);
void pdpdk_port_stop(struct pdpdk_port *p);
int pdpdk_ports_link_up(const struct pdpdk_port *a, const struct pdpdk_port *b, struct pfn_err *err);

/* peer.c */
int pdpdk_peer_open(struct pdpdk_peer *peer, const char *bdf, int bar, struct pfn_err *err);
void pdpdk_peer_close(struct pdpdk_peer *peer);
int pdpdk_peer_revoke(struct pdpdk_peer *peer, struct pfn_err *err);
int pdpdk_peer_restore(struct pdpdk_peer *peer, struct pfn_err *err);

/* compat.c */
int pdpdk_container_ioas(int *fd, uint32_t *ioas_id, struct pfn_err *err);
const char *pdpdk_container_backend(void);
/**
 * pdpdk_container_map_errno() - what DPDK's container answers to a
 * VFIO_IOMMU_MAP_DMA of [@va, @va + @len) at @iova, asked directly (DPDK's
 * rte_errno does not carry the kernel's errno): 0 when it maps (the map is
 * undone), else the errno
 */
int pdpdk_container_map_errno(void *va, uint64_t iova, size_t len);

/* pool.c */
size_t pdpdk_pool_bytes(unsigned int mbufs);
int pdpdk_pool_create(struct pdpdk_pool *pool, enum pdpdk_case kind, unsigned int mbufs,
		      const struct pdpdk_port *dma_port, struct pdpdk_peer *peer,
		      const char *name, struct pfn_err *err);
void pdpdk_pool_destroy(struct pdpdk_pool *pool, const struct pdpdk_port *dma_port);
int pdpdk_pool_remap(struct pdpdk_pool *pool, const struct pdpdk_port *dma_port, struct pfn_err *err);

/* traffic.c */
uint64_t pdpdk_minor_faults(void);
double pdpdk_now_us(void);
/**
 * struct pdpdk_flow - what the traffic loop drives
 * @tx: sending port
 * @rx: receiving port
 * @tx_pool: where transmitted frames are built
 * @bar_readable: NULL, or a flag saying whether received data may be read
 *	(false while the peer BAR is not decoding: a read would fault)
 * @stop_after_bad: stop once this many bad frames came in a row (0: never)
 */
struct pdpdk_flow {
	struct pdpdk_port *tx;
	struct pdpdk_port *rx;
	struct rte_mempool *tx_pool;
	const volatile bool *bar_readable;
	unsigned int stop_after_bad;
};
int pdpdk_traffic_run(const struct pdpdk_flow *f, unsigned int frame_size, double seconds,
		      struct pdpdk_traffic *out, struct pfn_err *err);
/** pdpdk_traffic_step() - hook called between bursts (revoke.c); may be NULL. */
typedef void (*pdpdk_step_fn)(void *arg, double elapsed_us);
int pdpdk_traffic_run_hooked(const struct pdpdk_flow *f, unsigned int frame_size, double seconds,
			     pdpdk_step_fn step, void *arg, struct pdpdk_traffic *out,
			     struct pfn_err *err);

#endif /* PFNDPDK_DPDK_H */
