// SPDX-License-Identifier: GPL-2.0-only
/* The vCPU thread: KVM_RUN in a loop, exits recorded, bounded control. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <time.h>

#include <linux/kvm.h>

#include "pfnkvm/runner.h"

#define KICK_SIGNAL SIGUSR1
#define KICK_TRIES 100
#define KICK_WAIT 0.05

double pkvm_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void kick_handler(int sig)
{
	(void)sig;
}

static uint64_t thread_faults(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru))
		return 0;
	return (uint64_t)ru.ru_minflt + (uint64_t)ru.ru_majflt;
}

static void stamp(struct pkvm_runner *r, struct pkvm_event *ev)
{
	ev->t = pkvm_now();
	ev->host_faults = thread_faults() - r->host_faults_start;
	if (r->stats) {
		pkvm_stats_get(r->stats, "pf_taken", &ev->pf_taken);
		pkvm_stats_get(r->stats, "pf_fixed", &ev->pf_fixed);
	}
}

/* Called with the lock held. */
static void record(struct pkvm_runner *r, const struct pkvm_event *ev)
{
	if (r->n_ev < PKVM_MAX_EVENTS)
		r->ev[r->n_ev++] = *ev;
	else
		r->n_dropped++;
	pthread_cond_broadcast(&r->cond);
}

/* Record an exit that stops the guest, then wait to be resumed or to quit. */
static bool park(struct pkvm_runner *r, const struct pkvm_event *ev)
{
	bool quit;

	pthread_mutex_lock(&r->lock);
	record(r, ev);
	r->last = *ev;
	r->state = PKVM_PARKED;
	pthread_cond_broadcast(&r->cond);
	while (!r->resume && !r->quit)
		pthread_cond_wait(&r->cond, &r->lock);
	quit = r->quit;
	r->resume = false;
	r->state = quit ? PKVM_FINISHED : PKVM_RUNNING;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
	return !quit;
}

static void finish(struct pkvm_runner *r, const struct pkvm_event *ev)
{
	pthread_mutex_lock(&r->lock);
	if (ev) {
		record(r, ev);
		r->last = *ev;
	}
	r->state = PKVM_FINISHED;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
}

/* Return: true to enter KVM_RUN again. */
static bool handle_exit(struct pkvm_runner *r, struct pkvm_event *ev)
{
	struct kvm_run *run = r->vm->run;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		ev->kind = PKVM_EV_IO;
		ev->port = run->io.port;
		if (run->io.direction == KVM_EXIT_IO_OUT && run->io.size == 4)
			memcpy(&ev->value, (char *)run + run->io.data_offset, 4);
		pthread_mutex_lock(&r->lock);
		if (ev->port == PKVM_PORT_PROGRESS) {
			r->progress_exits++;
			pthread_cond_broadcast(&r->cond);
		} else {
			record(r, ev);
		}
		pthread_mutex_unlock(&r->lock);
		return true;
	case KVM_EXIT_HLT:
		ev->kind = PKVM_EV_HLT;
		finish(r, ev);
		return false;
	case KVM_EXIT_MMIO:
		ev->kind = PKVM_EV_EXIT;
		ev->gpa = run->mmio.phys_addr;
		ev->size = run->mmio.len;
		ev->flags = run->mmio.is_write;
		return park(r, ev);
	case KVM_EXIT_MEMORY_FAULT:
		ev->kind = PKVM_EV_EXIT;
		ev->gpa = run->memory_fault.gpa;
		ev->size = run->memory_fault.size;
		ev->flags = run->memory_fault.flags;
		return park(r, ev);
	default:
		ev->kind = PKVM_EV_EXIT;
		return park(r, ev);
	}
}

static void *vcpu_thread(void *arg)
{
	struct pkvm_runner *r = arg;
	struct kvm_run *run = r->vm->run;
	struct pkvm_event ev;
	bool quit;
	int ret, saved;

	r->host_faults_start = thread_faults();
	for (;;) {
		pthread_mutex_lock(&r->lock);
		quit = r->quit;
		pthread_mutex_unlock(&r->lock);
		if (quit) {
			finish(r, NULL);
			break;
		}
		ret = ioctl(r->vm->vcpu_fd, KVM_RUN, 0);
		saved = errno;
		memset(&ev, 0, sizeof(ev));
		stamp(r, &ev);
		ev.exit_reason = run->exit_reason;
		if (ret < 0 && saved == EINTR) {
			run->immediate_exit = 0;
			ev.kind = PKVM_EV_INTR;
			ev.err = EINTR;
			pthread_mutex_lock(&r->lock);
			record(r, &ev);
			pthread_mutex_unlock(&r->lock);
			continue;
		}
		if (ret < 0) {
			ev.kind = PKVM_EV_ERROR;
			ev.err = saved;
			if (run->exit_reason == KVM_EXIT_MEMORY_FAULT) {
				ev.gpa = run->memory_fault.gpa;
				ev.size = run->memory_fault.size;
				ev.flags = run->memory_fault.flags;
			}
			if (!park(r, &ev))
				break;
			continue;
		}
		if (!handle_exit(r, &ev))
			break;
	}
	return NULL;
}

