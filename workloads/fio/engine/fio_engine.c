// SPDX-License-Identifier: GPL-2.0-only
/*
 * pfn: a fio ioengine driving an NVMe controller bound to vfio-pci through
 * the suite's userspace NVMe driver, with the I/O buffers placed and mapped
 * as a job option says (host memory by address or by file, a peer device's
 * BAR by VMA or by dma-buf, the controller's CMB).  One I/O queue pair per
 * job thread, PRP lists, polled completions, bounded waits, NVMe status in
 * fio's error reports.  Built against the source of the installed fio
 * (workloads/fio/Makefile); the ioengine ABI is checked at load.
 *
 *   fio --ioengine=external:workloads/fio/build/pfn-fio.so --thread \
 *       --pfn_device=0000:01:00.0 --filename=pfn ...
 *
 * The only file that includes fio's headers.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "fio.h"
#include "optgroup.h"

#include "pfn_fio.h"

/* The fio these headers come from, checked against the running one. */
#ifndef PFN_FIO_BUILT_FOR
#error "build with -DPFN_FIO_BUILT_FOR=\"fio-x.y\" (workloads/fio/Makefile does)"
#endif

/* engine_data of an io_u that failed: why, for errdetails(). */
enum { ERR_NVME = 1, ERR_REVOKED, ERR_ARG };

struct pfn_options {
	void *pad;	/* no option may sit at offset 0 */
	char *device;
	char *mem;
	char *map;
	char *iommu;
	char *peer;
	unsigned int peer_bar;
	unsigned int allow_destructive;
	unsigned int timeout_ms;
	char *revoke;
	unsigned int revoke_ms;
	char *report;
};

/**
 * struct pfn_td - one job thread's engine state
 * @cfg: its options
 * @ctrl: the shared controller (a reference)
 * @qp: its queue pair
 * @buf: its I/O buffers
 * @have_buf: @buf was allocated
 * @events: completions reaped by getevents(), handed out by event()
 * @done: reap buffer
 * @queued: io_us queued since the last commit
 * @nqueued: entries in @queued
 * @ru0: the thread's rusage when I/O began
 * @report: what goes into the report line
 * @revoker: the revoke thread (cfg.revoke)
 * @revoker_started: @revoker runs
 */
struct pfn_td {
	struct pfn_fio_cfg cfg;
	struct pfn_fio_ctrl *ctrl;
	struct pfn_nvme_qp *qp;
	struct pfn_fio_buf buf;
	bool have_buf;
	struct io_u **events;
	struct pfn_nvme_done *done;
	struct io_u **queued;
	unsigned int nqueued;
	struct rusage ru0;
	struct pfn_fio_job_report report;
	pthread_t revoker;
	bool revoker_started;
};

static int parse_choice(const char *opt, const char *val, const char *const *names,
			unsigned int n, unsigned int *out, struct pfn_err *err)
{
	char list[128] = "";

	for (unsigned int i = 0; i < n; i++) {
		if (val && !strcmp(val, names[i])) {
			*out = i;
			return 0;
		}
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "",
			 names[i]);
	}
	return pfn_fail(err, EINVAL, "pfn: %s=%s is not one of: %s", opt, val ? val : "",
			list);
}

