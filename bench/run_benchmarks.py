#!/usr/bin/env python3
"""tapline throughput and memory benchmarks (see bench/README.md).

Replays the workload from gen_singer_stream.py (-n RECORDS --seed 1) through
tapline with a tap that writes the file unchanged (tap-replay) and compares
wall time against cat pipelines run in the same session, interleaved, so
machine noise hits both sides alike. Reports medians and ratios:

  target  tap-replay -> tapline -> target-discard   vs  cat F | cat | cat
  null    tap-replay -> tapline -> null sink         vs  cat F | cat
  rss     peak RSS of tapline for 1x and 10x the workload (null sink)

Standard library only.
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def read_hwm_kib(pid):
    """VmHWM (peak resident set) of `pid` in KiB, or None once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def run_measured(argv, **kwargs):
    """Run argv; return (wall seconds, peak RSS in KiB of that process alone).

    The peak is VmHWM read from /proc while the process runs (a high-water
    mark, so the last reading before it exits is its peak); rusage would mix
    in its children (tap and target)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, **kwargs)
    peak = 0
    while proc.poll() is None:
        hwm = read_hwm_kib(proc.pid)
        if hwm:
            peak = max(peak, hwm)
        time.sleep(0.01)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"benchmark command failed ({proc.returncode}): {argv}")
    return wall, peak


def ensure_workload(work, records):
    path = work / f"stream-{records}.jsonl"
    if not path.exists():
        print(f"generating {path.name} (gen_singer_stream.py -n {records} --seed 1)...",
              file=sys.stderr)
        tmp = path.with_suffix(".tmp")
        with open(tmp, "wb") as out:
            subprocess.run([sys.executable, str(HERE / "gen_singer_stream.py"),
                            "-n", str(records), "--seed", "1"], stdout=out, check=True)
        tmp.rename(path)
    return path


def write_config(directory, build, stream):
    replay = build / "bench" / "tap-replay"
    discard = build / "bench" / "target-discard"
    text = f"""integrations:
  target:
    tap: {{command: ["{replay}"], config: {{file: "{stream}"}}}}
    target: {{command: ["{discard}"]}}
  "null":
    tap: {{command: ["{replay}"], config: {{file: "{stream}"}}}}
    target: {{"null": {{}}}}
  null10x:
    tap: {{command: ["{replay}"], config: {{file: "{stream}", repeat: 10}}}}
    target: {{"null": {{}}}}
"""
    path = directory / "tapline.yaml"
    path.write_text(text)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", default=str(HERE.parent / "build"),
                        help="build directory with tapline and bench/ tools")
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--work", default=str(HERE / ".work"),
                        help="where the generated workload is cached")
    parser.add_argument("--skip-10x", action="store_true",
                        help="skip the 10x-records RSS run")
    parser.add_argument("--json", help="also write results to this file")
    args = parser.parse_args()

    build = Path(args.build).resolve()
    tapline = build / "tapline"
    for tool in (tapline, build / "bench" / "tap-replay", build / "bench" / "target-discard"):
        if not tool.exists():
            sys.exit(f"missing {tool}: build first (cmake --build {build})")
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    stream = ensure_workload(work, args.records).resolve()
    size_mb = stream.stat().st_size / 1e6

    samples = {key: [] for key in ("cat3", "target", "cat2", "null")}
    rss = {"target": [], "null": [], "null10x": []}
    with tempfile.TemporaryDirectory(prefix="tapline-bench-") as tmp:
        config = write_config(Path(tmp), build, stream)
        run = [str(tapline), "--config", str(config), "run"]
        subprocess.run(["cat", str(stream)], stdout=subprocess.DEVNULL, check=True)  # warm cache
        for i in range(args.runs):
            print(f"run {i + 1}/{args.runs}", file=sys.stderr)
            samples["cat3"].append(run_measured(
                ["sh", "-c", 'cat "$0" | cat | cat > /dev/null', str(stream)])[0])
            wall, peak = run_measured(run + ["target"])
            samples["target"].append(wall)
            rss["target"].append(peak)
            samples["cat2"].append(run_measured(
                ["sh", "-c", 'cat "$0" | cat > /dev/null', str(stream)])[0])
            wall, peak = run_measured(run + ["null"])
            samples["null"].append(wall)
            rss["null"].append(peak)
        if not args.skip_10x:
            for _ in range(max(1, args.runs // 2)):
                rss["null10x"].append(run_measured(run + ["null10x"])[1])

    med = {key: statistics.median(values) for key, values in samples.items()}
    results = {
        "records": args.records,
        "workload_mb": round(size_mb, 1),
        "runs": args.runs,
        "median_seconds": {k: round(v, 3) for k, v in med.items()},
        "ratio_target_vs_cat3": round(med["target"] / med["cat3"], 2),
        "ratio_null_vs_cat2": round(med["null"] / med["cat2"], 2),
        "tapline_mb_per_s_null": round(size_mb / med["null"]),
        "peak_rss_mib": {k: round(max(v) / 1024, 1) for k, v in rss.items() if v},
        "samples_seconds": {k: [round(x, 3) for x in v] for k, v in samples.items()},
    }
    print(f"workload: {args.records:,} records, {size_mb:.0f} MB; medians of {args.runs} runs")
    print(f"| case | tapline | baseline | ratio | peak RSS |")
    print(f"|---|---|---|---|---|")
    print(f"| target process | {med['target']:.3f}s | cat|cat|cat {med['cat3']:.3f}s | "
          f"{results['ratio_target_vs_cat3']}x | {results['peak_rss_mib']['target']} MiB |")
    print(f"| null sink | {med['null']:.3f}s | cat|cat {med['cat2']:.3f}s | "
          f"{results['ratio_null_vs_cat2']}x | {results['peak_rss_mib']['null']} MiB |")
    if rss["null10x"]:
        print(f"| null sink, 10x records | | | | {results['peak_rss_mib']['null10x']} MiB |")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