int pkvm_runner_start(struct pkvm_runner *r, struct pkvm_vm *vm, struct pkvm_stats *stats,
		      struct pfn_err *err)
{
	struct sigaction sa;
	pthread_condattr_t ca;
	int ret;

	memset(r, 0, sizeof(*r));
	r->vm = vm;
	r->stats = stats && stats->fd >= 0 ? stats : NULL;
	r->state = PKVM_RUNNING;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_handler;	/* no SA_RESTART: KVM_RUN returns EINTR */
	sigemptyset(&sa.sa_mask);
	if (sigaction(KICK_SIGNAL, &sa, NULL))
		return pfn_fail_errno(err, "installing the vCPU kick handler");
	pthread_mutex_init(&r->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&r->cond, &ca);
	pthread_condattr_destroy(&ca);
	vm->run->immediate_exit = 0;
	ret = pthread_create(&r->thread, NULL, vcpu_thread, r);
	if (ret) {
		pthread_cond_destroy(&r->cond);
		pthread_mutex_destroy(&r->lock);
		return pfn_fail(err, ret, "starting the vCPU thread: %s", strerror(ret));
	}
	r->started = true;
	return 0;
}

/* Wait on the condition until @deadline; Return: false once it passed. */
static bool wait_until(struct pkvm_runner *r, double deadline)
{
	struct timespec ts;
	double left = deadline - pkvm_now();

	if (left <= 0)
		return false;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)left;
	ts.tv_nsec += (long)((left - (double)(time_t)left) * 1e9);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&r->cond, &r->lock, &ts);
	return true;
}

static unsigned int port_count(const struct pkvm_runner *r, uint32_t port)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < r->n_ev; i++)
		n += r->ev[i].kind == PKVM_EV_IO && r->ev[i].port == port;
	return n;
}

int pkvm_runner_wait_port(struct pkvm_runner *r, uint32_t port, unsigned int count,
			  double timeout)
{
	double deadline = pkvm_now() + timeout;
	int ret;

	pthread_mutex_lock(&r->lock);
	for (;;) {
		if (port_count(r, port) >= count) {
			ret = 0;
			break;
		}
		if (r->state != PKVM_RUNNING) {
			ret = -EPIPE;
			break;
		}
		if (!wait_until(r, deadline)) {
			ret = -ETIMEDOUT;
			break;
		}
	}
	pthread_mutex_unlock(&r->lock);
	return ret;
}

int pkvm_runner_wait_state(struct pkvm_runner *r, double timeout)
{
	double deadline = pkvm_now() + timeout;
	int ret;

	pthread_mutex_lock(&r->lock);
	while (r->state == PKVM_RUNNING && wait_until(r, deadline))
		;
	ret = r->state == PKVM_RUNNING ? -ETIMEDOUT : (int)r->state;
	pthread_mutex_unlock(&r->lock);
	return ret;
}

enum pkvm_run_state pkvm_runner_state(struct pkvm_runner *r)
{
	enum pkvm_run_state s;

	pthread_mutex_lock(&r->lock);
	s = r->state;
	pthread_mutex_unlock(&r->lock);
	return s;
}

int pkvm_runner_resume(struct pkvm_runner *r)
{
	int ret = -EINVAL;

	pthread_mutex_lock(&r->lock);
	if (r->state == PKVM_PARKED) {
		r->resume = true;
		/* Running from now on: a waiter must not see the stale parked state. */
		r->state = PKVM_RUNNING;
		pthread_cond_broadcast(&r->cond);
		ret = 0;
	}
	pthread_mutex_unlock(&r->lock);
	return ret;
}

int pkvm_runner_stop(struct pkvm_runner *r, double timeout)
{
	double deadline = pkvm_now() + timeout;
	bool done;

	if (!r->started)
		return 0;
	pkvm_vm_mailbox(r->vm)->stop = 1;
	pthread_mutex_lock(&r->lock);
	if (r->state == PKVM_PARKED) {
		r->quit = true;
		pthread_cond_broadcast(&r->cond);
	}
	while (r->state != PKVM_FINISHED && wait_until(r, deadline))
		;
	r->quit = true;
	pthread_cond_broadcast(&r->cond);
	for (int i = 0; i < KICK_TRIES && r->state != PKVM_FINISHED; i++) {
		r->vm->run->immediate_exit = 1;
		pthread_kill(r->thread, KICK_SIGNAL);
		wait_until(r, pkvm_now() + KICK_WAIT);
	}
	done = r->state == PKVM_FINISHED;
	pthread_mutex_unlock(&r->lock);
	if (done)
		pthread_join(r->thread, NULL);
	else
		pthread_detach(r->thread);
	r->started = false;
	return done ? 0 : -ETIMEDOUT;
}

