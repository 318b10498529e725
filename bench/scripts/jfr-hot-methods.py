#!/usr/bin/env python3
"""Summarises the CPU samples of a JFR recording: top methods by self samples (the top frame), by inclusive samples
(anywhere on the stack, counted once per sample), and samples per thread.

usage: jfr-hot-methods.py RECORDING.jfr [TOP=25]   (runs the JDK's `jfr print`)
"""
import collections
import re
import subprocess
import sys


def samples(path, event):
    text = subprocess.run(["jfr", "print", "--events", event, "--stack-depth", "64", path],
                          check=True, capture_output=True, text=True).stdout
    for block in text.split(event + " {")[1:]:
        thread = re.search(r'sampledThread = "([^"]*)"', block)
        frames = re.findall(r"^\s+([\w$.<>/]+)\(.*\)\s+line:", block, re.M)
        yield (thread.group(1) if thread else "?"), frames


def main():
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    self_counts = collections.Counter()
    incl_counts = collections.Counter()
    threads = collections.Counter()
    total = 0
    for thread, frames in samples(path, "jdk.ExecutionSample"):
        if not frames:
            continue
        total += 1
        threads[re.sub(r"\d+$", "N", thread)] += 1
        self_counts[frames[0]] += 1
        for frame in set(frames):
            incl_counts[frame] += 1
    print(f"{total} execution samples (Java code running on a CPU)")
    print("\nby thread:")
    for name, n in threads.most_common(10):
        print(f"  {100.0 * n / total:5.1f}%  {name}")
    print(f"\ntop {top} methods by self samples:")
    for name, n in self_counts.most_common(top):
        print(f"  {100.0 * n / total:5.1f}%  {name}")
    print(f"\ntop {top} methods by inclusive samples (cococam and netty frames):")
    shown = 0
    for name, n in incl_counts.most_common():
        if not (name.startswith("com.cococam") or name.startswith("io.netty")):
            continue
        print(f"  {100.0 * n / total:5.1f}%  {name}")
        shown += 1
        if shown == top:
            break
    native = collections.Counter()
    native_total = 0
    for thread, frames in samples(path, "jdk.NativeMethodSample"):
        if frames:
            native_total += 1
            native[frames[0] + " <- " + (frames[1] if len(frames) > 1 else "")] += 1
    if native_total:
        print(f"\n{native_total} native samples (threads inside native code, mostly waiting); top 8:")
        for name, n in native.most_common(8):
            print(f"  {100.0 * n / native_total:5.1f}%  {name}")


if __name__ == "__main__":
    main()
