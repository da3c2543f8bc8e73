// SPDX-License-Identifier: GPL-2.0-only
/*
 * One JSON line per job with what fio does not measure: placement and
 * mapping, buffer setup and IOMMU map cost, the job thread's CPU faults,
 * the engine's I/O errors and the revoke outcome.  A line is built in
 * memory and appended with one write() (O_APPEND), so the job threads of a
 * run and runs after each other share a file; workloads/fio/fold.py reads
 * them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "pfn/json.h"
#include "pfn_fio.h"

static const char *revoke_name(enum pfn_fio_revoke r)
{
	return r == PFN_FIO_REVOKE_MEMORY ? "memory" : r == PFN_FIO_REVOKE_RESET ? "reset" : "none";
}

static const char *state_name(int s)
{
	return s == 0 ? "landed" : s == 1 ? "canary" : s == 2 ? "changed" : "not_judged";
}

static void put_revoke(struct pfn_json *j, const struct pfn_fio_job_report *r)
{
	const struct pfn_fio_revoke_result *v = &r->revoke;

	pfn_json_key(j, "revoke");
	pfn_json_object_begin(j);
	pfn_json_kv_string(j, "kind", revoke_name(r->cfg->revoke));
	pfn_json_kv_bool(j, "done", v->done);
	pfn_json_kv_int(j, "rc", v->rc);
	pfn_json_kv_int(j, "control_before", v->control_before);
	pfn_json_kv_string(j, "after", state_name(v->after));
	pfn_json_kv_int(j, "after_status", v->after_status);
	pfn_json_kv_int(j, "control_after", v->control_after);
	pfn_json_kv_int(j, "map_after_rc", v->map_after_rc);
	pfn_json_kv_int(j, "first_error_after_ns", r->first_error_after_revoke_ns);
	pfn_json_kv_string(j, "msg", v->msg);
	pfn_json_object_end(j);
}

int pfn_fio_report_write(const struct pfn_fio_job_report *r, struct pfn_err *err)
{
	struct pfn_json j;
	char *line = NULL;
	size_t len = 0;
	FILE *mem;
	int fd, ret;

	mem = open_memstream(&line, &len);
	if (!mem)
		return pfn_fail_errno(err, "pfn: report line");
	pfn_json_init(&j, mem);
	pfn_json_object_begin(&j);
	pfn_json_kv_string(&j, "job", r->job ? r->job : "");
	pfn_json_kv_string(&j, "device", r->cfg->device);
	pfn_json_kv_string(&j, "iommu", pfn_iommu_mode_name(r->cfg->mode));
	pfn_json_kv_string(&j, "mem", pfn_fio_mem_name(r->cfg->mem));
	pfn_json_kv_string(&j, "map", pfn_fio_map_name(r->cfg->map));
	pfn_json_kv_string(&j, "peer", r->cfg->peer);
	pfn_json_kv_uint(&j, "buf_bytes", r->buf_bytes);
	pfn_json_kv_uint(&j, "setup_ns", r->setup_ns);
	pfn_json_kv_uint(&j, "map_ns", r->map_ns);
	pfn_json_kv_uint(&j, "qp_ns", r->qp_ns);
	pfn_json_kv_uint(&j, "free_ns", r->free_ns);
	pfn_json_kv_uint(&j, "faults_minor", r->faults_minor);
	pfn_json_kv_uint(&j, "faults_major", r->faults_major);
	pfn_json_kv_uint(&j, "io_errors", r->io_errors);
	pfn_json_kv_string(&j, "first_error", r->first_error);
	put_revoke(&j, r);
	pfn_json_object_end(&j);
	ret = pfn_json_finish(&j);
	fclose(mem);
	if (ret) {
		free(line);
		return pfn_fail(err, -ret, "pfn: report line");
	}
	fd = open(r->cfg->report, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		free(line);
		return pfn_fail_errno(err, "pfn: opening the report file %s", r->cfg->report);
	}
	ret = write(fd, line, len) == (ssize_t)len ? 0 : pfn_fail_errno(err, "pfn: writing %s", r->cfg->report);
	free(line);
	if (close(fd) && !ret)
		ret = pfn_fail_errno(err, "pfn: closing %s", r->cfg->report);
	return ret;
}
