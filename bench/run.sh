#!/usr/bin/env bash
# Runs the COCOCAM JMH benchmarks with settings sized for a small (2-core) box and keeps the results.
#
#   bench/run.sh                 # the whole suite (about 12 minutes on 2 cores)
#   bench/run.sh 'RingHop|Fanout' # a subset: a JMH include regex
#   bench/run.sh Fanout -p viewers=100   # extra arguments go to JMH as they are
#
# Builds bench/target/benchmarks.jar when it is missing or older than bench/src or bench/pom.xml (offline; the
# modules below must have been installed once: ./mvnw -B -q -o install -DskipTests). Writes
# bench/results/<date>-<name>.json (JMH JSON) and .txt (the console output, with the machine description first).
set -euo pipefail

cd "$(dirname "$0")/.."
jar=bench/target/benchmarks.jar
if [[ ! -f "$jar" ]] || [[ -n "$(find bench/src bench/pom.xml -newer "$jar" -print -quit)" ]]; then
    echo "building $jar" >&2
    ./mvnw -B -q -o package -pl bench
fi

regex="${1:-.*}"
if [[ $# -gt 0 ]]; then
    shift
fi

name="$(printf '%s' "$regex" | tr -c 'A-Za-z0-9_-' '_' | sed 's/__*/_/g; s/^_//; s/_$//')"
if [[ -z "$name" ]]; then
    name=all
fi

mkdir -p bench/results
base="bench/results/$(date +%Y-%m-%d-%H%M)-$name"
{
    echo "# machine: nproc=$(nproc), $(uname -srm)"
    echo "# cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
    echo "# java: $(java -version 2>&1 | tr '\n' ' ')"
    echo "# load before run: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "# command: java -jar $jar '$regex' -f 1 -wi 3 -w 2s -i 5 -r 2s -prof gc $*"
} > "$base.txt"

java -jar "$jar" "$regex" -f 1 -wi 3 -w 2s -i 5 -r 2s -prof gc -rf json -rff "$base.json" "$@" 2>&1 \
    | tee -a "$base.txt"
echo "# load after run: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$base.txt"
echo "results: $base.json $base.txt" >&2
