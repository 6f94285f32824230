"""Run every benchmark on this machine and print one table (``make bench``).

Each ``bench_*.py`` module exposes ``run() -> list[dict]`` (see ``_timing.py`` for the row
fields). A module that fails to import or raises becomes an ERROR row; the table is always
printed. Ratios that compare two modules (matplotlib / explorer, engine / numba) are filled
in here, so every number in the table comes from this one run.

Usage: ``QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/run_all.py [--only gui,numba]``
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import sys
import time
import traceback

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _timing import error_row, fmt_seconds  # noqa: E402

# (section title, module); run order below differs: memory first, on a fresh heap.
SECTIONS = [
    ("1. Frame time (player.advance + paint, 1280x800 offscreen)", "frame"),
    ("2. Drag w0 to redraw (real mouse events on the w-plane)", "drag"),
    ("3. Engine throughput (GD, k=d=2, whitened regression)", "engine"),
    ("4. Startup (process start to first painted window)", "startup"),
    ("5. Memory while playing 100k steps at 1,000 runs", "memory"),
]
RUN_ORDER = ["bench_memory", "bench_gui", "bench_matplotlib", "bench_core", "bench_numba", "bench_startup"]


def _section_of(module: str, row: dict) -> str:
    if module == "bench_gui":
        return "drag" if row["name"].startswith("drag") else "frame"
    return {"bench_matplotlib": "frame", "bench_core": "engine", "bench_numba": "engine",
            "bench_startup": "startup", "bench_memory": "memory"}.get(module, "other")


def run_module(name: str, results: dict) -> tuple[list[dict], float]:
    t0 = time.perf_counter()
    try:
        mod = importlib.import_module(name)
        if name == "bench_numba":
            batched = next((r for r in results.get("bench_core", []) if r.get("name", "").startswith("batched")
                            and r.get("median_s") is not None), None)
            rows = mod.run(engine_median_s=batched["median_s"] if batched else None)
        else:
            rows = mod.run()
        if not isinstance(rows, list):
            raise TypeError(f"{name}.run() returned {type(rows).__name__}, not a list of rows")
    except Exception as err:  # noqa: BLE001 - report, never crash the table
        traceback.print_exc(file=sys.stderr)
        rows = [error_row(name, err)]
    return rows, time.perf_counter() - t0


def cross_ratios(results: dict) -> None:
    """matplotlib / explorer per run count (target at 1,000: >= 5x); engine loop / batched."""
    by_key = {r["key"]: r for rows in results.values() for r in rows if r.get("key")}
    for n in (1, 100, 1000):
        mpl, exp, loop = (by_key.get(f"frame_{w}_{n}") for w in ("matplotlib", "explorer", "explorer_loop"))
        if not (mpl and exp) or mpl.get("median_s") is None or exp.get("median_s") is None:
            continue
        r = mpl["median_s"] / exp["median_s"]
        text = f"mpl/explorer {r:.3g}x"
        if loop and loop.get("median_s"):
            text += f" (vs loop-only {mpl['median_s'] / loop['median_s']:.3g}x)"
        mpl["ratio"] = text
        if n == 1000:
            mpl["target"], mpl["met"] = "mpl/explorer >= 5x", r >= 5.0
    core = {r["name"]: r for r in results.get("bench_core", [])}
    b = next((r for k, r in core.items() if k.startswith("batched")), None)
    lp = next((r for k, r in core.items() if k.startswith("loop")), None)
    if b and lp and b.get("median_s") and lp.get("median_s"):
        lp["ratio"] = f"loop/batched {lp['median_s'] / b['median_s']:.3g}x"


def _spread(row: dict) -> str:
    s = row.get("spread_s", row.get("spread"))
    unit = row.get("unit", "")
    if s is None:
        return ""
    timed = "spread_s" in row
    f = fmt_seconds if timed else (lambda x: f"{x:.4g} {unit}".strip())
    if isinstance(s, tuple | list):
        return f"{f(s[0])} .. {f(s[1])}"
    return f"IQR {f(s)}"


def _value(row: dict) -> str:
    if row.get("median_s") is not None:
        return fmt_seconds(row["median_s"])
    if row.get("value") is not None:
        v = row["value"]
        return f"{v:.4g} {row.get('unit', '')}".strip() if isinstance(v, float) else f"{v} {row.get('unit', '')}"
    return "-"


def _met(row: dict) -> str:
    m = row.get("met")
    return "" if m is None else ("yes" if m else "NO")


def print_table(results: dict, durations: dict) -> None:
    sections: dict[str, list[dict]] = {key: [] for _, key in SECTIONS}
    for module in RUN_ORDER:
        for row in results.get(module, []):
            sections.setdefault(_section_of(module, row), []).append(row)
    # frame rows: group by run count (explorer, explorer loop-only, matplotlib)
    def frame_key(r):
        k = r.get("key", "")
        n = int(k.rsplit("_", 1)[1]) if k else 10**9
        return (n, 0 if "explorer_" in k and "loop" not in k else (1 if "loop" in k else 2))
    sections["frame"].sort(key=frame_key)

    headers = ("#", "benchmark", "median", "spread (IQR q1..q3)", "ratio", "target", "met")
    table, notes = [], []
    for title, key in SECTIONS:
        rows = sections.get(key, [])
        table.append(("", title, "", "", "", "", ""))
        for r in rows:
            notes.append(r.get("note", ""))
            table.append((str(len(notes)), r["name"], _value(r), _spread(r), r.get("ratio", "") or "",
                          r.get("target", "") or "", _met(r)))
    widths = [max(len(h), *(len(t[i]) for t in table if t[0])) for i, h in enumerate(headers)]
    line = "  ".join("-" * w for w in widths)
    print()
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths)))
    print(line)
    for t in table:
        if not t[0]:
            print(t[1])
        else:
            print("  ".join(c.ljust(w) for c, w in zip(t, widths)).rstrip())
    print(line)
    print("Notes:")
    for i, n in enumerate(notes, 1):
        print(f"  [{i}] {n}")
    all_rows = [r for rows in results.values() for r in rows]
    targets = [r for r in all_rows if r.get("met") is not None]
    missed = [r for r in targets if not r["met"]]
    errors = [r for r in all_rows if str(r.get("note", "")).startswith(("ERROR", "SKIPPED"))]
    took = ", ".join(f"{m.removeprefix('bench_')} {d:.0f}s" for m, d in durations.items())
    print()
    print(f"SUMMARY: {len(targets) - len(missed)}/{len(targets)} targets met"
          + (f"; missed: {'; '.join(r['name'] for r in missed)}" if missed else "")
          + (f"; {len(errors)} row(s) errored/skipped" if errors else "")
          + f". Time per module: {took}.")


def header() -> str:
    vers = []
    from importlib.metadata import PackageNotFoundError, version

    for dist in ("numpy", "PySide6-Essentials", "pyqtgraph", "matplotlib", "numba", "psutil"):
        try:  # metadata only: importing them here would distort the memory baseline
            vers.append(f"{dist} {version(dist)}")
        except PackageNotFoundError:
            vers.append(f"{dist} -")
    return (f"Overparam Explorer benchmarks, {time.strftime('%Y-%m-%d %H:%M')}, {platform.node()}, "
            f"{os.cpu_count()} CPUs, Python {platform.python_version()}, QPA {os.environ.get('QT_QPA_PLATFORM')}\n"
            + ", ".join(vers))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", help="comma-separated module names without bench_ (e.g. gui,numba)")
    args = p.parse_args(argv)
    modules = RUN_ORDER
    if args.only:
        wanted = {f"bench_{m.strip().removeprefix('bench_')}" for m in args.only.split(",")}
        modules = [m for m in RUN_ORDER if m in wanted]
    print(header(), flush=True)
    results, durations = {}, {}
    t0 = time.perf_counter()
    for name in modules:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        results[name], durations[name] = run_module(name, results)
    cross_ratios(results)
    print_table(results, durations)
    print(f"Total {time.perf_counter() - t0:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
