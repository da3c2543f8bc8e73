/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * IOMMU address spaces for VFIO devices: iommufd IOAS or a VFIO type1
 * container, behind one handle; plus the raw calls of each backend, which
 * conformance cases use to drive exact inputs.
 */
#ifndef PFN_IOMMU_H
#define PFN_IOMMU_H

#include <stdbool.h>
#include <stdint.h>

#include "pfn/error.h"

/**
 * enum pfn_iommu_mode - how a device reaches its IOMMU
 * @PFN_MODE_IOMMUFD: device cdev bound to /dev/iommu, attached to an IOAS
 * @PFN_MODE_TYPE1: legacy group in a /dev/vfio/vfio container, type1 v2
 */
enum pfn_iommu_mode {
	PFN_MODE_IOMMUFD,
	PFN_MODE_TYPE1,
};

const char *pfn_iommu_mode_name(enum pfn_iommu_mode mode);

/* Map flags, common to both backends. */
#define PFN_MAP_READ	(1u << 0)
#define PFN_MAP_WRITE	(1u << 1)
#define PFN_MAP_RW	(PFN_MAP_READ | PFN_MAP_WRITE)
/* iommufd only: let the kernel choose the IOVA and return it. */
#define PFN_MAP_ANY_IOVA (1u << 2)

/* ---- iommufd, raw ---------------------------------------------------- */

/** pfn_iommufd_open() - open /dev/iommu; Return: the fd or -errno. */
int pfn_iommufd_open(struct pfn_err *err);

/** pfn_ioas_alloc() - IOMMU_IOAS_ALLOC; stores the new ID in @ioas_id. */
int pfn_ioas_alloc(int iommufd, uint32_t *ioas_id, struct pfn_err *err);

/** pfn_iommufd_destroy() - IOMMU_DESTROY of any iommufd object ID. */
int pfn_iommufd_destroy(int iommufd, uint32_t id, struct pfn_err *err);

/**
 * pfn_ioas_map_user() - IOMMU_IOAS_MAP of user memory
 * @iommufd: iommufd
 * @ioas_id: IOAS
 * @va: user address
 * @length: bytes
 * @iova: in: the IOVA (unless PFN_MAP_ANY_IOVA); out: the IOVA used
 * @flags: PFN_MAP_*
 * @err: error detail
 */
int pfn_ioas_map_user(int iommufd, uint32_t ioas_id, void *va, uint64_t length,
		      uint64_t *iova, uint32_t flags, struct pfn_err *err);

/**
 * pfn_ioas_map_file() - IOMMU_IOAS_MAP_FILE of a memfd or dma-buf
 * @iommufd: iommufd
 * @ioas_id: IOAS
 * @fd: memfd or dma-buf fd
 * @start: byte offset into the file
 * @length: bytes
 * @iova: in: the IOVA (unless PFN_MAP_ANY_IOVA); out: the IOVA used
 * @flags: PFN_MAP_*
 * @err: error detail
 */
int pfn_ioas_map_file(int iommufd, uint32_t ioas_id, int fd, uint64_t start,
		      uint64_t length, uint64_t *iova, uint32_t flags,
		      struct pfn_err *err);

/**
 * pfn_ioas_unmap() - IOMMU_IOAS_UNMAP
 * @unmapped: if not NULL, receives the number of bytes unmapped
 * (iova 0, length 0 unmaps everything).
 */
int pfn_ioas_unmap(int iommufd, uint32_t ioas_id, uint64_t iova, uint64_t length,
		   uint64_t *unmapped, struct pfn_err *err);

/* ---- VFIO type1 container, raw ----------------------------------------- */

/**
 * pfn_type1_open() - open /dev/vfio/vfio and check for the type1 v2 IOMMU
 * Return: the container fd, or -errno (-ENODEV without VFIO_CONTAINER).
 */
int pfn_type1_open(struct pfn_err *err);

/**
 * pfn_type1_backend() - what serves /dev/vfio/vfio
 * @sysfs: sysfs mount point
 *
 * Return: "type1" (VFIO's own type1 container: the VMA path walks the
 * BAR's VMA), "iommufd-compat" (iommufd's emulation of it,
 * IOMMUFD_VFIO_CONTAINER: maps go through iommufd, which refuses BAR VMAs,
 * so the type1 findings do not apply), or "none".
 */
const char *pfn_type1_backend(const char *sysfs);

/** pfn_type1_set_iommu() - VFIO_SET_IOMMU(TYPE1v2), after a group joined. */
int pfn_type1_set_iommu(int container, struct pfn_err *err);

/** pfn_type1_map() - VFIO_IOMMU_MAP_DMA of [@va, @va + @length) at @iova. */
int pfn_type1_map(int container, void *va, uint64_t iova, uint64_t length,
		  uint32_t flags, struct pfn_err *err);

/** pfn_type1_unmap() - VFIO_IOMMU_UNMAP_DMA; @unmapped may be NULL. */
int pfn_type1_unmap(int container, uint64_t iova, uint64_t length,
		    uint64_t *unmapped, struct pfn_err *err);

/* ---- one handle for either ------------------------------------------------ */

/**
 * struct pfn_iommu - an IOMMU address space devices can be attached to
 * @mode: backend
 * @fd: the iommufd or the type1 container fd
 * @ioas_id: the IOAS (iommufd mode)
 * @type1_ready: VFIO_SET_IOMMU done (type1 mode; needs a group first)
 */
struct pfn_iommu {
	enum pfn_iommu_mode mode;
	int fd;
	uint32_t ioas_id;
	bool type1_ready;
};

/** pfn_iommu_open() - open a new address space of @mode. */
int pfn_iommu_open(struct pfn_iommu *iommu, enum pfn_iommu_mode mode,
		   struct pfn_err *err);

/** pfn_iommu_close() - close the address space (devices should be closed first). */
void pfn_iommu_close(struct pfn_iommu *iommu);

/** pfn_iommu_map_user() - map user memory at a fixed @iova, either backend. */
int pfn_iommu_map_user(struct pfn_iommu *iommu, void *va, uint64_t length,
		       uint64_t iova, uint32_t flags, struct pfn_err *err);

/** pfn_iommu_unmap() - unmap [@iova, @iova + @length), either backend. */
int pfn_iommu_unmap(struct pfn_iommu *iommu, uint64_t iova, uint64_t length,
		    struct pfn_err *err);

#endif /* PFN_IOMMU_H */
