#!/usr/bin/env bash
# Memory of our server per live stream and per viewer: RSS and the JVM's own accounts (Native Memory Tracking:
# Java heap, "Other" = direct buffers) with PUBLISHERS RTMP publishers at real time and PLAYERS RTMP players, read
# 30 s after the load started and again after a full GC, against the same server idle.
#
#   bench/scripts/memory.sh PUBLISHERS PLAYERS [RECORD=false]
#   bench/scripts/memory.sh 100 100      # per stream: (loaded RSS - idle RSS) / 100
#   bench/scripts/memory.sh 1 1000       # per viewer: compare with `memory.sh 1 0`
# Needs server/target/cococam-server.jar, bench/target/benchmarks.jar and an ffmpeg (FFMPEG, PATH, or Bytedeco's
# under ~/.javacpp/cache). Loopback only; the server is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
PUBLISHERS=${1:?publishers}; PLAYERS=${2:?players}; RECORD=${3:-false}
RTMP_PORT=${RTMP_PORT:-39561}; HTTP_PORT=${HTTP_PORT:-38281}; RTSP_PORT=${RTSP_PORT:-38754}
WORK=$(mktemp -d /tmp/cococam-mem.XXXXXX)
bench/scripts/clip.sh "$WORK/clip.flv"
{
    echo "cameras:"
    for i in $(seq 1 100); do printf '  cam%d:\n    publishKey: k-cam%d\n    record: %s\n' "$i" "$i" "$RECORD"; done
} > "$WORK/c.yaml"
java -XX:NativeMemoryTracking=summary -jar server/target/cococam-server.jar --config "$WORK/c.yaml" \
    --rtmp.host=127.0.0.1 --http.host=127.0.0.1 --rtsp.host=127.0.0.1 --rtmp.port="$RTMP_PORT" \
    --http.port="$HTTP_PORT" --rtsp.port="$RTSP_PORT" --storage.dir="$WORK/rec" > "$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$HTTP_PORT/" && break; sleep 0.1; done
report() { # LABEL
    echo "$1: RSS $(awk '/VmRSS/ {print $2, $3}' /proc/$SERVER/status)"
    jcmd "$SERVER" VM.native_memory summary | grep -E '^-  *(Java Heap|Other) ' | sed 's/^-  */  /'
    jcmd "$SERVER" GC.heap_info | awk 'NR == 2 {print "  heap: " $0}'
}
jcmd "$SERVER" GC.run > /dev/null
report idle
timeout 100 java -Xms512m -Xmx1g -Dio.netty.leakDetection.level=disabled -cp bench/target/benchmarks.jar \
    com.cococam.bench.load.LoadMain --input="$WORK/clip.flv" --rtmp="rtmp://127.0.0.1:$RTMP_PORT/live" \
    --hls="http://127.0.0.1:$HTTP_PORT/live/{name}/stream.m3u8" --publishers="$PUBLISHERS" --players="$PLAYERS" \
    --hls-fetchers=0 --key-prefix=k- --warmup-s=25 --duration-s=10 --threads=2 --server-pids="$SERVER" \
    --label="memory/$PUBLISHERS-$PLAYERS" --server=ours --scenario=memory 2>&1 | grep -E 'server CPU|full rate' &
LOAD=$!
sleep 30
report "loaded ($PUBLISHERS publishers, $PLAYERS players)"
jcmd "$SERVER" GC.run > /dev/null
sleep 1
report "loaded, after a full GC"
wait "$LOAD"
