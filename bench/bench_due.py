#!/usr/bin/env python3
"""How long `tapline run --due --dry-run` takes over many integrations.

Goal: over 10,000 configured integrations with run history, planning takes
at most 200 ms wall and grows linearly with the number of integrations.
Measured for N = 1,000 / 10,000 / 100,000 (--sizes).

Per size a workload is generated once (not timed) into a temporary
directory (or --keep DIR):

  tapline.yaml  N integrations, each `tap: {command: [tap-synthetic],
                config: {records: 10}}` (inline config), a null or jsonl
                target, and a schedule from a mix of crons and intervals
                ("*/15 * * * *", "0 2 * * *", "every 30m", "every 6h",
                "0 */4 * * mon-fri", "@hourly"), ~30% with a time zone
                (Europe/Berlin, America/New_York), ~5% without a schedule.
  state.db      made by `tapline status` (created and migrated by tapline
                itself), then filled with Python's sqlite3: --history runs
                per integration (succeeded / failed / degraded, some failing
                streaks that back off), a bookmark per integration in
                state_history, 1% needs_reauth (half with a credential
                fingerprint that still matches the config, half stale), 1%
                paused by hand, and run_summary rebuilt with the store's own
                query (runner/state/run_summary_sql.hpp). Run times are
                placed so that about --due-fraction of the integrations
                missed their latest slot at --now.

Timed, after one warm-up, --runs times interleaved, medians:

  dry-run    tapline --config CFG run --due --dry-run --now NOW > /dev/null
  state-get  tapline --config CFG state get NAME  (loads the config and
             opens the database, plans nothing: the fixed cost)
  startup    tapline --version                    (process start only)

Wall time is time.perf_counter() around the child; peak RSS comes from
one more, untimed run of each under /usr/bin/time -f %M (VmHWM polled from
/proc when that is missing). Standard library only.
"""

import argparse
import hashlib
import json
import os
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

GOAL_MS_AT_10K = 200.0

SCHEDULES = ["*/15 * * * *", "0 2 * * *", "every 30m", "every 6h",
             "0 */4 * * mon-fri", "@hourly"]
ZONES = ["Europe/Berlin", "America/New_York"]
SOURCES = ["salesforce", "hubspot", "stripe", "postgres", "zendesk",
           "shopify", "github", "jira", "intercom", "mysql"]
AUTH_CLASSES = ["token_revoked", "bad_credentials", "refresh_token_expired",
                "insufficient_permissions"]
TAP_CONFIG_JSON = '{"records":10}'  # the inline config, sorted compact JSON


# ---------------------------------------------------------------- schedules

DOW_NAMES = {n: i for i, n in enumerate(
    ["sun", "mon", "tue", "wed", "thu", "fri", "sat"])}


def cron_field(text, low, high, names=None):
    """The set of values a cron field allows (enough syntax for SCHEDULES)."""
    def value(word):
        word = word.lower()
        if names and word in names:
            return names[word]
        return int(word)
    allowed = set()
    for part in text.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/")
            step = int(step_text)
        if part == "*":
            first, last = low, high
        elif "-" in part:
            first, last = (value(w) for w in part.split("-"))
        else:
            first = last = value(part)
        allowed.update(range(first, last + 1, step))
    return allowed


def cron_matcher(expression):
    if expression == "@hourly":
        expression = "0 * * * *"
    minute, hour, dom, month, dow = expression.split()
    fields = (cron_field(minute, 0, 59), cron_field(hour, 0, 23),
              cron_field(dom, 1, 31), cron_field(month, 1, 12),
              {d % 7 for d in cron_field(dow, 0, 7, DOW_NAMES)})
    assert dom == "*", "only day-of-week restrictions are modelled"

    def matches(local):
        return (local.minute in fields[0] and local.hour in fields[1]
                and local.day in fields[2] and local.month in fields[3]
                and (local.isoweekday() % 7) in fields[4])
    return matches


