#!/usr/bin/env bash
# Ingest-to-send latency inside our server at 100 streams x 10 RTMP viewers (1,000 players), from the server's own
# HdrHistogram buckets (cococam_ingest_to_send_seconds_bucket) scraped at the start and the end of the measured
# window, so warm-up and connection set-up are left out. Also prints the load tool's end-to-end delivery lag.
#
#   bench/scripts/latency-100x10.sh [RECORD=false] [DURATION=40]
# WARMUP: seconds before the window opens (default 30, was 15: the young GC that promotes the state of the 1,100 new
# connections, a 40-100 ms pause, came at 4-18 s of the server's life and fell inside a 15 s warm-up's window).
# OURS_ARGS: extra server options (e.g. --stream.ringSize=1024). OURS_JAVA_OPTS: extra JVM flags for the server (e.g.
# -Xlog:gc:file=/tmp/gc.log). LOAD_NICE: niceness of the load tool (default 0). With LOAD_NICE=19 the kernel runs the
# server's threads first when both want a core, which is the nearest this 2-core box gets to a load tool on its own
# machine (say which one a result used).
# Needs server/target/cococam-server.jar and bench/target/benchmarks.jar (./mvnw -B -q package -DskipTests) and an
# ffmpeg (FFMPEG=path, on PATH, or Bytedeco's under ~/.javacpp/cache). Loopback only; stops after the run.
set -euo pipefail
cd "$(dirname "$0")/../.."
RECORD=${1:-false}
DURATION=${2:-40}
WARMUP=${WARMUP:-30}
RTMP_PORT=${RTMP_PORT:-39461}
HTTP_PORT=${HTTP_PORT:-38181}
RTSP_PORT=${RTSP_PORT:-38654}
WORK=$(mktemp -d /tmp/cococam-lat.XXXXXX)
bench/scripts/clip.sh "$WORK/clip.flv"
{
    echo "cameras:"
    for i in $(seq 1 100); do
        printf '  cam%d:\n    publishKey: k-cam%d\n    record: %s\n    retentionDays: 7\n' "$i" "$i" "$RECORD"
    done
} > "$WORK/c.yaml"
# shellcheck disable=SC2086
java ${OURS_JAVA_OPTS:-} -jar server/target/cococam-server.jar --config "$WORK/c.yaml" --rtmp.host=127.0.0.1 --http.host=127.0.0.1 \
    --rtmp.port="$RTMP_PORT" --http.port="$HTTP_PORT" --rtsp.host=127.0.0.1 --rtsp.port="$RTSP_PORT" \
    --storage.dir="$WORK/rec" ${OURS_ARGS:-} > "$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$HTTP_PORT/" && break; sleep 0.1; done
# Scrape times are printed: a scrape is served on an event loop, so a slow one would delay that loop's viewers.
( sleep "$WARMUP"; curl -s -w 'scrape at start: %{time_total} s\n' -o "$WORK/start.txt" "http://127.0.0.1:$HTTP_PORT/metrics";
  sleep "$DURATION"; curl -s -w 'scrape at end: %{time_total} s\n' -o "$WORK/end.txt" "http://127.0.0.1:$HTTP_PORT/metrics" ) &
SCRAPER=$!
timeout $((WARMUP + DURATION + 60)) nice -n "${LOAD_NICE:-0}" java -Xms512m -Xmx1g -Dio.netty.leakDetection.level=disabled \
    -cp bench/target/benchmarks.jar com.cococam.bench.load.LoadMain --input="$WORK/clip.flv" \
    --rtmp="rtmp://127.0.0.1:$RTMP_PORT/live" --publishers=100 --players=1000 --key-prefix=k- \
    --warmup-s="$WARMUP" --duration-s="$((DURATION + 2))" --threads=2 --server-pids="$SERVER" \
    --label="ours/100x10 record=$RECORD" 2>&1 | grep -v '^{' | grep -E "ours/|lag p50|full rate|server CPU|errors"
wait "$SCRAPER"
python3 - "$WORK/start.txt" "$WORK/end.txt" <<'PY'
import re, sys
def buckets(path):
    out = {}
    for line in open(path):
        m = re.match(r'cococam_ingest_to_send_seconds_bucket\{path="[^"]+",le="([^"]+)"\} (\d+)', line)
        if m:
            out[m.group(1)] = out.get(m.group(1), 0) + int(m.group(2))
    return out
start, end = buckets(sys.argv[1]), buckets(sys.argv[2])
total = end["+Inf"] - start["+Inf"]
print(f"ingest-to-send inside the server over the window, all 100 paths: {total} frame hand-offs")
for le in [k for k in end if k != "+Inf"] + ["+Inf"]:
    n = end[le] - start.get(le, 0)
    print(f"  <= {le:>12} s: {100.0 * n / total:8.3f} %")
PY