bool pkvm_runner_find(struct pkvm_runner *r, uint32_t kind, uint32_t port, unsigned int nth,
		      struct pkvm_event *out)
{
	bool found = false;

	pthread_mutex_lock(&r->lock);
	for (unsigned int i = 0; i < r->n_ev; i++) {
		const struct pkvm_event *ev = &r->ev[i];

		if (ev->kind != kind || (kind == PKVM_EV_IO && ev->port != port))
			continue;
		if (nth-- == 0) {
			*out = *ev;
			found = true;
			break;
		}
	}
	pthread_mutex_unlock(&r->lock);
	return found;
}

void pkvm_runner_destroy(struct pkvm_runner *r)
{
	if (r->started)
		return;
	pthread_cond_destroy(&r->cond);
	pthread_mutex_destroy(&r->lock);
}

const char *pkvm_exit_reason_name(uint32_t reason)
{
	switch (reason) {
	case KVM_EXIT_UNKNOWN:
		return "KVM_EXIT_UNKNOWN";
	case KVM_EXIT_EXCEPTION:
		return "KVM_EXIT_EXCEPTION";
	case KVM_EXIT_IO:
		return "KVM_EXIT_IO";
	case KVM_EXIT_HLT:
		return "KVM_EXIT_HLT";
	case KVM_EXIT_MMIO:
		return "KVM_EXIT_MMIO";
	case KVM_EXIT_SHUTDOWN:
		return "KVM_EXIT_SHUTDOWN";
	case KVM_EXIT_FAIL_ENTRY:
		return "KVM_EXIT_FAIL_ENTRY";
	case KVM_EXIT_INTR:
		return "KVM_EXIT_INTR";
	case KVM_EXIT_INTERNAL_ERROR:
		return "KVM_EXIT_INTERNAL_ERROR";
	case KVM_EXIT_SYSTEM_EVENT:
		return "KVM_EXIT_SYSTEM_EVENT";
	case KVM_EXIT_MEMORY_FAULT:
		return "KVM_EXIT_MEMORY_FAULT";
	default:
		return "KVM_EXIT_(other)";
	}
}

void pkvm_event_describe(const struct pkvm_event *ev, char *buf, size_t len)
{
	const char *why = pkvm_exit_reason_name(ev->exit_reason);

	switch (ev->kind) {
	case PKVM_EV_IO:
		snprintf(buf, len, "OUT port %#x value %llu", ev->port,
			 (unsigned long long)ev->value);
		break;
	case PKVM_EV_HLT:
		snprintf(buf, len, "HLT (KVM_EXIT_HLT)");
		break;
	case PKVM_EV_INTR:
		snprintf(buf, len, "KVM_RUN interrupted (EINTR) by the host's kick");
		break;
	case PKVM_EV_ERROR:
		if (ev->exit_reason == KVM_EXIT_MEMORY_FAULT)
			snprintf(buf, len,
				 "KVM_RUN failed: %s with KVM_EXIT_MEMORY_FAULT gpa %#llx size %#llx flags %#llx",
				 strerrorname_np(ev->err) ? strerrorname_np(ev->err) : "?",
				 (unsigned long long)ev->gpa, (unsigned long long)ev->size,
				 (unsigned long long)ev->flags);
		else
			snprintf(buf, len, "KVM_RUN failed: %s (exit_reason left at %s)",
				 strerrorname_np(ev->err) ? strerrorname_np(ev->err) : "?", why);
		break;
	default:
		if (ev->exit_reason == KVM_EXIT_MMIO)
			snprintf(buf, len, "exit KVM_EXIT_MMIO: %s of %llu bytes at gpa %#llx",
				 ev->flags ? "write" : "read", (unsigned long long)ev->size,
				 (unsigned long long)ev->gpa);
		else if (ev->exit_reason == KVM_EXIT_MEMORY_FAULT)
			snprintf(buf, len, "exit KVM_EXIT_MEMORY_FAULT gpa %#llx size %#llx flags %#llx",
				 (unsigned long long)ev->gpa, (unsigned long long)ev->size,
				 (unsigned long long)ev->flags);
		else
			snprintf(buf, len, "exit %s (%u)", why, ev->exit_reason);
		break;
	}
}