def interval_seconds(expression):
    match = re.fullmatch(r"every (\d+)([smhd])", expression)
    if not match:
        return None
    unit = {"s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]
    return int(match.group(1)) * unit


def recent_slots(expression, zone, now, count=3):
    """The `count` latest cron slots at or before `now` (unix seconds,
    newest first), found minute by minute in the schedule's zone."""
    matches = cron_matcher(expression)
    tz = ZoneInfo(zone or "UTC")
    slots = []
    t = now - now % 60
    while len(slots) < count:
        local = datetime.fromtimestamp(t, tz)
        if matches(local):
            slots.append(t)
        t -= 60
        if now - t > 30 * 86400:
            raise RuntimeError(f"no slot for {expression!r} in 30 days")
    return slots


# ----------------------------------------------------------------- workload

def iso(unix):
    """ISO 8601 UTC with milliseconds, as the store writes it."""
    whole = int(unix)
    millis = int(round((unix - whole) * 1000))
    if millis == 1000:
        whole, millis = whole + 1, 0
    stamp = datetime.fromtimestamp(whole, timezone.utc)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S") + f".{millis:03d}Z"


def fingerprint(config_json, env=None):
    """credentials::fingerprint (runner/credentials/tap_config.cpp):
    BLAKE2b-256 over length-prefixed parts."""
    digest = hashlib.blake2b(digest_size=32)
    parts = ["tapline-fingerprint-v1", config_json]
    for name, value in sorted((env or {}).items()):
        parts += [name, value]
    for part in parts:
        data = part.encode()
        digest.update(len(data).to_bytes(8, "little") + data)
    return digest.hexdigest()


def run_summary_select():
    """k_run_summary_select, read from the header so the fill is the store's
    own query."""
    header = (REPO / "runner" / "state" / "run_summary_sql.hpp").read_text()
    match = re.search(r'k_run_summary_select = R"sql\((.*?)\)sql"', header,
                      re.S)
    if not match:
        sys.exit("cannot find k_run_summary_select in run_summary_sql.hpp")
    return match.group(1)


def plan_integrations(n, now, args):
    """Per integration: config fields and the shape of its run history."""
    rng = random.Random(args.seed * 1_000_003 + n)
    slot_cache = {}
    plans = []
    for i in range(n):
        name = f"{SOURCES[rng.randrange(len(SOURCES))]}_{i:06d}"
        p = {"name": name, "jsonl": rng.random() < 0.5,
             "schedule": None, "zone": None}
        if rng.random() >= 0.05:
            p["schedule"] = rng.choice(SCHEDULES)
            if rng.random() < 0.3:
                p["zone"] = rng.choice(ZONES)
        kind = rng.random()
        p["status"] = ("needs_reauth" if kind < 0.01 else
                       "paused" if kind < 0.02 else
                       "active" if kind < 0.04 else None)  # active: resumed
        if rng.random() < 0.02 and p["status"] is None:
            p["history"] = 0  # configured, never ran
            plans.append(p)
            continue
        p["history"] = args.history
        due = rng.random() < args.due_fraction
        expression = p["schedule"]
        if expression is None:  # run by hand now and then
            period = 86400
            last = now - rng.uniform(3600, 3 * 86400)
        elif (seconds := interval_seconds(expression)) is not None:
            period = seconds
            if due:  # the interval ran out a while ago
                last = now - seconds - rng.uniform(0.02, 0.5) * seconds
            else:
                last = now - rng.uniform(0.05, 0.95) * seconds
        else:
            key = (expression, p["zone"])
            if key not in slot_cache:
                slot_cache[key] = recent_slots(expression, p["zone"], now)
            latest, previous = slot_cache[key][:2]
            period = latest - previous
            if due:  # missed the latest slot: last ran in the one before
                last = previous + rng.uniform(0, min(60, latest - previous - 1))
            else:  # took the latest slot, within a minute of it (a slot at
                # `now` itself: within its first second)
                room = 0.9 if latest == now else min(60, now - latest)
                last = latest + rng.uniform(0, room)
        p["last_start"] = last
        p["period"] = period
        outcomes = [rng.choices(("succeeded", "failed", "degraded"),
                                (0.93, 0.04, 0.03))[0]
                    for _ in range(args.history)]
        exit_codes = [1 if o == "failed" else 0 for o in outcomes]
        if p["status"] == "needs_reauth":
            outcomes[-1], exit_codes[-1] = "failed", 77  # the auth failure
            if args.history > 1:
                outcomes[-2], exit_codes[-2] = "succeeded", 0
        else:
            last_kind = rng.random()
            if last_kind < 0.07:  # failing: a streak of 1-3 failures
                streak = min(rng.randint(1, 3), args.history)
                for k in range(args.history - streak, args.history):
                    outcomes[k], exit_codes[k] = "failed", 1
                if args.history > streak:
                    outcomes[-streak - 1] = "succeeded"
                    exit_codes[-streak - 1] = 0
            elif last_kind < 0.12:
                outcomes[-1], exit_codes[-1] = "degraded", 0
            else:
                outcomes[-1], exit_codes[-1] = "succeeded", 0
        p["outcomes"] = outcomes
        p["exit_codes"] = exit_codes
        if p["status"] == "needs_reauth":
            # Half were paused with the credentials still configured (they
            # stay skipped), half have had their config edited since (run to
            # verify). Both make the planner compute a fingerprint.
            p["fingerprint"] = (fingerprint(TAP_CONFIG_JSON) if rng.random() < 0.5
                                else fingerprint('{"records":9}'))
        plans.append(p)
    return plans


def write_config(directory, plans):
    lines = ["integrations:"]
    for p in plans:
        name = p["name"]
        target = (f"{{jsonl: {{dir: out/{name}}}}}" if p["jsonl"]
                  else "{null: {}}")
        lines.append(f"  {name}:")
        lines.append("    tap: {command: [tap-synthetic], config: {records: 10}}")
        lines.append(f"    target: {target}")
        if p["schedule"]:
            lines.append(f'    schedule: "{p["schedule"]}"')
            if p["zone"]:
                lines.append(f"    timezone: {p['zone']}")
    path = directory / "tapline.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def fill_database(db_path, data_dir, plans, args, seed, now):
    rng = random.Random(seed)
    db = sqlite3.connect(db_path, isolation_level=None)
    db.execute("PRAGMA synchronous = OFF")
    db.execute("BEGIN")
    with_history = [p for p in plans if p["history"]]
    last_success = {}
    run_ids = {}
    next_id = 1

    def runs():
        # Round-robin by age, so run ids rise with time across integrations
        # as they do in a real store.
        nonlocal next_id
        for k in range(args.history):
            for p in with_history:
                back = args.history - 1 - k
                start = p["last_start"] - back * p["period"]
                if back:
                    start += rng.uniform(0, min(60, p["period"] * 0.05))
                outcome = p["outcomes"][k]
                duration = rng.uniform(2, 240)
                records = (rng.randint(0, 100) if outcome == "failed"
                           else rng.randint(0, 5000))
                run_id = next_id
                next_id += 1
                name = p["name"]
                if outcome != "failed":
                    last_success[name] = (run_id, start + duration)
                run_ids[name] = run_id
                yield (run_id, name, iso(start), iso(start + duration), outcome,
                       p["exit_codes"][k],
                       json.dumps({"orders": records // 2,
                                   "users": records - records // 2}),
                       records, records * 350,
                       f"{data_dir}/logs/{name}/{run_id}.log",
                       "" if outcome != "failed" else
                       "tap exited with code 1" if p["exit_codes"][k] == 1 else
                       "authentication failed: token revoked",
                       rng.randint(1000, 4_000_000))

    db.executemany("INSERT INTO runs (id, integration, started_at, ended_at, "
                   "outcome, exit_code, records_json, records, bytes, "
                   "log_path, error, pid) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                   runs())

    def bookmarks():
        for name, (run_id, ended) in last_success.items():
            value = json.dumps({"bookmarks": {"orders": {
                "replication_key": "updated_at",
                "replication_key_value": iso(ended - 300)}}})
            yield name, value, iso(ended), run_id, "tap"

    db.executemany("INSERT INTO state_history (integration, value_json, "
                   "committed_at, run_id, source) VALUES (?,?,?,?,?)",
                   bookmarks())

    def statuses():
        for p in plans:
            status = p["status"]
            if status is None:
                continue
            last_id = run_ids.get(p["name"])
            # shortly after its last run ended, and never after --now
            since = iso(min(p["last_start"] + 300, now - 1) if last_id
                        else now - 7 * 86400)
            if status == "needs_reauth":
                yield (p["name"], status, rng.choice(AUTH_CLASSES),
                       "builtin.http-401", "the provider rejected the token",
                       '{"type":"LOG","message":"401 Unauthorized"}', last_id,
                       since, p["fingerprint"])
            elif status == "paused":
                yield (p["name"], status, "", "", "maintenance at the source",
                       "", None, since, "")
            else:
                yield (p["name"], status, "", "", "", "", last_id, since, "")

    db.executemany("INSERT INTO integration_status (integration, status, "
                   "auth_class, rule_id, explanation, evidence, run_id, since, "
                   "fingerprint) VALUES (?,?,?,?,?,?,?,?,?)", statuses())
    db.execute("INSERT OR REPLACE INTO run_summary " + run_summary_select() +
               " WHERE r.id = (SELECT MAX(m.id) FROM runs m "
               "WHERE m.integration = r.integration)")
    db.execute("COMMIT")
    counts = {table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
              for table in ("runs", "state_history", "integration_status",
                            "run_summary")}
    db.close()
    return counts


def generate(directory, n, tapline, now, args):
    directory.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    plans = plan_integrations(n, now, args)
    config = write_config(directory, plans)
    data_dir = directory / ".tapline"
    if data_dir.exists():
        for leftover in data_dir.iterdir():
            if leftover.is_file():
                leftover.unlink()
    # tapline creates and migrates its own database.
    subprocess.run([str(tapline), "--config", str(config), "status"],
                   stdout=subprocess.DEVNULL, check=True)
    db_path = data_dir / "state.db"
    if not db_path.exists():
        sys.exit(f"`tapline status` did not create {db_path}")
    counts = fill_database(db_path, data_dir, plans, args,
                           args.seed * 7919 + n, now)
    probe = next(p["name"] for p in plans if p["history"])
    (directory / "workload.json").write_text(json.dumps(
        {"integrations": n, "seed": args.seed, "history": args.history,
         "due_fraction": args.due_fraction, "now": args.now,
         "probe": probe, "rows": counts}, indent=2) + "\n")
    print(f"  generated {n:,} integrations in "
          f"{time.perf_counter() - started:.1f}s: {counts}, "
          f"config {config.stat().st_size / 1e6:.1f} MB, "
          f"db {db_path.stat().st_size / 1e6:.1f} MB", file=sys.stderr)
    return config, probe


# ------------------------------------------------------------------ timing

def run_timed(argv, stderr_file):
    """Run argv with stdout to /dev/null; wall seconds."""
    start = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=stderr_file)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        stderr_file.seek(0)
        sys.exit(f"benchmark command failed ({done.returncode}): "
                 f"{' '.join(map(str, argv))}\n{stderr_file.read()}")
    return wall


def read_hwm_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def peak_rss_kib(argv):
    """Peak RSS of argv's process alone, in KiB, from a separate untimed run.

    Not rusage: a child's ru_maxrss also counts the memory of the Python
    process it was forked from (the kernel keeps the pre-exec high-water
    mark). /usr/bin/time -f %M is exact; without it, VmHWM is polled."""
    if os.access("/usr/bin/time", os.X_OK):
        done = subprocess.run(["/usr/bin/time", "-f", "%M", *argv],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True, check=True)
        return int(done.stderr.strip().splitlines()[-1])
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, read_hwm_kib(proc.pid) or 0)
        time.sleep(0.002)
    return peak


def plan_counts(argv):
    out = subprocess.run(argv, capture_output=True, text=True, check=True)
    head = out.stdout.splitlines()[0] if out.stdout else ""
    match = re.search(r"(\d+) to run, (\d+) skipped, (\d+) waiting", head)
    counts = dict(zip(("run", "skip", "wait"),
                      map(int, match.groups()))) if match else {}
    counts["output_bytes"] = len(out.stdout.encode())
    return counts


def bench_size(n, tapline, now, args, keep):
    if keep:
        directory = Path(keep) / f"n{n}"
        marker = directory / "workload.json"
        meta = json.loads(marker.read_text()) if marker.exists() else None
        wanted = {"integrations": n, "seed": args.seed,
                  "history": args.history, "due_fraction": args.due_fraction,
                  "now": args.now}
        if meta and all(meta.get(k) == v for k, v in wanted.items()):
            print(f"  reusing {directory}", file=sys.stderr)
            config, probe = directory / "tapline.yaml", meta["probe"]
        else:
            config, probe = generate(directory, n, tapline, now, args)
        return measure(n, tapline, config, probe, args)
    with tempfile.TemporaryDirectory(prefix=f"tapline-bench-due-{n}-") as tmp:
        config, probe = generate(Path(tmp), n, tapline, now, args)
        return measure(n, tapline, config, probe, args)


def measure(n, tapline, config, probe, args):
    commands = {
        "dry_run": [str(tapline), "--config", str(config), "run", "--due",
                    "--dry-run", "--now", args.now],
        "state_get": [str(tapline), "--config", str(config), "state", "get",
                      probe],
        "startup": [str(tapline), "--version"],
    }
    walls = {key: [] for key in commands}
    with tempfile.TemporaryFile("w+") as stderr_file:
        for argv in commands.values():  # warm-up (page cache, master key)
            run_timed(argv, stderr_file)
        for i in range(args.runs):
            order = list(commands) if i % 2 == 0 else list(commands)[::-1]
            for key in order:
                walls[key].append(run_timed(commands[key], stderr_file))
    rss = {key: peak_rss_kib(argv) for key, argv in commands.items()}
    counts = plan_counts(commands["dry_run"])
    med = {key: statistics.median(v) * 1000 for key, v in walls.items()}
    result = {
        "integrations": n,
        "median_ms": {k: round(v, 1) for k, v in med.items()},
        "min_ms": {k: round(min(v) * 1000, 1) for k, v in walls.items()},
        "samples_ms": {k: [round(x * 1000, 1) for x in v]
                       for k, v in walls.items()},
        "peak_rss_mib": {k: round(v / 1024, 1) for k, v in rss.items()},
        "plan": counts,
    }
    print(f"  {n:,}: dry-run median {med['dry_run']:.1f} ms, state get "
          f"{med['state_get']:.1f} ms, startup {med['startup']:.1f} ms; "
          f"plan {counts}", file=sys.stderr)
    return result


# -------------------------------------------------------------------- main

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000",
                        help="comma-separated integration counts")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tapline", default=str(REPO / "build" / "tapline"),
                        help="tapline binary (relative paths: to the repo root)")
    parser.add_argument("--keep", metavar="DIR",
                        help="generate workloads into DIR/nN and keep them "
                        "(reused on the next run if the parameters match)")
    parser.add_argument("--now", default="2026-11-25T12:00:00Z")
    parser.add_argument("--history", type=int, default=20,
                        help="runs recorded per integration")
    parser.add_argument("--due-fraction", type=float, default=0.12,
                        help="share of integrations that missed their slot")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", help="also write results to this file")
    args = parser.parse_args()

    tapline = Path(args.tapline)
    if not tapline.is_absolute():
        tapline = REPO / tapline
    if not tapline.exists():
        sys.exit(f"missing {tapline}: build first (scripts/build) or pass "
                 "--tapline")
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s]
    now = int(datetime.strptime(args.now, "%Y-%m-%dT%H:%M:%SZ")
              .replace(tzinfo=timezone.utc).timestamp())

    results = []
    for n in sizes:
        print(f"size {n:,}", file=sys.stderr)
        results.append(bench_size(n, tapline, now, args, args.keep))

    by_n = {r["integrations"]: r for r in results}
    print(f"`run --due --dry-run --now {args.now}`, {args.history} runs of "
          f"history per integration; medians of {args.runs} runs "
          f"(after a warm-up); goal {GOAL_MS_AT_10K:.0f} ms at 10k, scaled "
          "linearly for other sizes")
    print("| integrations | median | min | per 1k | vs goal | config+db "
          "(state get) | planning+output | peak RSS | plan (run/skip/wait) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        n = r["integrations"]
        med, low = r["median_ms"], r["min_ms"]
        goal = GOAL_MS_AT_10K * n / 10_000
        r["goal_ms"] = goal
        r["ratio_vs_goal"] = round(med["dry_run"] / goal, 2)
        r["ms_per_1k"] = round(med["dry_run"] / (n / 1000), 2)
        plan = r["plan"]
        print(f"| {n:,} | {med['dry_run']:.1f} ms | {low['dry_run']:.1f} ms | "
              f"{r['ms_per_1k']:.2f} ms | {r['ratio_vs_goal']:.2f}x of "
              f"{goal:.0f} ms | {med['state_get']:.1f} ms | "
              f"{med['dry_run'] - med['state_get']:.1f} ms | "
              f"{r['peak_rss_mib']['dry_run']} MiB | "
              f"{plan.get('run')}/{plan.get('skip')}/{plan.get('wait')} |")
    startup = statistics.median(x for r in results
                                for x in r["samples_ms"]["startup"])
    print(f"process startup (`tapline --version`): {startup:.1f} ms")
    linearity = {}
    ordered = sorted(by_n)
    for small, large in zip(ordered, ordered[1:]):
        ratio = by_n[large]["median_ms"]["dry_run"] / by_n[small]["median_ms"]["dry_run"]
        linearity[f"{large}/{small}"] = round(ratio, 2)
        print(f"linearity {large:,}/{small:,}: {ratio:.2f}x time for "
              f"{large / small:g}x integrations")
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"now": args.now, "runs": args.runs, "history": args.history,
             "results": results, "linearity": linearity,
             "startup_ms": round(startup, 1)}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
