// SPDX-License-Identifier: GPL-2.0-only
/* Page-fault counting: see faults.h. */
#include <linux/perf_event.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "faults.h"

uint64_t fault_count_rusage(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru))
		return 0;
	return (uint64_t)ru.ru_minflt + (uint64_t)ru.ru_majflt;
}

void fault_counter_open(struct fault_counter *fc)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_PAGE_FAULTS;
	attr.disabled = 1;
	attr.exclude_hv = 1;
	fc->start = 0;
	/* This thread, any CPU. */
	fc->fd = (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

void fault_counter_close(struct fault_counter *fc)
{
	if (fc->fd >= 0)
		close(fc->fd);
	fc->fd = -1;
}

void fault_counter_begin(struct fault_counter *fc)
{
	if (fc->fd >= 0) {
		ioctl(fc->fd, PERF_EVENT_IOC_RESET, 0);
		ioctl(fc->fd, PERF_EVENT_IOC_ENABLE, 0);
	} else {
		fc->start = fault_count_rusage();
	}
}

int64_t fault_counter_end(struct fault_counter *fc)
{
	uint64_t v;

	if (fc->fd < 0)
		return (int64_t)(fault_count_rusage() - fc->start);
	ioctl(fc->fd, PERF_EVENT_IOC_DISABLE, 0);
	if (read(fc->fd, &v, sizeof(v)) != (ssize_t)sizeof(v))
		return -1;
	return (int64_t)v;
}

const char *fault_counter_source(const struct fault_counter *fc)
{
	return fc->fd >= 0 ? "perf:page-faults" : "getrusage:minflt+majflt";
}
