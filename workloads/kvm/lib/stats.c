// SPDX-License-Identifier: GPL-2.0-only
/* KVM binary statistics: header, descriptors, values by name. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "pfnkvm/stats.h"

static int read_exact(int fd, void *buf, size_t len, uint64_t off)
{
	ssize_t n = pread(fd, buf, len, (off_t)off);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int pkvm_stats_open(struct pkvm_stats *st, int kvm_obj_fd, struct pfn_err *err)
{
	struct kvm_stats_header hdr;
	struct kvm_stats_desc *desc;
	size_t desc_size;
	int ret;

	memset(st, 0, sizeof(*st));
	st->fd = ioctl(kvm_obj_fd, KVM_GET_STATS_FD, NULL);
	if (st->fd < 0) {
		ret = pfn_fail_errno(err, "KVM_GET_STATS_FD");
		st->fd = -1;
		return ret;
	}
	ret = read_exact(st->fd, &hdr, sizeof(hdr), 0);
	if (ret) {
		pfn_fail(err, -ret, "reading the KVM stats header: %s", strerror(-ret));
		goto fail;
	}
	desc_size = sizeof(*desc) + hdr.name_size;
	desc = malloc(desc_size);
	if (!desc) {
		ret = pfn_fail(err, ENOMEM, "allocating a KVM stats descriptor");
		goto fail;
	}
	for (uint32_t i = 0; i < hdr.num_desc && st->n < PKVM_STATS_MAX; i++) {
		ret = read_exact(st->fd, desc, desc_size, hdr.desc_offset + (uint64_t)i * desc_size);
		if (ret) {
			pfn_fail(err, -ret, "reading KVM stats descriptor %u: %s", i, strerror(-ret));
			free(desc);
			goto fail;
		}
		if (!desc->size)
			continue;
		snprintf(st->name[st->n], PKVM_STAT_NAME, "%.*s",
			 (int)(hdr.name_size < PKVM_STAT_NAME ? hdr.name_size : PKVM_STAT_NAME - 1),
			 desc->name);
		st->offset[st->n] = hdr.data_offset + desc->offset;
		st->n++;
	}
	free(desc);
	return 0;
fail:
	close(st->fd);
	st->fd = -1;
	return ret;
}

void pkvm_stats_close(struct pkvm_stats *st)
{
	if (st->fd >= 0)
		close(st->fd);
	st->fd = -1;
	st->n = 0;
}

int pkvm_stats_get(const struct pkvm_stats *st, const char *name, uint64_t *value)
{
	if (st->fd < 0)
		return -EBADF;
	for (unsigned int i = 0; i < st->n; i++)
		if (!strcmp(st->name[i], name))
			return read_exact(st->fd, value, sizeof(*value), st->offset[i]);
	return -ENOENT;
}
