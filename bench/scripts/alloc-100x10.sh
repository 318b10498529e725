#!/usr/bin/env bash
# Heap allocation of our server at 100 streams x 10 RTMP viewers: runs latency-100x10.sh (recording off) and, in
# its measured window, takes a 30 s JFR recording of the server, then prints the bytes each thread allocated over it
# (jdk.ThreadAllocationStatistics, exact per-thread counters, not samples). The recording's own threads (Attach
# Listener, JFR) are listed too; leave them out of the server's figure.
#
#   bench/scripts/alloc-100x10.sh [LABEL=run]
# Needs what latency-100x10.sh needs, and the JDK's jcmd and jfr. Loopback only; stops after the run.
set -euo pipefail
cd "$(dirname "$0")/../.."
LABEL=${1:-run}
WORK=$(mktemp -d /tmp/cococam-alloc.XXXXXX)
WARMUP=30 bench/scripts/latency-100x10.sh false 45 > "$WORK/latency.txt" 2>&1 &
RUN=$!
sleep 42
PID=$(pgrep -f "cococam-server.jar --config /tmp/cococam-lat" | head -1)
jcmd "$PID" JFR.start name=alloc settings=default duration=30s filename="$WORK/alloc.jfr" > /dev/null
sleep 33
wait "$RUN" || true
jfr print --events jdk.ThreadAllocationStatistics "$WORK/alloc.jfr" > "$WORK/stats.txt"
python3 - "$WORK/stats.txt" "$LABEL" <<'PY'
import collections, re, sys
text = open(sys.argv[1]).read()
unit = {"bytes": 1, "kB": 1024, "MB": 1024 ** 2, "GB": 1024 ** 3}
per_thread = collections.defaultdict(list)
for block in text.split("jdk.ThreadAllocationStatistics {")[1:]:
    start = re.search(r"startTime = (\S+)", block).group(1)
    amount = re.search(r"allocated = ([\d.]+) (\w+)", block)
    thread = re.search(r'thread = "([^"]*)"', block)
    per_thread[thread.group(1) if thread else "?"].append((start, float(amount.group(1)) * unit[amount.group(2)]))
rows = []
for thread, values in per_thread.items():
    values.sort()
    if values[-1][1] > values[0][1]:
        rows.append((values[-1][1] - values[0][1], thread))
rows.sort(reverse=True)
total = sum(r[0] for r in rows)
print(f"{sys.argv[2]}: {total / 2 ** 20:.2f} MB allocated over the recording (first to last sample of each thread)")
for amount, thread in rows[:8]:
    print(f"  {amount / 2 ** 20:8.2f} MB  {thread}")
PY
rm -rf "$WORK"
