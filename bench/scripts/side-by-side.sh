#!/usr/bin/env bash
# Side by side on loopback: our server and nginx-rtmp (nginx + libnginx-mod-rtmp), the same scenarios against
# each, alternating, driven by the Java load tool (com.cococam.bench.load.LoadMain in bench/target/benchmarks.jar)
# on the same generated ~2 Mbit/s 720p25 H.264 + AAC FLV clip. Each server is started fresh for every run (so
# every run gets fresh paths and its own peak RSS) and stopped after it.
#
#   bench/scripts/side-by-side.sh [SCENARIO ...]
#
# Scenarios (default: all of them, in this order):
#   fanout-N   1 publisher, N RTMP players of its stream (N = 10, 100, 200, 500, 1000)
#   ingest-N   N publishers (recording on for ours), N/10 probe players on the first streams (N = 10, 50, 100)
#   hls-N      1 publisher, N HLS segment fetchers (N = 100)
# Environment: DURATION (measured seconds, 20), WARMUP (5), THREADS (load tool event loops, 2), PROFILE (1: an
# extra run of ours at fanout-PROFILE_PLAYERS (200) with JFR, summarised; 0: skip), OUT (results folder,
# bench/results), OURS_JAVA_OPTS (extra JVM flags for our server), KEEP_WORK (1: keep the work folder).
# Writes OUT/<date>-side-by-side.txt (tables, machine details, profile) and .json (every run + the comparison).
# Needs server/target/cococam-server.jar and bench/target/benchmarks.jar (./mvnw -B -q package -DskipTests),
# an ffmpeg (FFMPEG=path, on PATH, or the one Bytedeco's artifact extracted under ~/.javacpp/cache), python3,
# and root for apt-get when nginx or its RTMP module is missing. Everything listens on 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

