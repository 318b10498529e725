#!/usr/bin/env python3
"""Builds the side-by-side report from the load tool's JSON lines.

usage: side-by-side-report.py RUNS.jsonl MACHINE.txt PROFILE.txt OUT.json  (the text report goes to stdout)

For every scenario: ours, nginx-rtmp and the ratio ours/nginx of server CPU per Mbit moved, server CPU, peak RSS
and delivery lag; plus delivered rates, the share of players at full rate and errors. Lower ratios are better
for CPU, RSS and lag.
"""
import json
import sys


def load(path):
    runs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                runs.append(json.loads(line))
    return runs


def lag(run, key, q):
    h = run.get(key)
    return None if not h else h.get(q)


def fmt(value, digits=1):
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def row(run):
    return {
        "players": run["players"],
        "publishers": run["publishers"],
        "hlsFetchers": run["hlsFetchers"],
        "deliveredMbps": run["deliveredMbps"] + run["hlsMbps"],
        "ingestMbps": run["ingestMbps"],
        "lagP50": lag(run, "lagMs", "p50"),
        "lagP99": lag(run, "lagMs", "p99"),
        "lagP999": lag(run, "lagMs", "p999"),
        "lagMax": lag(run, "lagMs", "max"),
        "hlsLagP50": lag(run, "hlsLagMs", "p50"),
        "hlsLagMax": lag(run, "hlsLagMs", "max"),
        "fullRate": run["fullRateShare"],
        "errors": run["errors"],
        "cpuPct": run["serverCpuPct"],
        "sysPct": run.get("serverSysCpuPct"),
        "cpuMsPerMbit": run["serverCpuMsPerMbit"],
        "rssMb": run["serverPeakRssMb"],
        "toolCpuPct": run["toolCpuPct"],
        "toolAllocMBps": run["toolAllocMBps"],
    }


COLUMNS = [
    ("deliveredMbps", "out Mbit/s", 1),
    ("ingestMbps", "in Mbit/s", 1),
    ("lagP50", "lag p50", 1),
    ("lagP99", "p99", 1),
    ("lagP999", "p99.9", 1),
    ("lagMax", "max ms", 1),
    ("hlsLagP50", "HLS p50", 0),
    ("fullRate", "full rate", 2),
    ("errors", "errors", 0),
    ("cpuPct", "CPU %", 1),
    ("sysPct", "kernel %", 1),
    ("cpuMsPerMbit", "CPU ms/Mbit", 3),
    ("rssMb", "RSS MB", 0),
    ("toolCpuPct", "tool CPU %", 1),
]
RATIO_KEYS = ["cpuMsPerMbit", "cpuPct", "rssMb", "lagP50", "lagP99", "lagMax", "hlsLagP50"]


def main():
    runs_path, machine_path, profile_path, out_json = sys.argv[1:5]
    runs = load(runs_path)
    scenarios = []
    for run in runs:
        if run["scenario"] not in scenarios:
            scenarios.append(run["scenario"])
    by = {(r["scenario"], r["server"]): r for r in runs}

    lines = ["== side by side: our server vs nginx-rtmp (loopback, same clip, same load tool)", ""]
    header = f"{'scenario':<16}{'server':<7}" + "".join(f"{title:>12}" for _, title, _ in COLUMNS)
    lines.append(header)
    comparison = []
    for scenario in scenarios:
        ours = by.get((scenario, "ours"))
        ngx = by.get((scenario, "nginx"))
        entry = {"scenario": scenario}
        for name, run in (("ours", ours), ("nginx", ngx)):
            if run is None:
                continue
            r = row(run)
            entry[name] = r
            lines.append(f"{scenario:<16}{name:<7}" + "".join(f"{fmt(r[k], d):>12}" for k, _, d in COLUMNS))
        if ours and ngx:
            o, n = row(ours), row(ngx)
            entry["ratio"] = {k: ratio(o[k], n[k]) for k in RATIO_KEYS}
            cells = []
            for k, _, d in COLUMNS:
                value = entry["ratio"].get(k)
                text = "-" if value is None else f"{value:.2f}x"
                cells.append(f"{text:>12}" if k in RATIO_KEYS else f"{'':>12}")
            lines.append(f"{scenario:<16}{'ratio':<7}" + "".join(cells))
        lines.append("")
        comparison.append(entry)

    lines += [
        "Columns: out = RTMP + HLS delivered to the tool's clients, in = ingested from its publishers (both wire",
        "Mbit/s in the measured window); lag = video delivery lag, receive time - intended send time (publisher",
        "schedule), ms; HLS p50 = segment availability lag, ms; full rate = share of players that got >= 95% of the",
        "frames and bytes scheduled in the window; CPU % = server user+system CPU (100 = one core; nginx: master +",
        "workers), kernel % = its system part; CPU ms/Mbit = server CPU time per Mbit moved (out + in); RSS = peak resident set (VmHWM);",
        "tool CPU = the load generator's own CPU. ratio = ours / nginx (below 1: ours uses less / is faster).",
        "",
    ]
    with open(profile_path, encoding="utf-8") as f:
        profile = f.read()
    if profile.strip():
        lines += ["== profile of ours during a fan-out run (JFR execution samples)", profile, ""]
    with open(machine_path, encoding="utf-8") as f:
        machine = f.read()
    lines.append(machine)
    print("\n".join(lines))
    with open(out_json, "w", encoding="utf-8") as f:
        json.dump({"machine": machine, "runs": runs, "comparison": comparison, "profile": profile}, f, indent=1)


if __name__ == "__main__":
    main()
