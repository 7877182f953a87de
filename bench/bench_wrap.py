#!/usr/bin/env python3
"""What `tapline wrap` costs in a pipeline (see bench/README.md).

Two cases, each measured against the same pipeline without tapline, runs
interleaved so machine noise hits both sides alike; medians and ratios:

  replay  tapline wrap -- tap-replay F | target-discard
          vs         tap-replay F | target-discard
          (the 1M-record workload of run_benchmarks.py, tap unthrottled)
  paced   tapline wrap -- tap-synthetic (rate 100000/s) | target-discard
          vs         tap-synthetic (rate 100000/s) | target-discard
          (a tap at a realistic pace: wall time should not move; the CPU
          time that tapline adds is reported too)

CPU time is the user+system time of everything in the pipeline (from
RUSAGE_CHILDREN), so wrapped minus direct is what tapline itself used.
Standard library only; the workload is cached like run_benchmarks.py's.
"""

import argparse
import json
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run_benchmarks import ensure_workload  # noqa: E402


def run_pipeline(commands):
    """Run `c1 | c2 ...` under bash -o pipefail; (wall s, CPU s)."""
    text = " | ".join(shlex.join(str(a) for a in c) for c in commands)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(["bash", "-o", "pipefail", "-c", text],
                          stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"benchmark pipeline failed ({done.returncode}): {text}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", default=str(HERE.parent / "build"),
                        help="build directory with tapline, tap-synthetic "
                        "and bench/ tools")
    parser.add_argument("--records", type=int, default=1_000_000,
                        help="records of the replayed workload")
    parser.add_argument("--paced-records", type=int, default=300_000,
                        help="records of the paced tap (3 streams)")
    parser.add_argument("--rate", type=int, default=100_000,
                        help="records/s of the paced tap")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--work", default=str(HERE / ".work"),
                        help="where the generated workload is cached")
    parser.add_argument("--skip-paced", action="store_true")
    parser.add_argument("--json", help="also write results to this file")
    args = parser.parse_args()

    build = Path(args.build).resolve()
    tapline = build / "tapline"
    replay = build / "bench" / "tap-replay"
    discard = build / "bench" / "target-discard"
    synthetic = build / "tap-synthetic"
    for tool in (tapline, replay, discard, synthetic):
        if not tool.exists():
            sys.exit(f"missing {tool}: build first (cmake --build {build})")
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    stream = ensure_workload(work, args.records).resolve()
    size_mb = stream.stat().st_size / 1e6

    cases = ["replay"] if args.skip_paced else ["replay", "paced"]
    samples = {f"{case}_{side}_{what}": [] for case in cases
               for side in ("direct", "wrap") for what in ("wall", "cpu")}
    with tempfile.TemporaryDirectory(prefix="tapline-bench-wrap-") as tmp:
        replay_cfg = Path(tmp) / "replay.json"
        replay_cfg.write_text(json.dumps({"file": str(stream)}))
        paced_cfg = Path(tmp) / "paced.json"
        paced_cfg.write_text(json.dumps({
            "streams": ["users", "orders", "events"],
            # `records` is per stream: 3 streams share the total
            "records": args.paced_records // 3, "seed": 1, "state_every": 1000,
            "rate": args.rate}))
        taps = {"replay": [replay, "--config", replay_cfg],
                "paced": [synthetic, "--config", paced_cfg]}
        wrap = [tapline, "wrap", "--"]
        subprocess.run(["cat", str(stream)], stdout=subprocess.DEVNULL,
                       check=True)  # warm the page cache
        for i in range(args.runs):
            print(f"run {i + 1}/{args.runs}", file=sys.stderr)
            for case in cases:
                # alternate which side goes first
                sides = ("direct", "wrap") if i % 2 == 0 else ("wrap",
                                                               "direct")
                for side in sides:
                    tap = taps[case] if side == "direct" else wrap + taps[case]
                    wall, cpu = run_pipeline([tap, [discard]])
                    samples[f"{case}_{side}_wall"].append(wall)
                    samples[f"{case}_{side}_cpu"].append(cpu)

    med = {key: statistics.median(values) for key, values in samples.items()}
    results = {
        "records": args.records,
        "workload_mb": round(size_mb, 1),
        "paced_records": args.paced_records,
        "rate": args.rate,
        "runs": args.runs,
        "median_seconds": {k: round(v, 3) for k, v in med.items()},
        "samples_seconds": {k: [round(x, 3) for x in v]
                            for k, v in samples.items()},
    }
    for case in cases:
        results[f"ratio_{case}_wall"] = round(
            med[f"{case}_wrap_wall"] / med[f"{case}_direct_wall"], 2)
        results[f"tapline_cpu_seconds_{case}"] = round(
            med[f"{case}_wrap_cpu"] - med[f"{case}_direct_cpu"], 3)

    print(f"medians of {args.runs} interleaved runs")
    print("| case | with tapline wrap | without | ratio | CPU added by tapline |")
    print("|---|---|---|---|---|")
    labels = {"replay": f"tap-replay, {args.records:,} records "
                        f"({size_mb:.0f} MB), unthrottled",
              "paced": f"tap-synthetic, {args.paced_records:,} records at "
                       f"{args.rate:,}/s"}
    for case in cases:
        print(f"| {labels[case]} | {med[f'{case}_wrap_wall']:.3f}s | "
              f"{med[f'{case}_direct_wall']:.3f}s | "
              f"{results[f'ratio_{case}_wall']}x | "
              f"{results[f'tapline_cpu_seconds_{case}']:.2f}s |")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
