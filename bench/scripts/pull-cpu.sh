#!/usr/bin/env bash
# CPU of the server per pulled camera: the GStreamer IP-camera emulator (../shared/tools/rtsp_camera.py) serves
# 1080p25 H.264 + AAC over RTSP on 127.0.0.1; the server pulls it (recording and HLS on) for DURATION seconds;
# the server's user+system CPU over the window is printed. Loopback only; stops by itself.
#   bench/scripts/pull-cpu.sh [TRANSPORT=tcp] [DURATION=30] [KBPS=4000]
set -euo pipefail
cd "$(dirname "$0")/../.."
TRANSPORT=${1:-tcp}
DURATION=${2:-30}
KBPS=${3:-4000}
SHARED=${COCOCAM_SHARED_DIR:-$(cd .. && pwd)/shared}
JAR=server/target/cococam-server.jar
WORK=$(mktemp -d /tmp/cococam-pull.XXXXXX)
CAM_PORT=${CAM_PORT:-18654}
HTTP_PORT=${HTTP_PORT:-18082}
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

/usr/bin/python3 "$SHARED/tools/rtsp_camera.py" --port "$CAM_PORT" --path /cam --codec h264 --audio aac \
    --width 1920 --height 1080 --fps 25 --kbps "$KBPS" --gop-seconds 2 > "$WORK/camera.log" 2>&1 &
pids+=("$!")
for _ in $(seq 1 100); do grep -q READY "$WORK/camera.log" && break; sleep 0.1; done

cat > "$WORK/pull.yaml" <<YAML
cameras:
  cam1:
    publishKey: unused-for-pulled-cameras
    source: rtsp://127.0.0.1:$CAM_PORT/cam
    transport: $TRANSPORT
YAML
java -jar "$JAR" --config "$WORK/pull.yaml" --rtmp.host=127.0.0.1 --rtsp.host=127.0.0.1 --http.host=127.0.0.1 \
    --rtmp.port=19372 --rtsp.port=18655 --http.port="$HTTP_PORT" --storage.dir="$WORK/rec" > "$WORK/server.log" 2>&1 &
SERVER=$!
pids+=("$SERVER")
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$HTTP_PORT/live/cam1/stream.m3u8" >/dev/null && break; sleep 0.1; done
sleep 5

t0=$(awk '{print $14+$15}' "/proc/$SERVER/stat"); s0=$(date +%s.%N)
f0=$(curl -sf "http://127.0.0.1:$HTTP_PORT/metrics" | awk '/^cococam_ingest_frames_total/ {print $2}')
sleep "$DURATION"
t1=$(awk '{print $14+$15}' "/proc/$SERVER/stat"); s1=$(date +%s.%N)
f1=$(curl -sf "http://127.0.0.1:$HTTP_PORT/metrics" | awk '/^cococam_ingest_frames_total/ {print $2}')
hz=$(getconf CLK_TCK)
awk -v a="$t0" -v b="$t1" -v hz="$hz" -v s0="$s0" -v s1="$s1" -v f0="$f0" -v f1="$f1" -v tr="$TRANSPORT" -v k="$KBPS" \
    'BEGIN {printf "pulled 1080p25 H.264 ~%d kbit/s + AAC over %s: server CPU %.1f%% of one core, %.1f units/s ingested\n", k, tr, (b-a)/hz/(s1-s0)*100, (f1-f0)/(s1-s0)}'
grep VmHWM "/proc/$SERVER/status"
curl -sf "http://127.0.0.1:$HTTP_PORT/api/v1/cameras/cam1"; echo
