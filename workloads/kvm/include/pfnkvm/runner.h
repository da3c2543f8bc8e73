/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Running the vCPU in its own thread, so that the host can act (revoke,
 * reset) while the guest runs.  The thread records the exits it sees with
 * timestamps, the vCPU's KVM counters and its own page-fault counts; it
 * parks on an error or unexpected exit and waits to be resumed or told to
 * quit.  Every wait is bounded.
 */
#ifndef PFNKVM_RUNNER_H
#define PFNKVM_RUNNER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pfn/error.h"
#include "pfnkvm/stats.h"
#include "pfnkvm/vm.h"

#define PKVM_MAX_EVENTS 256

/**
 * enum pkvm_ev_kind - what made KVM_RUN return
 * @PKVM_EV_IO: an OUT to a payload port (not PKVM_PORT_PROGRESS)
 * @PKVM_EV_HLT: the guest halted
 * @PKVM_EV_ERROR: KVM_RUN failed (errno in @err, exit_reason as left)
 * @PKVM_EV_EXIT: any other exit reason (MMIO, MEMORY_FAULT, SHUTDOWN, ...)
 * @PKVM_EV_INTR: KVM_RUN returned EINTR because the host kicked the vCPU
 */
enum pkvm_ev_kind {
	PKVM_EV_IO,
	PKVM_EV_HLT,
	PKVM_EV_ERROR,
	PKVM_EV_EXIT,
	PKVM_EV_INTR,
};

/**
 * struct pkvm_event - one recorded exit
 * @t: CLOCK_MONOTONIC seconds when KVM_RUN returned
 * @kind: PKVM_EV_*
 * @err: positive errno for PKVM_EV_ERROR/PKVM_EV_INTR, else 0
 * @exit_reason: kvm_run->exit_reason as KVM left it
 * @port: I/O port (PKVM_EV_IO)
 * @value: the value written (PKVM_EV_IO)
 * @gpa: KVM_EXIT_MMIO / KVM_EXIT_MEMORY_FAULT guest-physical address
 * @size: KVM_EXIT_MEMORY_FAULT size
 * @flags: KVM_EXIT_MEMORY_FAULT flags, or 1 for an MMIO write
 * @pf_taken: the vCPU's "pf_taken" at that moment (0 without stats)
 * @pf_fixed: the vCPU's "pf_fixed" at that moment (0 without stats)
 * @host_faults: the vCPU thread's minor + major page faults so far
 */
struct pkvm_event {
	double t;
	uint32_t kind;
	int err;
	uint32_t exit_reason;
	uint32_t port;
	uint64_t value;
	uint64_t gpa;
	uint64_t size;
	uint64_t flags;
	uint64_t pf_taken;
	uint64_t pf_fixed;
	uint64_t host_faults;
};

/**
 * enum pkvm_run_state - the vCPU thread's state
 * @PKVM_RUNNING: in or about to enter KVM_RUN
 * @PKVM_PARKED: stopped after an error or unexpected exit; waits
 * @PKVM_FINISHED: the guest halted or the thread was told to quit
 */
enum pkvm_run_state {
	PKVM_RUNNING,
	PKVM_PARKED,
	PKVM_FINISHED,
};

/**
 * struct pkvm_runner - the vCPU thread
 * @vm: the VM
 * @stats: the vCPU's statistics (may be closed: counters read as 0)
 * @thread: the thread
 * @started: @thread exists and was not joined
 * @lock: protects everything below
 * @cond: signalled on every recorded event and state change
 * @state: PKVM_RUNNING, PKVM_PARKED or PKVM_FINISHED
 * @resume: the host asks a parked thread to run again
 * @quit: the host asks the thread to end
 * @ev: recorded events (progress exits are only counted)
 * @n_ev: events recorded
 * @n_dropped: events not recorded for lack of room
 * @progress_exits: PKVM_PORT_PROGRESS exits seen
 * @last: the event that parked or finished the thread
 * @host_faults_start: the thread's page faults when it started
 */
struct pkvm_runner {
	struct pkvm_vm *vm;
	struct pkvm_stats *stats;
	pthread_t thread;
	bool started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	enum pkvm_run_state state;
	bool resume;
	bool quit;
	struct pkvm_event ev[PKVM_MAX_EVENTS];
	unsigned int n_ev;
	unsigned int n_dropped;
	uint64_t progress_exits;
	struct pkvm_event last;
	uint64_t host_faults_start;
};

/** pkvm_now() - CLOCK_MONOTONIC in seconds. */
double pkvm_now(void);

/**
 * pkvm_runner_start() - start running vCPU 0 of @vm in a new thread
 * @r: runner state (initialised here)
 * @vm: the VM, mailbox filled
 * @stats: vCPU statistics or NULL
 * @err: error detail
 *
 * Installs a no-op SIGUSR1 handler (no SA_RESTART) used to kick the vCPU.
 * Return: 0 or -errno.
 */
int pkvm_runner_start(struct pkvm_runner *r, struct pkvm_vm *vm, struct pkvm_stats *stats,
		      struct pfn_err *err);

/**
 * pkvm_runner_wait_port() - wait until the guest wrote to @port @count times
 * in total, or the thread parked or finished
 * @r: runner
 * @port: a PKVM_PORT_* other than PROGRESS
 * @count: how many writes to wait for
 * @timeout: seconds
 *
 * Return: 0 when seen, -EPIPE when the thread parked or finished first,
 * -ETIMEDOUT.
 */
int pkvm_runner_wait_port(struct pkvm_runner *r, uint32_t port, unsigned int count,
			  double timeout);

/**
 * pkvm_runner_wait_state() - wait until the thread is not PKVM_RUNNING
 * Return: the state reached, or -ETIMEDOUT.
 */
int pkvm_runner_wait_state(struct pkvm_runner *r, double timeout);

/** pkvm_runner_state() - the current state. */
enum pkvm_run_state pkvm_runner_state(struct pkvm_runner *r);

/**
 * pkvm_runner_resume() - let a parked thread enter KVM_RUN again
 * Return: 0, or -EINVAL when it is not parked.
 */
int pkvm_runner_resume(struct pkvm_runner *r);

/**
 * pkvm_runner_stop() - end the thread and join it
 * @r: runner
 * @timeout: seconds to wait for the payload to stop by itself (mailbox
 *	     ->stop), after which the vCPU is kicked out of KVM_RUN
 *
 * Return: 0, or -ETIMEDOUT when the thread could not be joined (it is then
 * detached: do not destroy the VM, exit the process).
 */
int pkvm_runner_stop(struct pkvm_runner *r, double timeout);

/**
 * pkvm_runner_find() - the @nth (0-based) recorded event with @kind and,
 * for PKVM_EV_IO, @port
 * Return: a copy in @out and true, or false.  Call after the thread parked,
 * finished or was stopped.
 */
bool pkvm_runner_find(struct pkvm_runner *r, uint32_t kind, uint32_t port, unsigned int nth,
		      struct pkvm_event *out);

/** pkvm_runner_destroy() - release @r after pkvm_runner_stop() returned 0. */
void pkvm_runner_destroy(struct pkvm_runner *r);

/** pkvm_exit_reason_name() - "KVM_EXIT_MMIO" etc. for @reason. */
const char *pkvm_exit_reason_name(uint32_t reason);

/**
 * pkvm_event_describe() - one line describing @ev, e.g.
 * "KVM_RUN failed: EFAULT (exit_reason KVM_EXIT_IO as left)"
 */
void pkvm_event_describe(const struct pkvm_event *ev, char *buf, size_t len);

#endif /* PFNKVM_RUNNER_H */