static int parse_cfg(struct thread_data *td, struct pfn_fio_cfg *cfg, struct pfn_err *err)
{
	static const char *const mems[] = { "host", "memfd", "udmabuf", "peer", "cmb" };
	static const char *const maps[] = { "va", "file" };
	static const char *const modes[] = { "iommufd", "type1" };
	static const char *const revokes[] = { "none", "memory", "reset" };
	struct pfn_options *o = td->eo;
	unsigned int v;

	memset(cfg, 0, sizeof(*cfg));
	if (!o->device || !*o->device)
		return pfn_fail(err, EINVAL,
				"pfn: no controller: set pfn_device=BDF (an NVMe controller bound to vfio-pci, e.g. 0000:01:00.0)");
	if (pfn_bdf_parse(o->device, cfg->device, err))
		return pfn_fail(err, EINVAL, "pfn: pfn_device: %s", err->msg);
	if (parse_choice("pfn_mem", o->mem ? o->mem : "host", mems, 5, &v, err))
		return -EINVAL;
	cfg->mem = v;
	if (parse_choice("pfn_map", o->map ? o->map : "va", maps, 2, &v, err))
		return -EINVAL;
	cfg->map = v;
	if (parse_choice("pfn_iommu", o->iommu ? o->iommu : "iommufd", modes, 2, &v, err))
		return -EINVAL;
	cfg->mode = v ? PFN_MODE_TYPE1 : PFN_MODE_IOMMUFD;
	if (parse_choice("pfn_revoke", o->revoke ? o->revoke : "none", revokes, 3, &v, err))
		return -EINVAL;
	cfg->revoke = v;
	if (cfg->mem == PFN_FIO_MEM_PEER) {
		if (!o->peer || !*o->peer)
			return pfn_fail(err, EINVAL,
					"pfn: pfn_mem=peer needs pfn_peer=BDF (a device bound to vfio-pci whose BAR pfn_peer_bar holds the buffers)");
		if (pfn_bdf_parse(o->peer, cfg->peer, err))
			return pfn_fail(err, EINVAL, "pfn: pfn_peer: %s", err->msg);
	}
	if (o->peer_bar >= PFN_NUM_BARS)
		return pfn_fail(err, EINVAL, "pfn: pfn_peer_bar=%u: a BAR is 0 to 5", o->peer_bar);
	if (cfg->revoke && cfg->mem != PFN_FIO_MEM_PEER && cfg->mem != PFN_FIO_MEM_CMB)
		return pfn_fail(err, EINVAL,
				"pfn: pfn_revoke revokes a BAR: it needs pfn_mem=peer or pfn_mem=cmb");
	cfg->peer_bar = o->peer_bar;
	cfg->allow_destructive = o->allow_destructive;
	cfg->timeout_ms = o->timeout_ms ? (int)o->timeout_ms : 10000;
	cfg->revoke_ms = o->revoke_ms;
	snprintf(cfg->report, sizeof(cfg->report), "%s", o->report ? o->report : "");
	return 0;
}

static int fail_td(struct thread_data *td, const struct pfn_err *err)
{
	log_err("%s\n", err->msg);
	td_verror(td, err->code ? err->code : EINVAL, "pfn engine");
	return 1;
}

/* Runs where fio sizes the files (main thread, before the job threads). */
static int pfn_setup(struct thread_data *td)
{
	struct pfn_td *p = td->io_ops_data;
	struct pfn_err err = { 0 };
	struct fio_file *f;
	uint64_t size;
	unsigned int i;

	if (p)
		return 0;
	if (!td->o.use_thread) {
		pfn_fail(&err, EINVAL,
			 "pfn: the jobs share one controller in one process: add thread=1 (--thread) to the job");
		return fail_td(td, &err);
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		pfn_fail(&err, ENOMEM, "pfn: engine state");
		return fail_td(td, &err);
	}
	td->io_ops_data = p;
	if (parse_cfg(td, &p->cfg, &err))
		return fail_td(td, &err);
	pfn_fio_lock();
	p->ctrl = pfn_fio_ctrl_get(&p->cfg, &err);
	pfn_fio_unlock();
	if (!p->ctrl)
		return fail_td(td, &err);
	if (!td->files_index)
		add_file(td, td->o.filename ? td->o.filename : "pfn", 0, 0);
	size = (p->ctrl->info.ns.nsze << p->ctrl->info.ns.lba_shift) - PFN_FIO_RESERVED;
	for_each_file(td, f, i) {
		f->real_file_size = size;
		fio_file_set_size_known(f);
	}
	return 0;
}

