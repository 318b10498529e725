#!/usr/bin/env bash
# A/B of two builds of our server on loopback: the same load-tool scenarios against jar A and jar B, alternating
# A,B then B,A round after round, each run on a fresh server. For judging a change by CPU per delivered Mbit on a
# noisy 2-core box: compare the medians over the rounds, never one run.
#
#   bench/scripts/ab-jars.sh JAR_A JAR_B ROUNDS SCENARIO [SCENARIO ...]
#
# Scenarios as in side-by-side.sh (fanout-N, ingest-N, hls-N), live-N: ingest-N with recording off, and streams-N:
# N publishers with 10 players each (the latency script's load). Environment: DURATION (measured s, 20), WARMUP (5),
# THREADS (load tool event loops, 2), OUT (results folder, bench/results). Needs bench/target/benchmarks.jar and an
# ffmpeg (FFMPEG, PATH, or Bytedeco's under ~/.javacpp/cache). Writes OUT/<date-time>-ab.txt and .jsonl.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -ge 4 ] || { sed -n 2,11p "$0"; exit 2; }
NAME_A=$1; NAME_B=$2; JAR_A=$(realpath "$1"); JAR_B=$(realpath "$2"); ROUNDS=$3; shift 3
SCENARIOS=("$@")
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-5}
THREADS=${THREADS:-2}
OUT=${OUT:-bench/results}
RTMP_PORT=29461
HTTP_PORT=28181
RTSP_PORT=28554
LOAD_JAR=bench/target/benchmarks.jar
[ -f "$LOAD_JAR" ] || { echo "missing $LOAD_JAR: ./mvnw -B -q package -DskipTests" >&2; exit 2; }

WORK=$(mktemp -d /tmp/cococam-ab.XXXXXX)
cp "$JAR_A" "$WORK/a.jar"; cp "$JAR_B" "$WORK/b.jar"; cp "$LOAD_JAR" "$WORK/load.jar"
STAMP=$(date +%Y-%m-%d-%H%M)
mkdir -p "$OUT"
RESULTS="$OUT/$STAMP-ab.jsonl"
REPORT="$OUT/$STAMP-ab.txt"
: > "$RESULTS"
SERVER_PID=""
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

bench/scripts/clip.sh "$WORK/clip.flv"
for record in true false; do
    {
        echo "cameras:"
        for i in $(seq 1 100); do
            printf '  cam%d:\n    publishKey: k-cam%d\n    record: %s\n' "$i" "$i" "$record"
        done
    } > "$WORK/record-$record.yaml"
done

run_one() { # LABEL JAR SCENARIO
    local label=$1 jar=$2 scenario=$3 kind=${3%-*} n=${3##*-} publishers players fetchers record
    case "$kind" in
        fanout) publishers=1; players=$n; fetchers=0; record=false ;;
        ingest) publishers=$n; players=$(( n / 10 > 0 ? n / 10 : 1 )); fetchers=0; record=true ;;
        live) publishers=$n; players=$(( n / 10 > 0 ? n / 10 : 1 )); fetchers=0; record=false ;;
        hls) publishers=1; players=0; fetchers=$n; record=false ;;
        streams) publishers=$n; players=$(( n * 10 )); fetchers=0; record=false ;;
        *) echo "unknown scenario $scenario" >&2; exit 2 ;;
    esac
    rm -rf "$WORK/rec"
    java -jar "$jar" --config "$WORK/record-$record.yaml" --rtmp.host=127.0.0.1 --http.host=127.0.0.1 \
        --rtsp.host=127.0.0.1 --rtsp.port=$RTSP_PORT --rtmp.port=$RTMP_PORT --http.port=$HTTP_PORT \
        --storage.dir="$WORK/rec" > "$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 200); do curl -s -o /dev/null "http://127.0.0.1:$HTTP_PORT/" && break; sleep 0.1; done
    timeout 180 java -Xms512m -Xmx1g -Dio.netty.leakDetection.level=disabled -cp "$WORK/load.jar" \
        com.cococam.bench.load.LoadMain --input="$WORK/clip.flv" --rtmp="rtmp://127.0.0.1:$RTMP_PORT/live" \
        --hls="http://127.0.0.1:$HTTP_PORT/live/{name}/stream.m3u8" --publishers=$publishers --players=$players \
        --hls-fetchers=$fetchers --key-prefix=k- --warmup-s="$WARMUP" --duration-s="$DURATION" --threads="$THREADS" \
        --server-pids=$SERVER_PID --label="$label/$scenario" --server="$label" --scenario="$scenario" \
        --json="$RESULTS" 2>&1 | grep -E 'server CPU|players at full|delivery lag' | sed "s#^#$label/$scenario #" \
        | tee -a "$REPORT" || true
    kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}

echo "# A = $NAME_A, B = $NAME_B; $ROUNDS rounds; $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$REPORT"
for round in $(seq 1 "$ROUNDS"); do
    for scenario in "${SCENARIOS[@]}"; do
        if [ $(( round % 2 )) -eq 1 ]; then run_one A "$WORK/a.jar" "$scenario"; run_one B "$WORK/b.jar" "$scenario";
        else run_one B "$WORK/b.jar" "$scenario"; run_one A "$WORK/a.jar" "$scenario"; fi
    done
done
python3 - "$RESULTS" <<'PY' | tee -a "$REPORT"
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def key(r): return r.get("label", "?").split("/", 1)
by = {}
for r in runs:
    server, scenario = key(r)
    by.setdefault(scenario, {}).setdefault(server, []).append(r)
print("\nscenario        CPU ms/Mbit A (runs)            B (runs)            median B/A")
for scenario, servers in by.items():
    med = {}
    cols = []
    for s in ("A", "B"):
        vals = [r.get("serverCpuMsPerMbit") for r in servers.get(s, []) if r.get("serverCpuMsPerMbit") is not None]
        med[s] = statistics.median(vals) if vals else float("nan")
        cols.append(" ".join("%.3f" % v for v in vals))
    print("%-15s %-30s %-30s %.2fx" % (scenario, cols[0], cols[1], med["B"] / med["A"]))
PY
echo "written: $REPORT, $RESULTS"
