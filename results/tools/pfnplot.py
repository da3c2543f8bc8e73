# SPDX-License-Identifier: GPL-2.0-only
"""SVG plots for the HTML report, drawn without a plotting library.

Every plot is an <svg class="plot" data-marks="N"> whose N data marks
(class "mark": a circle per point, a rect per bar) the page's self-check
counts after rendering (check-html runs it in headless Chromium): a plot
that drew fewer marks than it has data, or none, fails the check.
"""
import html
import math

W, H = 560, 300
LEFT, RIGHT, TOP, BOTTOM = 70, 150, 30, 50
COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"]


def esc(s):
    return html.escape(str(s), quote=True)


def _ticks_log(lo, hi):
    a, b = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    if a == b:
        b += 1
    return [10.0 ** e for e in range(a, b + 1)]


def _ticks_lin(lo, hi, n=5):
    if hi == lo:
        hi = lo + 1
    step = 10 ** math.floor(math.log10((hi - lo) / n))
    for m in (1, 2, 5, 10):
        if (hi - lo) / (step * m) <= n:
            step *= m
            break
    start = math.floor(lo / step) * step
    out, v = [], start
    while v <= hi + step * 1e-9:
        out.append(v)
        v += step
    return out


def _label(v):
    power_of_two = v >= 1024 and float(v).is_integer() and int(v) & (int(v) - 1) == 0
    for unit, size in (("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)):
        if power_of_two and v >= size:
            return "%d%s" % (v // size, unit)
    if v >= 1e6 or (0 < v < 1e-2):
        return "%.0e" % v
    return ("%g" % v)


def _frame(title, xlabel, ylabel, plot_id, marks, body, legend):
    out = ['<figure><svg class="plot" id="%s" data-marks="%d" xmlns="http://www.w3.org/2000/svg" '
           'width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="%s">'
           % (esc(plot_id), marks, W, H, W, H, esc(title))]
    out.append('<text x="%d" y="18" font-size="13" font-weight="bold">%s</text>' % (LEFT, esc(title)))
    out += body
    out.append('<text x="%d" y="%d" font-size="11" text-anchor="middle">%s</text>'
               % (LEFT + (W - LEFT - RIGHT) // 2, H - 8, esc(xlabel)))
    out.append('<text x="14" y="%d" font-size="11" text-anchor="middle" transform="rotate(-90 14 %d)">%s</text>'
               % (TOP + (H - TOP - BOTTOM) // 2, TOP + (H - TOP - BOTTOM) // 2, esc(ylabel)))
    for i, (name, colour) in enumerate(legend):
        y = TOP + 14 * i
        out.append('<rect x="%d" y="%d" width="10" height="10" fill="%s"/>' % (W - RIGHT + 10, y, colour))
        out.append('<text x="%d" y="%d" font-size="11">%s</text>' % (W - RIGHT + 24, y + 9, esc(name)))
    out.append("</svg></figure>")
    return "\n".join(out)


def line_plot(plot_id, title, xlabel, ylabel, series, logx=True, logy=True):
    """SERIES: [(name, [(x, y, [samples])])]: one polyline and one circle per point."""
    pts = [(x, y) for _, s in series for x, y, _ in s]
    if not pts:
        return ""
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    logy = logy and min(ys) > 0
    logx = logx and min(xs) > 0
    # A log x axis (sizes) is ticked at the sizes measured, padded by a factor of 2.
    xt = [min(xs) / 2.0] + sorted(set(xs)) + [max(xs) * 2.0] if logx else _ticks_lin(min(xs), max(xs))
    yt = _ticks_log(min(ys), max(ys)) if logy else _ticks_lin(min(0, min(ys)), max(ys))
    fx = (lambda v: math.log10(v)) if logx else (lambda v: v)
    fy = (lambda v: math.log10(v)) if logy else (lambda v: v)
    x0, x1, y0, y1 = fx(xt[0]), fx(xt[-1]), fy(yt[0]), fy(yt[-1])
    if x1 == x0:
        x1 = x0 + 1
    if y1 == y0:
        y1 = y0 + 1

    def px(v):
        return LEFT + (fx(v) - x0) / (x1 - x0) * (W - LEFT - RIGHT)

    def py(v):
        return H - BOTTOM - (fy(v) - y0) / (y1 - y0) * (H - TOP - BOTTOM)

    body = ['<g stroke="#ccc" stroke-width="0.5">']
    for t in xt:
        body.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d"/>' % (px(t), TOP, px(t), H - BOTTOM))
    for t in yt:
        body.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f"/>' % (LEFT, py(t), W - RIGHT, py(t)))
    body.append("</g>")
    for t in (xt[1:-1] if logx else xt):
        body.append('<text x="%.1f" y="%d" font-size="10" text-anchor="middle">%s</text>' % (px(t), H - BOTTOM + 14,
                                                                                           _label(t)))
    for t in yt:
        body.append('<text x="%d" y="%.1f" font-size="10" text-anchor="end">%s</text>' % (LEFT - 4, py(t) + 3,
                                                                                        _label(t)))
    legend, marks = [], 0
    for i, (name, s) in enumerate(series):
        colour = COLOURS[i % len(COLOURS)]
        legend.append((name, colour))
        s = sorted(s)
        body.append('<polyline fill="none" stroke="%s" stroke-width="1.5" points="%s"/>' % (
            colour, " ".join("%.1f,%.1f" % (px(x), py(y)) for x, y, _ in s)))
        for x, y, samples in s:
            marks += 1
            body.append('<circle class="mark" cx="%.1f" cy="%.1f" r="3.5" fill="%s"><title>%s: %s at %s '
                        '(samples %s)</title></circle>' % (px(x), py(y), colour, esc(name), _label(y), _label(x),
                                                           esc(", ".join("%g" % v for v in samples))))
    return _frame(title, xlabel, ylabel, plot_id, marks, body, legend)


def bar_plot(plot_id, title, ylabel, bars, logy=False):
    """BARS: [(label, [(series name, value, [samples])])]: grouped bars, one rect per value."""
    vals = [v for _, group in bars for _, v, _ in group]
    if not vals:
        return ""
    names = []
    for _, group in bars:
        for n, _, _ in group:
            if n not in names:
                names.append(n)
    logy = logy and min(vals) > 0
    yt = _ticks_log(min(vals), max(vals)) if logy else _ticks_lin(0, max(vals) or 1)
    fy = (lambda v: math.log10(v)) if logy else (lambda v: v)
    y0, y1 = fy(yt[0]), fy(yt[-1])
    if y1 == y0:
        y1 = y0 + 1

    def py(v):
        return H - BOTTOM - (fy(v) - y0) / (y1 - y0) * (H - TOP - BOTTOM)

    body = ['<g stroke="#ccc" stroke-width="0.5">']
    for t in yt:
        body.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f"/>' % (LEFT, py(t), W - RIGHT, py(t)))
    body.append("</g>")
    for t in yt:
        body.append('<text x="%d" y="%.1f" font-size="10" text-anchor="end">%s</text>' % (LEFT - 4, py(t) + 3,
                                                                                        _label(t)))
    slot = (W - LEFT - RIGHT) / len(bars)
    width = max(2.0, slot * 0.8 / max(1, len(names)))
    marks = 0
    for i, (label, group) in enumerate(bars):
        for n, v, samples in group:
            j = names.index(n)
            x = LEFT + i * slot + slot * 0.1 + j * width
            top = py(v) if not logy or v > 0 else H - BOTTOM
            base = py(yt[0]) if logy else py(0)
            marks += 1
            body.append('<rect class="mark" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s: %s'
                        ' (samples %s)</title></rect>' % (x, min(top, base), width, max(1.0, abs(base - top)),
                                                          COLOURS[j % len(COLOURS)], esc(label), esc(n), _label(v),
                                                          esc(", ".join("%g" % s for s in samples))))
        body.append('<text x="%.1f" y="%d" font-size="9" text-anchor="middle">%s</text>' % (
            LEFT + i * slot + slot / 2, H - BOTTOM + 12 + 10 * (i % 2), esc(label)))
    legend = [(n, COLOURS[j % len(COLOURS)]) for j, n in enumerate(names)]
    return _frame(title, "", ylabel, plot_id, marks, body, legend)