static int pfn_init(struct thread_data *td)
{
	struct pfn_td *p = td->io_ops_data;
	struct pfn_err err = { 0 };
	unsigned int depth = td->o.iodepth;
	uint64_t t0;
	int ret;

	if (!p || !p->ctrl)
		return 1;	/* setup() reported it */
	if (td->o.max_bs[DDIR_READ] > p->ctrl->info.max_transfer ||
	    td->o.max_bs[DDIR_WRITE] > p->ctrl->info.max_transfer) {
		pfn_fail(&err, EINVAL,
			 "pfn: bs above the controller's largest transfer (%llu bytes, MDTS): use a smaller bs",
			 (unsigned long long)p->ctrl->info.max_transfer);
		return fail_td(td, &err);
	}
	t0 = pfn_fio_now_ns();
	pfn_fio_lock();
	ret = pfn_nvme_qp_create(&p->ctrl->dma, depth + 1, &p->qp, &err);
	pfn_fio_unlock();
	p->report.qp_ns = pfn_fio_now_ns() - t0;
	if (ret) {
		if (ret == -EINVAL)
			pfn_fail(&err, EINVAL, "pfn: iodepth=%u: %s; use a smaller iodepth", depth,
				 err.msg);
		return fail_td(td, &err);
	}
	p->events = calloc(depth, sizeof(*p->events));
	p->done = calloc(depth, sizeof(*p->done));
	p->queued = calloc(depth, sizeof(*p->queued));
	if (!p->events || !p->done || !p->queued) {
		pfn_fail(&err, ENOMEM, "pfn: %u completion slots", depth);
		return fail_td(td, &err);
	}
	p->report.job = td->o.name;
	p->report.cfg = &p->cfg;
	p->report.first_error_after_revoke_ns = -1;
	return 0;
}

static void *revoker(void *arg)
{
	struct pfn_td *p = arg;

	usleep(p->cfg.revoke_ms * 1000u);
	pfn_fio_lock();
	pfn_fio_revoke_run(p->ctrl, &p->buf, p->cfg.revoke, &p->report.revoke);
	pfn_fio_unlock();
	return NULL;
}

static int pfn_iomem_alloc(struct thread_data *td, size_t len)
{
	struct pfn_td *p = td->io_ops_data;
	struct pfn_err err = { 0 };
	int ret;

	if (!p || !p->ctrl)
		return 1;
	pfn_fio_lock();
	/* A revoke test keeps the slice's tail for its DMA proof (revoke.c). */
	ret = pfn_fio_buf_alloc(p->ctrl, len + (p->cfg.revoke ? PFN_FIO_PROOF_TAIL : 0), &p->buf,
				&err);
	pfn_fio_unlock();
	p->have_buf = true;
	if (ret)
		return fail_td(td, &err);
	td->orig_buffer = p->buf.cpu;
	p->report.buf_bytes = p->buf.len;
	p->report.setup_ns = p->buf.setup_ns;
	p->report.map_ns = p->buf.map_ns;
	getrusage(RUSAGE_THREAD, &p->ru0);
	if (p->cfg.revoke) {
		if (pthread_create(&p->revoker, NULL, revoker, p)) {
			pfn_fail(&err, EAGAIN, "pfn: cannot start the revoke thread");
			return fail_td(td, &err);
		}
		p->revoker_started = true;
	}
	return 0;
}

static void pfn_iomem_free(struct thread_data *td)
{
	struct pfn_td *p = td->io_ops_data;
	uint64_t t0;

	if (!p || !p->have_buf)
		return;
	if (p->revoker_started) {
		pthread_join(p->revoker, NULL);
		p->revoker_started = false;
	}
	t0 = pfn_fio_now_ns();
	pfn_fio_lock();
	pfn_fio_buf_free(p->ctrl, &p->buf);
	pfn_fio_unlock();
	p->report.free_ns = pfn_fio_now_ns() - t0;
	p->have_buf = false;
	td->orig_buffer = NULL;
}

