// SPDX-License-Identifier: GPL-2.0-only
/* The objects a fuzz batch works on, and the fds its calls take. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "fuzz.h"

#define MEMFD_PAGES 16

/* Mark @op unavailable: "@what: strerror(errno)@hint". */
static void unavailable(struct fuzz_world *w, enum fuzz_op op, const char *what, const char *hint)
{
	snprintf(w->unavailable[op], sizeof(w->unavailable[op]), "%s: %s%s", what, strerror(errno),
		 hint);
}

static int open_memfd(struct fuzz_world *w)
{
	w->memfd_size = MEMFD_PAGES * w->ctx->page;
	w->memfd = memfd_create("pfn-fuzz", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (w->memfd < 0)
		return -errno;
	if (ftruncate(w->memfd, (off_t)w->memfd_size) ||
	    fcntl(w->memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW))
		return -errno;
	return 0;
}

/* The argument buffer: usable bytes end where a PROT_NONE page begins. */
static int open_args(struct fuzz_world *w)
{
	size_t page = (size_t)w->ctx->page;
	uint8_t *base = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (base == MAP_FAILED)
		return -errno;
	if (mprotect(base + page, page, PROT_NONE)) {
		munmap(base, 2 * page);
		return -errno;
	}
	w->args_len = page;
	w->args = base;
	return 0;
}

static void open_kvm(struct fuzz_world *w)
{
	w->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (w->kvm < 0) {
		unavailable(w, FUZZ_KVM_SLOT, "/dev/kvm", "");
		return;
	}
	w->vm = ioctl(w->kvm, KVM_CREATE_VM, 0);
	if (w->vm < 0)
		unavailable(w, FUZZ_KVM_SLOT, "KVM_CREATE_VM", "");
}

static void open_ref(struct fuzz_world *w)
{
	w->ref_exp = open("/dev/pfn_ref_exp", O_RDWR | O_CLOEXEC);
	if (w->ref_exp < 0)
		unavailable(w, FUZZ_REF_EXP, "/dev/pfn_ref_exp", " (load reference-kernel/modules)");
	w->ref_imp = open("/dev/pfn_ref_imp", O_RDWR | O_CLOEXEC);
	if (w->ref_imp < 0)
		unavailable(w, FUZZ_REF_IMP, "/dev/pfn_ref_imp", " (load reference-kernel/modules)");
}

int fuzz_world_open(struct fuzz_world *w, const struct conform_ctx *ctx, struct pfn_err *err)
{
	struct conform_result res = { .result = PFN_PASS };
	int ret;

	memset(w, 0, sizeof(*w));
	w->ctx = ctx;
	w->memfd = w->eventfd = w->kvm = w->vm = w->ref_exp = w->ref_imp = -1;
	if (!conform_fixture_open(ctx, &w->fx, &res))
		return pfn_fail(err, ENODEV, "%s", res.reason);
	ret = open_args(w);
	if (!ret)
		ret = open_memfd(w);
	if (ret) {
		fuzz_world_close(w);
		return pfn_fail(err, -ret, "fuzz: memory for the calls: %s", strerror(-ret));
	}
	w->eventfd = eventfd(0, EFD_CLOEXEC);
	open_kvm(w);
	open_ref(w);
	return 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void fuzz_world_close(struct fuzz_world *w)
{
	for (unsigned int i = 0; i < w->n_bufs; i++)
		close_fd(&w->bufs[i].fd);
	w->n_bufs = 0;
	close_fd(&w->vm);
	close_fd(&w->kvm);
	close_fd(&w->ref_imp);
	close_fd(&w->ref_exp);
	close_fd(&w->eventfd);
	close_fd(&w->memfd);
	if (w->args)
		munmap(w->args, 2 * w->args_len);
	w->args = NULL;
	conform_fixture_close(&w->fx);
}

void fuzz_world_add_buf(struct fuzz_world *w, int fd, uint64_t size, bool vfio, bool writable)
{
	if (w->n_bufs == FUZZ_MAX_DMABUFS) {
		close(fd);
		return;
	}
	w->bufs[w->n_bufs++] = (struct fuzz_dmabuf){ fd, size, vfio, writable };
}

int fuzz_world_fd(struct fuzz_world *w, struct fuzz_rng *r, char *what, size_t len,
		  const struct fuzz_dmabuf **buf)
{
	unsigned int pick = (unsigned int)fuzz_below(r, 20);
	int fd;

	*buf = NULL;
	if (pick < 12 && w->n_bufs) {
		unsigned int i = (unsigned int)fuzz_below(r, w->n_bufs);

		snprintf(what, len, "%s-dmabuf%u", w->bufs[i].vfio ? "vfio" : "ref", i);
		*buf = &w->bufs[i];
		return w->bufs[i].fd;
	}
	switch (pick % 7) {
	case 0:
		snprintf(what, len, "memfd");
		return w->memfd;
	case 1:
		snprintf(what, len, "eventfd");
		return w->eventfd;
	case 2:
		snprintf(what, len, "iommufd");
		return w->fx.iommu.fd;
	case 3:
		snprintf(what, len, "kvm-vm");
		return w->vm;
	case 4:
		/* a number that was an fd a moment ago */
		fd = dup(0);
		if (fd >= 0)
			close(fd);
		snprintf(what, len, "closed");
		return fd;
	case 5:
		snprintf(what, len, "minus-one");
		return -1;
	default:
		snprintf(what, len, "int-max");
		return INT_MAX;
	}
}

void fuzz_call_ret(struct fuzz_call *c, long ret)
{
	c->ran = true;
	c->ret = ret < 0 ? -errno : 0;
}
