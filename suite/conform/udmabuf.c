// SPDX-License-Identifier: GPL-2.0-only
/* udmabuf: a CPU-memory dma-buf exporter that is not vfio, for the cases. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/udmabuf.h>

#include "conform.h"

int conform_make_udmabuf(uint64_t size, int *memfd, struct conform_result *res)
{
	struct udmabuf_create create = { .flags = UDMABUF_FLAGS_CLOEXEC, .size = size };
	int dev, fd;

	*memfd = -1;
	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		conform_skip(res, "/dev/udmabuf is missing: the kernel lacks CONFIG_UDMABUF");
		return -1;
	}
	*memfd = memfd_create("pfn-udmabuf", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (*memfd < 0 || ftruncate(*memfd, (off_t)size) ||
	    fcntl(*memfd, F_ADD_SEALS, F_SEAL_SHRINK)) {
		conform_fail(res, "memfd for udmabuf: %s", strerror(errno));
		close(dev);
		return -1;
	}
	create.memfd = (uint32_t)*memfd;
	fd = ioctl(dev, UDMABUF_CREATE, &create);
	if (fd < 0)
		conform_fail(res, "UDMABUF_CREATE: %s", strerror(errno));
	close(dev);
	return fd;
}