static void note_error(struct pfn_td *p, struct io_u *io_u, int code, int kind, uint16_t sf,
		       const char *msg)
{
	io_u->error = code;
	io_u->engine_data = (void *)(uintptr_t)((unsigned int)kind << 16 | sf);
	if (!p->report.io_errors++) {
		snprintf(p->report.first_error, sizeof(p->report.first_error), "%s", msg);
		if (p->report.revoke.done)
			p->report.first_error_after_revoke_ns =
				(int64_t)(pfn_fio_now_ns() - p->report.revoke.at_ns);
	}
}

static const char revoked_msg[] =
	"pfn: the I/O buffers were revoked (their BAR was revoked under I/O): the I/O is failed, its data cannot have reached the buffers";

static enum fio_q_status pfn_queue(struct thread_data *td, struct io_u *io_u)
{
	struct pfn_td *p = td->io_ops_data;
	struct pfn_err err = { 0 };
	uint8_t opc;
	int ret;

	fio_ro_check(td, io_u);
	if (io_u->ddir == DDIR_SYNC || io_u->ddir == DDIR_DATASYNC)
		return FIO_Q_COMPLETED;	/* polled writes complete on the media's terms */
	if (io_u->ddir != DDIR_READ && io_u->ddir != DDIR_WRITE) {
		note_error(p, io_u, EOPNOTSUPP, ERR_ARG, 0, "pfn: trim is not supported");
		return FIO_Q_COMPLETED;
	}
	if (__atomic_load_n(&p->buf.revoked, __ATOMIC_ACQUIRE)) {
		note_error(p, io_u, ENODEV, ERR_REVOKED, 0, revoked_msg);
		return FIO_Q_COMPLETED;
	}
	if (pfn_nvme_qp_inflight(p->qp) == pfn_nvme_qp_slots(p->qp))
		return FIO_Q_BUSY;
	opc = io_u->ddir == DDIR_READ ? PFN_NVME_CMD_READ : PFN_NVME_CMD_WRITE;
	ret = pfn_nvme_qp_submit(p->qp, opc, PFN_FIO_RESERVED + io_u->offset, io_u->xfer_buflen,
				 p->buf.iova + (uint64_t)((char *)io_u->xfer_buf - (char *)p->buf.cpu),
				 (uint64_t)(uintptr_t)io_u, &err);
	if (ret == -EBUSY)
		return FIO_Q_BUSY;
	if (ret) {
		log_err("%s\n", err.msg);
		note_error(p, io_u, -ret, ERR_ARG, 0, err.msg);
		return FIO_Q_COMPLETED;
	}
	p->queued[p->nqueued++] = io_u;
	return FIO_Q_QUEUED;
}

static int pfn_commit(struct thread_data *td)
{
	struct pfn_td *p = td->io_ops_data;
	struct timespec now;

	if (!p->nqueued)
		return 0;
	if (fio_fill_issue_time(td)) {
		fio_gettime(&now, NULL);
		for (unsigned int i = 0; i < p->nqueued; i++) {
			memcpy(&p->queued[i]->issue_time, &now, sizeof(now));
			io_u_queued(td, p->queued[i]);
		}
	}
	p->nqueued = 0;
	pfn_nvme_qp_ring(p->qp);
	return 0;
}

