#!/usr/bin/env bash
# Writes the load tool's input clip to FILE: 20 s of 720p25 H.264 at about 2 Mbit/s (GOP 2 s, 2 B-frames) with
# AAC 96k in FLV, made by an ffmpeg (FFMPEG=path, on PATH, or the one Bytedeco's artifact extracted under
# ~/.javacpp/cache). The same clip for every bench script, so that their figures compare.
#
#   bench/scripts/clip.sh FILE
set -euo pipefail
OUT=${1:?output file}
FFMPEG=${FFMPEG:-$(command -v ffmpeg || find "$HOME/.javacpp/cache" -path '*linux-x86_64-gpl/ffmpeg' -type f 2>/dev/null | head -1)}
[ -x "$FFMPEG" ] || { echo "no ffmpeg found; set FFMPEG" >&2; exit 2; }
nice "$FFMPEG" -v error -f lavfi -i testsrc2=size=1280x720:rate=25 -f lavfi -i sine=frequency=440:sample_rate=48000 \
    -t 20 -c:v libx264 -preset veryfast -b:v 2000k -maxrate 2200k -bufsize 2000k -g 50 -keyint_min 50 \
    -sc_threshold 0 -bf 2 -c:a aac -b:a 96k -f flv "$OUT"
