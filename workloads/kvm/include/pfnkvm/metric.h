/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Benchmark metrics: a named series of samples with a unit and a direction,
 * summarised as median/min/max and written as JSON
 * ({name, unit, direction, samples[], median, min, max, n}).
 */
#ifndef PFNKVM_METRIC_H
#define PFNKVM_METRIC_H

#include <stdbool.h>

#include "pfn/json.h"

#define PKVM_METRIC_SAMPLES 256

/**
 * struct pkvm_metric - one metric
 * @name: snake_case name
 * @unit: "bytes/s", "us", "faults", ...
 * @higher_is_better: direction
 * @samples: values, in the order measured
 * @n: samples kept
 * @dropped: samples that did not fit
 */
struct pkvm_metric {
	const char *name;
	const char *unit;
	bool higher_is_better;
	double samples[PKVM_METRIC_SAMPLES];
	unsigned int n;
	unsigned int dropped;
};

/** pkvm_metric_init() - name it, no samples. */
void pkvm_metric_init(struct pkvm_metric *m, const char *name, const char *unit,
		      bool higher_is_better);

/** pkvm_metric_add() - append a sample (counted in @dropped when full). */
void pkvm_metric_add(struct pkvm_metric *m, double v);

/**
 * struct pkvm_summary - median, min, max of a metric
 * @median: middle sample (mean of the two middle ones for even n)
 * @min: smallest
 * @max: largest
 * @n: samples
 */
struct pkvm_summary {
	double median;
	double min;
	double max;
	unsigned int n;
};

/** pkvm_metric_summary() - summarise; all zero when @m has no samples. */
struct pkvm_summary pkvm_metric_summary(const struct pkvm_metric *m);

/**
 * pkvm_metric_json_members() - @m's members but its name, into an object
 * the caller opened: unit, direction, samples, median, min, max, n (and
 * dropped)
 */
void pkvm_metric_json_members(struct pfn_json *j, const struct pkvm_metric *m);

/** pkvm_metric_json() - write @m as one JSON object (no samples: median etc. null). */
void pkvm_metric_json(struct pfn_json *j, const struct pkvm_metric *m);

#endif /* PFNKVM_METRIC_H */