static int pfn_getevents(struct thread_data *td, unsigned int min, unsigned int max,
			 const struct timespec *t)
{
	struct pfn_td *p = td->io_ops_data;
	uint64_t deadline = pfn_fio_now_ns() + (uint64_t)p->cfg.timeout_ms * 1000000ull;
	struct pfn_err err = { 0 };
	unsigned int got = 0, spins = 0;
	char desc[128], msg[256];
	int n;

	(void)t;	/* polled: fio's wait hint is not needed */
	if (max > td->o.iodepth)
		max = td->o.iodepth;
	for (;;) {
		n = pfn_nvme_qp_reap(p->qp, p->done, max - got, &err);
		if (n < 0) {
			log_err("%s\n", err.msg);
			td_verror(td, -n, "pfn: NVMe controller");
			return n;
		}
		for (int i = 0; i < n; i++) {
			struct io_u *io_u = (struct io_u *)(uintptr_t)p->done[i].tag;

			io_u->error = 0;
			if (p->done[i].sf) {
				pfn_nvme_status_describe(p->done[i].sf, desc, sizeof(desc));
				snprintf(msg, sizeof(msg), "pfn: NVMe %s failed the %s at byte %llu: %s",
					 p->ctrl->dev.bdf, io_u->ddir == DDIR_READ ? "read" : "write",
					 io_u->offset, desc);
				note_error(p, io_u, EIO, ERR_NVME, p->done[i].sf, msg);
			} else if (__atomic_load_n(&p->buf.revoked, __ATOMIC_ACQUIRE)) {
				note_error(p, io_u, ENODEV, ERR_REVOKED, 0, revoked_msg);
			}
			p->events[got++] = io_u;
		}
		if (got >= min || got == max)
			return (int)got;
		if (n) {
			deadline = pfn_fio_now_ns() + (uint64_t)p->cfg.timeout_ms * 1000000ull;
			continue;
		}
		if (!(++spins & 1023) && pfn_nvme_qp_check(p->qp, &err)) {
			log_err("%s\n", err.msg);
			td_verror(td, err.code, "pfn: NVMe controller");
			return -err.code;
		}
		if (pfn_fio_now_ns() > deadline) {
			log_err("pfn: NVMe %s: %u commands did not complete within pfn_timeout_ms=%d: the controller is stuck or gone\n",
				p->ctrl->dev.bdf, pfn_nvme_qp_inflight(p->qp), p->cfg.timeout_ms);
			td_verror(td, ETIMEDOUT, "pfn: NVMe command timeout");
			return -ETIMEDOUT;
		}
		if (spins > 64)
			sched_yield();
	}
}

static struct io_u *pfn_event(struct thread_data *td, int event)
{
	struct pfn_td *p = td->io_ops_data;

	return p->events[event];
}

static char *pfn_errdetails(struct io_u *io_u)
{
	unsigned int v = (unsigned int)(uintptr_t)io_u->engine_data;
	char desc[128], *out = NULL;

	switch (v >> 16) {
	case ERR_NVME:
		pfn_nvme_status_describe((uint16_t)(v & 0xffff), desc, sizeof(desc));
		if (asprintf(&out, "NVMe status: %s", desc) < 0)
			out = NULL;
		break;
	case ERR_REVOKED:
		out = strdup(revoked_msg);
		break;
	default:
		out = strdup("pfn: the engine refused the I/O (see above)");
		break;
	}
	return out;
}

static void pfn_cleanup(struct thread_data *td)
{
	struct pfn_td *p = td->io_ops_data;
	struct pfn_err err = { 0 };
	struct rusage ru;

	if (!p)
		return;
	if (p->ctrl && p->qp) {
		getrusage(RUSAGE_THREAD, &ru);
		p->report.faults_minor = (uint64_t)(ru.ru_minflt - p->ru0.ru_minflt);
		p->report.faults_major = (uint64_t)(ru.ru_majflt - p->ru0.ru_majflt);
		if (p->cfg.report[0] && pfn_fio_report_write(&p->report, &err))
			log_err("%s\n", err.msg);
	}
	pfn_iomem_free(td);
	pfn_fio_lock();
	pfn_nvme_qp_destroy(p->qp);
	pfn_fio_ctrl_put(p->ctrl);
	pfn_fio_unlock();
	free(p->events);
	free(p->done);
	free(p->queued);
	free(p);
	td->io_ops_data = NULL;
}

static int pfn_open_file(struct thread_data *td, struct fio_file *f)
{
	(void)td;
	(void)f;
	return 0;
}

/* One engine option: fio's fields that differ between them. */
#define PFN_OPT(opt, long_name, kind, field, dflt, text)				\
	{									\
		.name = opt, .lname = long_name, .type = kind,			\
		.off1 = offsetof(struct pfn_options, field), .def = dflt,	\
		.help = text, .category = FIO_OPT_C_ENGINE, .group = FIO_OPT_G_INVALID, \
	}