DURATION=${DURATION:-20}
WARMUP=${WARMUP:-5}
THREADS=${THREADS:-2}
PROFILE=${PROFILE:-1}
PROFILE_PLAYERS=${PROFILE_PLAYERS:-200}
OUT=${OUT:-bench/results}
OURS_RTMP=${OURS_RTMP:-29361}
OURS_HTTP=${OURS_HTTP:-28081}
NGX_RTMP=${NGX_RTMP:-29350}
NGX_HTTP=${NGX_HTTP:-29380}
RUN_LIMIT_S=180
SCENARIOS=("$@")
if [ ${#SCENARIOS[@]} -eq 0 ]; then
    SCENARIOS=(fanout-10 fanout-100 fanout-200 fanout-500 fanout-1000 ingest-10 ingest-50 ingest-100 hls-100)
fi

SERVER_JAR=server/target/cococam-server.jar
LOAD_JAR=bench/target/benchmarks.jar
for jar in "$SERVER_JAR" "$LOAD_JAR"; do
    [ -f "$jar" ] || { echo "missing $jar: build first (./mvnw -B -q package -DskipTests)" >&2; exit 2; }
done
command -v python3 >/dev/null || { echo "python3 is needed for the report" >&2; exit 2; }

install_nginx() {
    if command -v nginx >/dev/null && [ -f /usr/lib/nginx/modules/ngx_rtmp_module.so ]; then
        return
    fi
    echo "== installing nginx and libnginx-mod-rtmp (apt-get)"
    # Keep the package scripts from starting the system nginx (it would listen on every interface, port 80).
    local own_policy=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        own_policy=1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx libnginx-mod-rtmp >/dev/null
    [ "$own_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
    return 0
}
install_nginx

WORK=$(mktemp -d /tmp/cococam-sbs.XXXXXX)
chmod 755 "$WORK"
# Run copies, so that a rebuild during the comparison cannot change or remove the jars under test.
cp "$SERVER_JAR" "$WORK/cococam-server.jar"
cp "$LOAD_JAR" "$WORK/benchmarks.jar"
SERVER_BUILD="$(ls -l --time-style=+%Y-%m-%dT%H:%M "$SERVER_JAR" | awk '{print $6}'), git $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- 2>/dev/null || echo ' + uncommitted changes')"
SERVER_JAR="$WORK/cococam-server.jar"
LOAD_JAR="$WORK/benchmarks.jar"
DATE=$(date +%Y-%m-%d-%H%M)
mkdir -p "$OUT"
RESULTS="$WORK/runs.jsonl"
LOG="$WORK/log.txt"
: > "$RESULTS"
SERVER_PIDS=()

stop_servers() {
    for p in "${SERVER_PIDS[@]}"; do
        kill -TERM "$p" 2>/dev/null || true
    done
    for p in "${SERVER_PIDS[@]}"; do
        for _ in $(seq 1 100); do
            kill -0 "$p" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    SERVER_PIDS=()
}
cleanup() {
    stop_servers
    if [ "${KEEP_WORK:-0}" != 1 ]; then rm -rf "$WORK"; else echo "work folder kept: $WORK"; fi
}
trap cleanup EXIT

log() { echo "$*" | tee -a "$LOG"; }

log "== clip: 720p25 H.264 ~2 Mbit/s (GOP 2 s, 2 B-frames) + AAC 96k, 20 s"
CLIP="$WORK/clip.flv"
bench/scripts/clip.sh "$CLIP"

write_yaml() { # FILE RECORD CAMERAS
    {
        echo "cameras:"
        for i in $(seq 1 "$3"); do
            printf '  cam%d:\n    publishKey: k-cam%d\n    record: %s\n    retentionDays: 7\n' "$i" "$i" "$2"
        done
    } > "$1"
}
write_yaml "$WORK/live.yaml" false 100
write_yaml "$WORK/record.yaml" true 100

wait_http() { # PORT PID
    for _ in $(seq 1 200); do
        curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0
        kill -0 "$2" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

start_ours() { # YAML [extra JVM flags...]
    local yaml=$1
    shift
    rm -rf "$WORK/rec"
    # shellcheck disable=SC2086
    java ${OURS_JAVA_OPTS:-} "$@" -jar "$SERVER_JAR" --config "$yaml" --rtmp.host=127.0.0.1 --http.host=127.0.0.1 \
        --rtmp.port="$OURS_RTMP" --http.port="$OURS_HTTP" --storage.dir="$WORK/rec" > "$WORK/ours.log" 2>&1 &
    local pid=$!
    SERVER_PIDS=("$pid")
    wait_http "$OURS_HTTP" "$pid" || { echo "our server did not start:" >&2; tail -20 "$WORK/ours.log" >&2; exit 1; }
    PIDS="$pid"
}

start_nginx() {
    local dir="$WORK/nginx"
    rm -rf "$dir"
    mkdir -p "$dir/hls" "$dir/tmp"
    chmod 755 "$dir"
    chmod 777 "$dir/hls" "$dir/tmp"
    sed -e "s#@DIR@#$dir#g" -e "s#@RTMP_PORT@#$NGX_RTMP#g" -e "s#@HTTP_PORT@#$NGX_HTTP#g" \
        bench/scripts/nginx-rtmp.conf > "$dir/nginx.conf"
    nginx -p "$dir" -c "$dir/nginx.conf" > "$dir/out.log" 2>&1 &
    local pid=$!
    SERVER_PIDS=("$pid")
    wait_http "$NGX_HTTP" "$pid" || { echo "nginx did not start:" >&2; cat "$dir/out.log" "$dir/error.log" >&2; exit 1; }
    local children
    children=$(pgrep -d, -P "$pid" || true)
    PIDS="$pid${children:+,$children}"
}

run_load() { # SERVER SCENARIO PUBLISHERS PLAYERS FETCHERS
    local server=$1 scenario=$2 publishers=$3 players=$4 fetchers=$5 rtmp hls
    if [ "$server" = ours ]; then
        rtmp="rtmp://127.0.0.1:$OURS_RTMP/live"
        hls="http://127.0.0.1:$OURS_HTTP/live/{name}/stream.m3u8"
    else
        rtmp="rtmp://127.0.0.1:$NGX_RTMP/live"
        hls="http://127.0.0.1:$NGX_HTTP/hls/{name}.m3u8"
    fi
    timeout "$RUN_LIMIT_S" java -Xms512m -Xmx1g -Dio.netty.leakDetection.level=disabled \
        -cp "$LOAD_JAR" com.cococam.bench.load.LoadMain --input="$CLIP" --rtmp="$rtmp" --hls="$hls" \
        --publishers="$publishers" --players="$players" --hls-fetchers="$fetchers" --key-prefix=k- \
        --warmup-s="$WARMUP" --duration-s="$DURATION" --threads="$THREADS" --server-pids="$PIDS" \
        --label="$server/$scenario" --server="$server" --scenario="$scenario" --json="$RESULTS" 2>&1 \
        | grep -v '^{' | tee -a "$LOG" || log "  run $server/$scenario failed or timed out"
}

ours_metrics() {
    curl -sf "http://127.0.0.1:$OURS_HTTP/metrics" > "$WORK/metrics.txt" || return 0
    grep -E '^cococam_(viewer_skips|viewer_disconnects|ring_drops)_total' "$WORK/metrics.txt" \
        | awk '{split($1, k, "{"); s[k[1]] += $2} END {for (n in s) printf "  ours: %s = %d\n", n, s[n]}' \
        | tee -a "$LOG"
}

scenario_shape() { # SCENARIO -> "PUBLISHERS PLAYERS FETCHERS YAML"
    local kind=${1%-*} n=${1##*-}
    case "$kind" in
        fanout) echo "1 $n 0 live" ;;
        ingest) echo "$n $(( n / 10 > 0 ? n / 10 : 1 )) 0 record" ;;
        hls) echo "1 0 $n live" ;;
        *) echo "unknown scenario $1" >&2; exit 2 ;;
    esac
}

run_one() { # SERVER SCENARIO
    local shape publishers players fetchers yaml
    shape=$(scenario_shape "$2")
    read -r publishers players fetchers yaml <<< "$shape"
    log "-- $1/$2 (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    if [ "$1" = ours ]; then start_ours "$WORK/$yaml.yaml"; else start_nginx; fi
    run_load "$1" "$2" "$publishers" "$players" "$fetchers"
    [ "$1" = ours ] && ours_metrics
    stop_servers
}

log "== scenarios: ${SCENARIOS[*]} (warm-up ${WARMUP} s, measured ${DURATION} s each)"
order=0
for scenario in "${SCENARIOS[@]}"; do
    # Alternate which server goes first, so slow drift on the machine does not favour one of them.
    if [ $(( order % 2 )) -eq 0 ]; then run_one ours "$scenario"; run_one nginx "$scenario";
    else run_one nginx "$scenario"; run_one ours "$scenario"; fi
    order=$(( order + 1 ))
done

PROFILE_TXT="$WORK/profile.txt"
: > "$PROFILE_TXT"
if [ "$PROFILE" = 1 ]; then
    log "== profile: ours at fanout-$PROFILE_PLAYERS with JFR (not part of the comparison)"
    JFR="$WORK/fanout-$PROFILE_PLAYERS.jfr"
    # The delay puts the recording over the measured window (server start + warm-up + set-up, about 4 s).
    JFR_FLAGS="-XX:StartFlightRecording=delay=$((WARMUP + 4))s,duration=${DURATION}s,filename=$JFR,settings=profile"
    start_ours "$WORK/live.yaml" "$JFR_FLAGS"
    run_load ours "fanout-$PROFILE_PLAYERS-jfr" 1 "$PROFILE_PLAYERS" 0
    stop_servers
    if [ -s "$JFR" ]; then
        python3 bench/scripts/jfr-hot-methods.py "$JFR" > "$PROFILE_TXT" 2>&1 || true
    fi
fi

{
    echo "== machine"
    echo "server jar: built $SERVER_BUILD"
    echo "nproc: $(nproc)"
    grep -m1 'model name' /proc/cpuinfo || true
    uname -srm
    free -h
    java -version 2>&1
    nginx -V 2>&1
    echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$WORK/machine.txt"

python3 bench/scripts/side-by-side-report.py "$RESULTS" "$WORK/machine.txt" "$PROFILE_TXT" \
    "$OUT/$DATE-side-by-side.json" > "$WORK/report.txt"
{
    cat "$WORK/report.txt"
    echo
    echo "== run log"
    cat "$LOG"
} > "$OUT/$DATE-side-by-side.txt"
cat "$WORK/report.txt"
echo "written: $OUT/$DATE-side-by-side.txt and .json"
