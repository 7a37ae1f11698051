#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make bench's table and plot (#16).

Reads the "ms:" lines cr_bench --criu printed in a VM's console log, one
per size and run, and writes the median of each column over the runs as
a Markdown table (stdout), with one of the --shapes lines (sparse
memory, many mappings, many fds), and as an SVG plot of time against size, both
axes logarithmic: cr checkpoint, cr restart, criu dump, criu restore, dd
write, dd read.

    harness/bench-plot.py CONSOLE_LOG SVG [TITLE]
"""
import math
import re
import statistics
import sys

COLS = ["dd write", "dd read", "criu dump", "criu restore", "cr ckpt", "cr rstr"]
STYLE = {  # colour, dashed
    "cr ckpt": ("#1f77b4", False), "cr rstr": ("#1f77b4", True),
    "criu dump": ("#d62728", False), "criu restore": ("#d62728", True),
    "dd write": ("#7f7f7f", False), "dd read": ("#7f7f7f", True),
}


def parse(path):
    """{MiB: {column: [ms, ...]}} from the console log."""
    runs = {}
    pat = re.compile(r"^\s*(\d+) MiB \| ms: (.*?) \|")
    with open(path, errors="replace") as f:
        for line in f:
            m = pat.match(line)
            if not m:
                continue
            row = runs.setdefault(int(m.group(1)), {})
            for col in COLS:
                v = re.search(re.escape(col) + r"\s+([0-9.]+)", m.group(2))
                if v:
                    row.setdefault(col, []).append(float(v.group(1)))
    return runs


SHAPE_COLS = ["cr ckpt", "cr rstr", "criu dump", "criu restore"]


def parse_shapes(path):
    """{(arg, name): {column: [ms, ...]}} of cr_bench --shapes lines."""
    runs = {}
    pat = re.compile(r"^\s*(\d+) (\D.*?)\s+\| ms: (.*)$")
    with open(path, errors="replace") as f:
        for line in f:
            m = pat.match(line)
            if not m or "dd write" in m.group(3):
                continue
            row = runs.setdefault((int(m.group(1)), m.group(2)), {})
            for col in SHAPE_COLS:
                v = re.search(re.escape(col) + r"\s+([0-9.]+)", m.group(3))
                if v:
                    row.setdefault(col, []).append(float(v.group(1)))
    return runs


def shape_table(runs):
    out = ["| process | " + " | ".join(SHAPE_COLS) + " | cr rstr / criu restore |",
           "|" + "---|" * (len(SHAPE_COLS) + 2)]
    for (arg, name), r in runs.items():
        med = {c: statistics.median(v) for c, v in r.items()}
        if len(med) != len(SHAPE_COLS):
            continue
        out.append("| %d %s | %s | %.2f |" % (
            arg, name, " | ".join("%.0f" % med[c] for c in SHAPE_COLS),
            med["cr rstr"] / med["criu restore"]))
    return "\n".join(out)


def table(med):
    head = "| MiB | " + " | ".join(COLS) + " | cr rstr / criu restore | cr rstr / dd read |"
    out = [head, "|" + "---|" * (len(COLS) + 3)]
    for mib in sorted(med):
        r = med[mib]
        out.append("| %d | %s | %.2f | %.2f |" % (
            mib, " | ".join("%.0f" % r[c] for c in COLS),
            r["cr rstr"] / r["criu restore"], r["cr rstr"] / r["dd read"]))
    return "\n".join(out)


def svg(med, title):
    w, h, left, right, top, bottom = 720, 460, 70, 170, 40, 50
    sizes = sorted(med)
    vals = [med[s][c] for s in sizes for c in COLS]
    x0, x1 = math.log10(sizes[0]), math.log10(sizes[-1])
    y0 = math.floor(math.log10(min(vals)))
    y1 = math.ceil(math.log10(max(vals)))
    if x1 == x0:
        x1 = x0 + 1

    def x(v):
        return left + (math.log10(v) - x0) / (x1 - x0) * (w - left - right)

    def y(v):
        return h - bottom - (math.log10(v) - y0) / (y1 - y0) * (h - top - bottom)

    o = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
         'font-family="sans-serif" font-size="12">' % (w, h),
         '<rect width="100%" height="100%" fill="white"/>',
         '<text x="%d" y="20" font-size="14">%s</text>' % (left, title)]
    for e in range(y0, y1 + 1):
        yy = y(10 ** e)
        o.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>' %
                 (left, yy, w - right, yy))
        o.append('<text x="%d" y="%.1f" text-anchor="end">%g ms</text>' %
                 (left - 6, yy + 4, 10 ** e))
    for s in sizes:
        xx = x(s)
        o.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>' %
                 (xx, top, xx, h - bottom))
        o.append('<text x="%.1f" y="%d" text-anchor="middle">%d MiB</text>' %
                 (xx, h - bottom + 18, s))
    for i, c in enumerate(COLS):
        colour, dashed = STYLE[c]
        pts = " ".join("%.1f,%.1f" % (x(s), y(med[s][c])) for s in sizes)
        o.append('<polyline points="%s" fill="none" stroke="%s" stroke-width="2"%s/>' %
                 (pts, colour, ' stroke-dasharray="6,4"' if dashed else ""))
        ly = top + 20 + 20 * i
        o.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"%s/>' %
                 (w - right + 15, ly, w - right + 45, ly, colour,
                  ' stroke-dasharray="6,4"' if dashed else ""))
        o.append('<text x="%d" y="%d">%s</text>' % (w - right + 52, ly + 4, c))
    o.append('<text x="%d" y="%d" text-anchor="middle">image size (log)</text>' %
             ((left + w - right) // 2, h - 12))
    o.append("</svg>")
    return "\n".join(o) + "\n"


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: bench-plot.py CONSOLE_LOG SVG [TITLE]")
    runs = parse(sys.argv[1])
    med = {s: {c: statistics.median(v) for c, v in r.items()}
           for s, r in runs.items() if len(r) == len(COLS)}
    if not med:
        sys.exit("bench-plot: no \"ms:\" lines of cr_bench --criu in " + sys.argv[1])
    n = min(len(v) for r in runs.values() for v in r.values())
    title = sys.argv[3] if len(sys.argv) > 3 else "cr and CRIU, median of %d runs" % n
    print(table(med))
    shapes = parse_shapes(sys.argv[1])
    if shapes:
        print()
        print(shape_table(shapes))
    with open(sys.argv[2], "w") as f:
        f.write(svg(med, title))


if __name__ == "__main__":
    main()
