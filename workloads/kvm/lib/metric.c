// SPDX-License-Identifier: GPL-2.0-only
/* Metric samples, their summary and their JSON form. */
#include <stdlib.h>
#include <string.h>

#include "pfnkvm/metric.h"

void pkvm_metric_init(struct pkvm_metric *m, const char *name, const char *unit,
		      bool higher_is_better)
{
	memset(m, 0, sizeof(*m));
	m->name = name;
	m->unit = unit;
	m->higher_is_better = higher_is_better;
}

void pkvm_metric_add(struct pkvm_metric *m, double v)
{
	if (m->n < PKVM_METRIC_SAMPLES)
		m->samples[m->n++] = v;
	else
		m->dropped++;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct pkvm_summary pkvm_metric_summary(const struct pkvm_metric *m)
{
	struct pkvm_summary s = { 0 };
	double sorted[PKVM_METRIC_SAMPLES];

	if (!m->n)
		return s;
	memcpy(sorted, m->samples, m->n * sizeof(sorted[0]));
	qsort(sorted, m->n, sizeof(sorted[0]), cmp_double);
	s.n = m->n;
	s.min = sorted[0];
	s.max = sorted[m->n - 1];
	s.median = m->n % 2 ? sorted[m->n / 2] : (sorted[m->n / 2 - 1] + sorted[m->n / 2]) / 2;
	return s;
}

void pkvm_metric_json_members(struct pfn_json *j, const struct pkvm_metric *m)
{
	struct pkvm_summary s = pkvm_metric_summary(m);

	pfn_json_kv_string(j, "unit", m->unit);
	pfn_json_kv_string(j, "direction", m->higher_is_better ? "higher_is_better"
							       : "lower_is_better");
	pfn_json_key(j, "samples");
	pfn_json_array_begin(j);
	for (unsigned int i = 0; i < m->n; i++)
		pfn_json_double(j, m->samples[i]);
	pfn_json_array_end(j);
	pfn_json_key(j, "median");
	s.n ? pfn_json_double(j, s.median) : pfn_json_null(j);
	pfn_json_key(j, "min");
	s.n ? pfn_json_double(j, s.min) : pfn_json_null(j);
	pfn_json_key(j, "max");
	s.n ? pfn_json_double(j, s.max) : pfn_json_null(j);
	pfn_json_kv_uint(j, "n", s.n);
	if (m->dropped)
		pfn_json_kv_uint(j, "dropped", m->dropped);
}

void pkvm_metric_json(struct pfn_json *j, const struct pkvm_metric *m)
{
	pfn_json_object_begin(j);
	pfn_json_kv_string(j, "name", m->name);
	pkvm_metric_json_members(j, m);
	pfn_json_object_end(j);
}