static struct fio_option options[] = {
	PFN_OPT("pfn_device", "NVMe controller BDF", FIO_OPT_STR_STORE, device, NULL,
		"NVMe controller bound to vfio-pci (BDF)"),
	PFN_OPT("pfn_mem", "buffer placement", FIO_OPT_STR_STORE, mem, NULL,
		"where the I/O buffers live: host, memfd, udmabuf, peer (a BAR of pfn_peer), cmb"),
	PFN_OPT("pfn_map", "mapping path", FIO_OPT_STR_STORE, map, NULL,
		"how they reach the IOMMU: va (by address: MAP_DMA / IOAS_MAP) or file (IOAS_MAP_FILE of the memfd, udmabuf or dma-buf)"),
	PFN_OPT("pfn_iommu", "IOMMU backend", FIO_OPT_STR_STORE, iommu, NULL,
		"iommufd (cdev + IOAS, default) or type1 (VFIO container)"),
	PFN_OPT("pfn_peer", "peer device BDF", FIO_OPT_STR_STORE, peer, NULL,
		"device bound to vfio-pci whose BAR holds the buffers (pfn_mem=peer)"),
	PFN_OPT("pfn_peer_bar", "peer BAR", FIO_OPT_INT, peer_bar, "2",
		"the BAR of pfn_peer (default 2: ivshmem's memory)"),
	PFN_OPT("pfn_allow_destructive", "overwrite data", FIO_OPT_BOOL, allow_destructive, "0",
		"use a namespace that holds a partition table or filesystem (DESTROYS IT)"),
	PFN_OPT("pfn_timeout_ms", "command timeout", FIO_OPT_INT, timeout_ms, "10000",
		"longest wait for a command's completion, in ms"),
	PFN_OPT("pfn_revoke", "revoke under I/O", FIO_OPT_STR_STORE, revoke, NULL,
		"TEST: revoke the buffers' BAR under I/O: none, memory (clear memory enable) or reset"),
	PFN_OPT("pfn_revoke_ms", "revoke delay", FIO_OPT_INT, revoke_ms, "1000",
		"ms of I/O before pfn_revoke"),
	PFN_OPT("pfn_report", "report file", FIO_OPT_STR_STORE, report, NULL,
		"append one JSON line per job (setup cost, faults, errors, revoke) to this file"),
	{ .name = NULL },
};

static struct ioengine_ops ioengine = {
	.name = "pfn",
	.version = FIO_IOOPS_VERSION,
	.flags = FIO_DISKLESSIO | FIO_NOEXTEND | FIO_NODISKUTIL | FIO_ASYNCIO_SETS_ISSUE_TIME,
	.setup = pfn_setup,
	.init = pfn_init,
	.queue = pfn_queue,
	.commit = pfn_commit,
	.getevents = pfn_getevents,
	.event = pfn_event,
	.errdetails = pfn_errdetails,
	.cleanup = pfn_cleanup,
	.open_file = pfn_open_file,
	.iomem_alloc = pfn_iomem_alloc,
	.iomem_free = pfn_iomem_free,
	.options = options,
	.option_struct_size = sizeof(struct pfn_options),
};

void get_ioengine(struct ioengine_ops **ops);

/*
 * fio looks this up with dlsym() after loading the .so: the first place the
 * engine runs, so the version check is here.  A mismatch makes fio refuse
 * the engine ("bad ioops version") after the line saying what to do.
 */
__attribute__((visibility("default"))) void get_ioengine(struct ioengine_ops **ops)
{
	if (strcmp(fio_version_string, PFN_FIO_BUILT_FOR)) {
		log_err("pfn: this engine was built against %s (ioengine ABI %d), this is %s: rebuild it with 'make -C workloads/fio' (it fetches this fio's source)\n",
			PFN_FIO_BUILT_FOR, FIO_IOOPS_VERSION, fio_version_string);
		ioengine.version = -1;
	}
	*ops = &ioengine;
}
