"""``make bench``: every measured figure beside its naive baseline, measured in the same run.

Each ``benchmarks/bench_*.py`` module exposes ``run(context) -> dict[str, dict]`` returning entries
``{"name": {"value": v, "unit": u, "baseline": b, "ratio": b / v, "target": t, "note": "..."}}``.
The runner builds a reference store in a temporary directory (that cold build is ``build_seconds``), points
``GTEC_DATA_DIR`` at it, calls every module and writes ``benchmarks/results.json``.
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"


def entry(value: float, unit: str, baseline: float, target: float | None = None, note: str = "") -> dict:
    """One result row; ``ratio`` is baseline / value (how many times better than the naive way)."""
    row = {
        "value": round(value, 3),
        "unit": unit,
        "baseline": round(baseline, 3),
        "ratio": round(baseline / value, 2) if value else None,
    }
    if target is not None:
        row["target"] = target
        row["reached"] = bool(value <= target)
    if note:
        row["note"] = note
    return row


def median_ms(fn, repeat: int = 7, warmup: int = 1) -> float:
    """Median wall time of ``fn()`` in milliseconds."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    only = set(argv if argv is not None else sys.argv[1:])
    tmp = Path(tempfile.mkdtemp(prefix="gtec-bench-"))
    os.environ["GTEC_DATA_DIR"] = str(tmp)
    os.environ["GTEC_WORKSPACE"] = str(tmp / "workspace.sqlite")
    context = {"data_dir": tmp}
    results: dict[str, dict] = {}
    modules = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if only and not {"bench_foundation", "foundation"} & only:
        from gtec.build import pipeline

        pipeline.build_reference()  # the other benchmarks need a store; bench_foundation times this build itself
    failed: list[str] = []
    for name in modules:
        if only and name not in only and name.removeprefix("bench_") not in only:
            continue
        print(f"== {name}", flush=True)
        module = importlib.import_module(f"benchmarks.{name}")
        started = time.perf_counter()
        try:
            rows = module.run(context)
        except Exception as exc:  # one broken measurement must not lose the others' figures; the run still fails
            failed.append(name)
            print(f"   FAILED: {type(exc).__name__}: {exc}"[:500], flush=True)
            continue
        for key, row in rows.items():
            print(
                f"   {key:<28} {row['value']:>10} {row['unit']:<4} baseline {row['baseline']:>10}  x{row['ratio']}"
                + (f"  target {row['target']} {'OK' if row.get('reached') else 'MISSED'}" if "target" in row else "")
            )
        print(f"   ({time.perf_counter() - started:.1f} s)", flush=True)
        results.update(rows)
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() and only else {}
    previous.update(results)
    previous["_machine"] = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    RESULTS.write_text(json.dumps(previous, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {RESULTS}")
    if failed:
        print(f"failed (their previous figures are kept): {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
