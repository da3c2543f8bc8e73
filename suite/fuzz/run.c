// SPDX-License-Identifier: GPL-2.0-only
/*
 * The fuzz run: batches in child processes (a crash or a hang is pinned on
 * the call in flight), kernel splats counted around each batch, a positive
 * DMA control after each, failing batches saved as replayable inputs, and
 * a KTAP line per batch.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../conform/dma_rig.h"
#include "../conform/kstate.h"
#include "../cli/cli.h"
#include "fuzz.h"
#include "pfn/file.h"
#include "pfn/host.h"

#define INPUT_MAGIC "pfnsuite-fuzz-input/1"

/* Shared between the run and the process of one batch. */
struct shared {
	struct fuzz_stats st;
	struct fuzz_call inflight;
	bool in_call;
	unsigned int calls_done;
	bool batch_broke_rule;
	char unavailable[FUZZ_OP_COUNT][160];
	char world_error[PFN_ERR_MSG_MAX];
	bool verbose;
};

static void on_issue(const struct fuzz_call *c, void *arg)
{
	struct shared *sh = arg;

	sh->inflight = *c;
	__atomic_store_n(&sh->in_call, true, __ATOMIC_SEQ_CST);
}

/* The process of one batch: exit 0 when it ran, 3 when the world could not be built. */
static int batch_child(const struct conform_ctx *ctx, struct shared *sh, uint64_t seed,
		       uint64_t batch, unsigned int calls)
{
	struct fuzz_world w;
	struct fuzz_rng r;
	struct fuzz_call c;
	struct pfn_err err;

	if (fuzz_world_open(&w, ctx, &err)) {
		snprintf(sh->world_error, sizeof(sh->world_error), "%s", err.msg);
		return CLI_EXIT_INFRA;
	}
	memcpy(sh->unavailable, w.unavailable, sizeof(sh->unavailable));
	w.on_issue = on_issue;
	w.on_issue_arg = sh;
	fuzz_rng_seed(&r, seed, batch);
	for (unsigned int i = 0; i < calls; i++) {
		fuzz_step(&w, &r, &c);
		__atomic_store_n(&sh->in_call, false, __ATOMIC_SEQ_CST);
		if (fuzz_stats_add(&sh->st, &c))
			sh->batch_broke_rule = true;
		sh->calls_done = i + 1;
		if (sh->verbose)
			printf("# call %" PRIu64 ".%u %s %s%s: %s%s%s\n", batch, i, fuzz_op_name(c.op),
			       c.desc, c.ran ? "" : " (not run)",
			       c.ret ? (strerrorname_np(-c.ret) ?: "?") : "ok",
			       c.must_fail ? " must fail: " : "", c.must_fail ? c.must_fail : "");
		fflush(stdout);
	}
	fuzz_world_close(&w);
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Wait for @pid up to @timeout_s.  Return: its wait status, or -1 when it
 * did not end (it is then killed; a process stuck in the kernel may not die).
 */
static int wait_batch(pid_t pid, unsigned int timeout_s)
{
	double until = now_s() + timeout_s;
	int status;

	while (now_s() < until) {
		pid_t got = waitpid(pid, &status, WNOHANG);

		if (got == pid)
			return status;
		if (got < 0 && errno != EINTR)
			return status = 0;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	for (int i = 0; i < 200; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		usleep(10000);
	}
	return -1;
}

/* The positive control: a fresh dma-buf of the target, mapped, and a DMA that lands. */
static bool control(const struct conform_ctx *ctx, uint64_t batch, char *why, size_t len)
{
	struct conform_result res = { .result = PFN_PASS };
	struct dma_rig rig;
	struct pfn_err err;
	char what[48];
	bool ok;

	if (!rig_open(&rig, ctx, PFN_MODE_IOMMUFD, &res)) {
		snprintf(why, len, "the device no longer exports or maps: %s", res.reason);
		return false;
	}
	snprintf(what, sizeof(what), "after batch %" PRIu64, batch);
	ok = !rig_map_bar(&rig, ctx, &err);
	if (!ok)
		snprintf(why, len, "mapping a fresh dma-buf %s failed: %s", what, err.msg);
	else if (!(ok = rig_control(&rig, what, &res)))
		snprintf(why, len, "%s", res.reason);
	rig_close(&rig);
	return ok;
}

static void save_input(const struct fuzz_options *opt, uint64_t batch, const char *why,
		       const struct shared *sh)
{
	char path[4096];
	struct pfn_file_tx tx;
	struct pfn_err err;

	if (!opt->save_dir)
		return;
	snprintf(path, sizeof(path), "%s/fuzz-%#" PRIx64 "-%" PRIu64 ".input", opt->save_dir,
		 opt->seed, batch);
	if (pfn_file_begin(&tx, path, &err)) {
		printf("# could not save the input: %s\n", err.msg);
		return;
	}
	fprintf(tx.f, "%s\nseed %#" PRIx64 "\nbatch %" PRIu64 "\ncalls %u\n# why: %s\n",
		INPUT_MAGIC, opt->seed, batch, opt->batch, why);
	if (sh->in_call)
		fprintf(tx.f, "# in flight: call %u %s %s\n", sh->calls_done,
			fuzz_op_name(sh->inflight.op), sh->inflight.desc);
	if (pfn_file_commit(&tx, &err))
		printf("# could not save the input: %s\n", err.msg);
	else
		printf("# input saved: %s (replay: pfnsuite fuzz --replay %s)\n", path, path);
}

/*
 * One batch: Return: true when it passed; @v counts what failed and keeps
 * the first failure; *@fatal is set when the run cannot go on (a hang).
 */
static bool run_batch(const struct conform_ctx *ctx, const struct fuzz_options *opt,
		      struct shared *sh, uint64_t batch, struct fuzz_verdict *v, bool *fatal)
{
	struct kstate before, after;
	char why[FUZZ_WHY_LEN] = "";
	int status;
	pid_t pid;

	sh->batch_broke_rule = false;
	sh->in_call = false;
	sh->calls_done = 0;
	kstate_take(&before);
	pfn_kmsg_mark("fuzz batch %" PRIu64 " start", batch);
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		snprintf(why, sizeof(why), "fork: %s", strerror(errno));
		*fatal = true;
	} else if (!pid) {
		_exit(batch_child(ctx, sh, opt->seed, batch, opt->batch));
	} else {
		status = wait_batch(pid, opt->batch_timeout_s);
		if (status == -1) {
			v->hangs++;
			*fatal = true;
			snprintf(why, sizeof(why), "batch %" PRIu64 " hung for %u s in call %u (%s %s)",
				 batch, opt->batch_timeout_s, sh->calls_done,
				 fuzz_op_name(sh->inflight.op), sh->inflight.desc);
		} else if (WIFSIGNALED(status)) {
			v->crashes++;
			snprintf(why, sizeof(why), "batch %" PRIu64 " died of signal %d in call %u (%s %s)",
				 batch, WTERMSIG(status), sh->calls_done,
				 fuzz_op_name(sh->inflight.op), sh->inflight.desc);
		} else if (WEXITSTATUS(status)) {
			*fatal = true;
			snprintf(why, sizeof(why), "batch %" PRIu64 " could not start: %s", batch,
				 sh->world_error);
		}
	}
	if (!*fatal) {
		kstate_take(&after);
		if (after.splats > before.splats) {
			v->splats += after.splats - before.splats;
			if (!why[0])
				snprintf(why, sizeof(why),
					 "%ld kernel splat line(s) during batch %" PRIu64 ": see dmesg",
					 after.splats - before.splats, batch);
		}
		char failed[FUZZ_WHY_LEN / 2];

		if (!control(ctx, batch, failed, sizeof(failed))) {
			v->control_failures++;
			*fatal = true;
			if (!why[0])
				snprintf(why, sizeof(why), "control after batch %" PRIu64 ": %s",
					 batch, failed);
		}
	}
	if (!why[0] && sh->batch_broke_rule)
		snprintf(why, sizeof(why), "a bad input was accepted: %s", sh->st.first_accepted);
	pfn_kmsg_mark("fuzz batch %" PRIu64 " end", batch);
	v->batches++;
	if (why[0]) {
		if (!v->first_failure[0])
			snprintf(v->first_failure, sizeof(v->first_failure), "%s", why);
		save_input(opt, batch, why, sh);
	}
	printf("%s %" PRIu64 " batch_%" PRIu64 "%s%s\n", why[0] ? "not ok" : "ok", batch + 1, batch,
	       why[0] ? " # " : "", why);
	return !why[0];
}

int fuzz_input_read(const char *path, uint64_t *seed, uint64_t *batch, unsigned int *calls,
		      struct pfn_err *err)
{
	char line[512];
	bool magic = false, have_seed = false, have_batch = false, have_calls = false;
	FILE *f = fopen(path, "re");

	if (!f)
		return pfn_fail(err, errno, "--replay %s cannot be read (%s): name an input --save-dir wrote",
				path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#')
			continue;
		if (!strncmp(line, INPUT_MAGIC, strlen(INPUT_MAGIC)))
			magic = true;
		else if (sscanf(line, "seed %" SCNx64, seed) == 1)
			have_seed = true;
		else if (sscanf(line, "batch %" SCNu64, batch) == 1)
			have_batch = true;
		else if (sscanf(line, "calls %u", calls) == 1 && *calls)
			have_calls = true;
	}
	fclose(f);
	if (!magic || !have_seed || !have_batch || !have_calls)
		return pfn_fail(err, EINVAL,
				"--replay %s is not a saved fuzz input (wants '%s' and seed, batch and calls lines)",
				path, INPUT_MAGIC);
	return 0;
}

int fuzz_run(const struct conform_ctx *ctx, const struct fuzz_options *opt_in)
{
	struct conform_result res = { .result = PFN_PASS };
	struct fuzz_options opt = *opt_in;
	struct fuzz_verdict v = { .leaked_dmabufs = -1 };
	uint64_t first = 0, batches, accepted = 0;
	struct kstate start, end;
	struct shared *sh;
	struct pfn_err err;
	bool fatal = false;
	int exit_code;

	if (opt.replay) {
		unsigned int calls;

		if (fuzz_input_read(opt.replay, &opt.seed, &first, &calls, &err)) {
			fprintf(stderr, "pfnsuite fuzz: %s\n", err.msg);
			return CLI_EXIT_USAGE;
		}
		opt.batch = calls;
		opt.iterations = calls;
		opt.verbose = true;
	}
	batches = (opt.iterations + opt.batch - 1) / opt.batch;
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		fprintf(stderr, "pfnsuite fuzz: shared memory: %s\n", strerror(errno));
		return CLI_EXIT_INFRA;
	}
	memset(sh, 0, sizeof(*sh));
	sh->verbose = opt.verbose;
	printf("KTAP version 1\n1..%" PRIu64 "\n", batches);
	if (!conform_ref_modules(ctx, &res))
		printf("# reference modules: %s\n", res.reason);
	kstate_take(&start);
	printf("# fuzz: seed %#" PRIx64 ", %" PRIu64 " calls in batches of %u, target %s BAR%u, DMA %s\n",
	       opt.seed, opt.iterations, opt.batch, ctx->target_bdf, ctx->target_bar, ctx->dma_bdf);
	for (uint64_t b = first; b < first + batches && !fatal; b++) {
		run_batch(ctx, &opt, sh, b, &v, &fatal);
		if ((b - first + 1) % 8 == 0 || b + 1 == first + batches)
			printf("# progress: %" PRIu64 "/%" PRIu64 " batches, %u splat line(s), %u control failure(s)\n",
			       b - first + 1, batches, (unsigned int)v.splats, v.control_failures);
	}
	kstate_take(&end);
	if (start.dmabufs >= 0 && end.dmabufs >= 0 && !v.hangs) {
		v.leaked_dmabufs = end.dmabufs - start.dmabufs;
		if (v.leaked_dmabufs > 0 && !v.first_failure[0])
			snprintf(v.first_failure, sizeof(v.first_failure),
				 "%ld dma-buf(s) alive after the run that were not before it",
				 v.leaked_dmabufs);
	}
	fuzz_report_print(&sh->st, (const char (*)[160])sh->unavailable);
	for (unsigned int op = 0; op < FUZZ_OP_COUNT; op++)
		accepted += sh->st.accepted[op];
	printf("# fuzz: %" PRIu64 " batches, seed %#" PRIx64 ": %ld splat line(s), %u hang(s), %u crash(es), %u control failure(s), %" PRIu64 " bad input(s) accepted, %ld dma-buf(s) leaked\n",
	       v.batches, opt.seed, v.splats, v.hangs, v.crashes, v.control_failures, accepted,
	       v.leaked_dmabufs);
	exit_code = v.first_failure[0] || accepted ? CLI_EXIT_FAILED : CLI_EXIT_OK;
	if (sh->world_error[0] && !v.hangs && !v.crashes && !v.control_failures && !v.splats)
		exit_code = CLI_EXIT_INFRA;	/* the target could not be opened */
	if (opt.json_path &&
	    fuzz_report_json(opt.json_path, &sh->st, (const char (*)[160])sh->unavailable, &v,
			     &opt, &err)) {
		fprintf(stderr, "pfnsuite fuzz: %s\n", err.msg);
		exit_code = CLI_EXIT_INFRA;
	}
	munmap(sh, sizeof(*sh));
	return exit_code;
}
