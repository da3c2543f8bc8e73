# SPDX-License-Identifier: GPL-2.0-only
"""The statistics behind compare's verdicts.

- Mann-Whitney U (scipy.stats.mannwhitneyu, two-sided): do the samples of
  OLD and NEW come from one distribution?  Exact for small samples without
  ties, the normal approximation with tie correction otherwise (scipy's
  "auto").  The smallest p-value two samples of sizes m and n can give is
  2 / C(m+n, m): below alpha nothing can be told (insufficient data).
- Hodges-Lehmann shift: the median of the m*n differences new - old, with
  its distribution-free confidence interval (the differences of rank k and
  m*n-k+1, k from the exact null distribution of U).
- LKP interval separation (intel/lkp-tests lib/changed_stat.rb): changed
  upwards iff min(new) > median(old) and median(new) > max(old), or the
  mirror image.
"""
import math

import pfnresults as pr


class NoScipy(Exception):
    pass


def _scipy():
    try:
        from scipy import stats
    except ImportError:
        raise NoScipy()
    return stats


def min_p(m, n):
    """The smallest two-sided p-value of a rank test of sizes m and n."""
    return min(1.0, 2.0 / math.comb(m + n, m))


def u_null_cdf(m, n):
    """[P(U <= u) for u in 0..m*n] under the null hypothesis, no ties (exact count)."""
    # counts[k][u]: arrangements of k old values among the first j values with U = u (DP over values)
    table = [[0] * (m * n + 1) for _ in range(m + 1)]
    table[0][0] = 1
    for j in range(1, m + n + 1):
        for k in range(min(j, m), 0, -1):
            # the j-th smallest value is an old one (k-th of them): it beats the (j - k) new values below it
            below_new = j - k
            if below_new > n:
                continue
            row, prev = table[k], table[k - 1]
            for u in range(m * n, below_new - 1, -1):
                row[u] += prev[u - below_new]
    total = math.comb(m + n, m)
    out, acc = [], 0
    for c in table[m]:
        acc += c
        out.append(acc / total)
    return out


def hodges_lehmann(old, new, confidence=0.95):
    """(shift, low, high): median of new - old differences and its CI (None, None when too few)."""
    diffs = sorted(b - a for a in old for b in new)
    shift = pr.median(diffs)
    m, n = len(old), len(new)
    alpha = 1.0 - confidence
    if m * n <= 400:
        cdf = u_null_cdf(m, n)
        k = 0
        while k < len(cdf) and cdf[k] <= alpha / 2:
            k += 1
        # k = 1 + the largest u with P(U <= u) <= alpha/2: the interval
        # [D(k), D(mn+1-k)] (1-based) covers with 1 - 2 P(U <= k-1) >= confidence
        if k == 0:
            return shift, None, None
    else:
        z = 1.959963984540054 if abs(confidence - 0.95) < 1e-9 else _scipy().norm.ppf(1 - alpha / 2)
        k = int(math.floor(m * n / 2.0 - z * math.sqrt(m * n * (m + n + 1) / 12.0)))
        if k <= 0:
            return shift, None, None
    return shift, diffs[k - 1], diffs[len(diffs) - k]


def mann_whitney(old, new):
    """Two-sided p-value; 1.0 when every sample on both sides is the same value."""
    if len(set(old) | set(new)) == 1:
        return 1.0
    stats = _scipy()
    return float(stats.mannwhitneyu(new, old, alternative="two-sided", method="auto").pvalue)


def separation(old, new):
    """+1 / -1 when NEW's interval lies above / below OLD's (LKP's test), else 0."""
    mo, mn = pr.median(old), pr.median(new)
    if min(new) > mo and mn > max(old):
        return 1
    if max(new) < mo and mn < min(old):
        return -1
    return 0


def relative(old_median, new_median):
    """(new - old) / |old|; None when old is 0 (inf when new is not)."""
    if old_median == 0:
        return 0.0 if new_median == 0 else None
    return (new_median - old_median) / abs(old_median)


def benjamini_hochberg(ps):
    """The Benjamini-Hochberg adjusted p-values (q) of PS, in PS's order."""
    n = len(ps)
    order = sorted(range(n), key=lambda i: ps[i])
    q = [1.0] * n
    running = 1.0
    for rank in range(n, 0, -1):
        i = order[rank - 1]
        running = min(running, ps[i] * n / rank)
        q[i] = min(1.0, running)
    return q
