#!/usr/bin/env bash
# Live load on loopback: N cameras publishing a pre-encoded 720p H.264+AAC clip at real time (ffmpeg -c copy,
# so the publishers cost almost nothing), M RTMP players per camera (ffmpeg -c copy to null) and one HLS
# fetcher per camera. Reports the server's peak RSS, CPU, and the ingest-to-send latency and HLS listing
# delay quantiles from /metrics. Everything runs on 127.0.0.1 and stops after DURATION seconds.
#
#   bench/scripts/live-load.sh [STREAMS=10] [PLAYERS_PER_STREAM=2] [DURATION=60]
# Needs server/target/cococam-server.jar (./mvnw -B -q package -DskipTests) and an ffmpeg (FFMPEG=path, or
# on PATH, or the one Bytedeco's artifact extracted under ~/.javacpp/cache by the test suite).
set -euo pipefail
cd "$(dirname "$0")/../.."

STREAMS=${1:-10}
PLAYERS=${2:-2}
DURATION=${3:-60}
RTMP_PORT=${RTMP_PORT:-19361}
HTTP_PORT=${HTTP_PORT:-18081}
WORK=$(mktemp -d /tmp/cococam-load.XXXXXX)
FFMPEG=${FFMPEG:-$(command -v ffmpeg || find "$HOME/.javacpp/cache" -path '*linux-x86_64-gpl/ffmpeg' -type f | head -1)}
[ -x "$FFMPEG" ] || { echo "no ffmpeg found; set FFMPEG" >&2; exit 2; }
JAR=server/target/cococam-server.jar
[ -f "$JAR" ] || { echo "build first: ./mvnw -B -q package -DskipTests" >&2; exit 2; }

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

echo "== clip: 720p25 H.264 ~2 Mbit/s + AAC, 20 s"
CLIP="$WORK/clip.flv"
"$FFMPEG" -v error -f lavfi -i testsrc2=size=1280x720:rate=25 -f lavfi -i sine=frequency=440:sample_rate=48000 \
    -t 20 -c:v libx264 -preset veryfast -b:v 2000k -maxrate 2200k -bufsize 2000k -g 50 -bf 2 \
    -c:a aac -b:a 96k -f flv "$CLIP"

{
    echo "cameras:"
    for i in $(seq 1 "$STREAMS"); do
        printf '  cam%d:\n    publishKey: k%d\n    record: true\n    retentionDays: 7\n' "$i" "$i"
    done
} > "$WORK/load.yaml"

echo "== server (rtmp $RTMP_PORT, http $HTTP_PORT)"
java ${JAVA_OPTS:-} -jar "$JAR" --config "$WORK/load.yaml" --rtmp.host=127.0.0.1 --http.host=127.0.0.1 \
    --rtmp.port="$RTMP_PORT" --http.port="$HTTP_PORT" --storage.dir="$WORK/rec" > "$WORK/server.log" 2>&1 &
SERVER=$!
pids+=("$SERVER")
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$HTTP_PORT/metrics" >/dev/null && break; sleep 0.1; done

for i in $(seq 1 "$STREAMS"); do
    "$FFMPEG" -v error -re -stream_loop -1 -i "$CLIP" -c copy -f flv \
        "rtmp://127.0.0.1:$RTMP_PORT/live/cam$i?key=k$i" > "$WORK/pub$i.log" 2>&1 &
    pids+=("$!")
done
sleep 3
for i in $(seq 1 "$STREAMS"); do
    for j in $(seq 1 "$PLAYERS"); do
        "$FFMPEG" -v error -i "rtmp://127.0.0.1:$RTMP_PORT/live/cam$i" -c copy -f null - > "$WORK/play$i-$j.log" 2>&1 &
        pids+=("$!")
    done
done

ticks0=$(awk '{print $14+$15}' "/proc/$SERVER/stat")
t0=$(date +%s.%N)
end=$(( $(date +%s) + DURATION ))
while [ "$(date +%s)" -lt "$end" ]; do
    for i in $(seq 1 "$STREAMS"); do
        curl -sf "http://127.0.0.1:$HTTP_PORT/live/cam$i/stream.m3u8" -o /dev/null || true
    done
    sleep 1
done
ticks1=$(awk '{print $14+$15}' "/proc/$SERVER/stat")
t1=$(date +%s.%N)

curl -sf "http://127.0.0.1:$HTTP_PORT/metrics" > "$WORK/metrics.txt"
if command -v jcmd >/dev/null 2>&1; then
    jcmd "$SERVER" GC.heap_info > "$WORK/heap.txt" 2>&1 || true
    jcmd "$SERVER" VM.native_memory summary > "$WORK/nmt.txt" 2>&1 || true
fi
hz=$(getconf CLK_TCK)
cpu=$(awk -v a="$ticks0" -v b="$ticks1" -v hz="$hz" -v t0="$t0" -v t1="$t1" 'BEGIN {print (b - a) / hz / (t1 - t0) * 100}')
echo "== results ($STREAMS streams x $PLAYERS RTMP players + 1 HLS poller each, ${DURATION}s, $(nproc) cores)"
grep -E 'VmHWM|VmRSS' "/proc/$SERVER/status"
printf 'server CPU: %.1f%% of one core\n' "$cpu"
awk '/^cococam_ingest_bytes_total/ {s+=$2} END {printf "ingested: %.1f MB\n", s/1e6}' "$WORK/metrics.txt"
echo "ingest-to-send latency (seconds), per path: p50 p99 p99.9 max"
for q in 0.5 0.99 0.999; do
    grep "cococam_ingest_to_send_latency_seconds{.*quantile=\"$q\"" "$WORK/metrics.txt" | awk -v q="$q" '{v=$2; if (v>m) m=v} END {printf "  worst p%s: %.3f ms\n", q*100, m*1000}'
done
grep '^cococam_ingest_to_send_latency_seconds_max' "$WORK/metrics.txt" | awk '{v=$2; if (v>m) m=v} END {printf "  worst max: %.3f ms\n", m*1000}'
grep '^cococam_ingest_to_send_latency_seconds{path="live/cam1",quantile' "$WORK/metrics.txt" || true
grep '^cococam_hls_listing_delay_seconds{path="live/cam1"' "$WORK/metrics.txt" || true
grep -E '^cococam_(viewer_skips|viewer_disconnects|ring_drops)_total' "$WORK/metrics.txt" | awk '{s+=$2} END {print "skips+disconnects+drops: " s}'
[ -s "$WORK/heap.txt" ] && grep -E "garbage-first heap|used" "$WORK/heap.txt" | head -2
[ -s "$WORK/nmt.txt" ] && grep -E "^Total|Java Heap|Other|Thread \(|Class \(" "$WORK/nmt.txt" | head -6
echo "work dir: $WORK"
