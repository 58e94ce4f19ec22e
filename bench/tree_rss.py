"""Runs a command and writes its peak memory to a file, for bench/crawl_bench.ts.

    python3 bench/tree_rss.py REPORT COMMAND [ARG...]

One line "peak-rss-kib <largest> tree-peak-kib <tree> cpu-seconds <cpu>":
<largest> is the peak resident set in KiB of the largest single process of
the tree (the kernel's own count, as GNU time's %M), <tree> the largest sum
of the resident sets of the command and all its descendants, read from /proc
every 50 ms (a crawler of several processes is measured whole), <cpu> the
user and system CPU time of the whole tree. Exits with the
command's status; a SIGTERM is passed on to the command. Deno reads /proc
only with every permission, hence Python.
"""

import os
import resource
import signal
import subprocess
import sys
import time

PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024


def tree_rss_kib(root):
    total = 0
    stack = [root]
    while stack:
        pid = stack.pop()
        try:
            with open(f"/proc/{pid}/statm") as statm:
                total += int(statm.read().split()[1]) * PAGE_KIB
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as children:
                    stack.extend(int(child) for child in children.read().split())
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return total


def main():
    report, command = sys.argv[1], sys.argv[2:]
    process = subprocess.Popen(command)
    signal.signal(signal.SIGTERM, lambda *_: process.terminate())
    tree_peak = 0
    while process.poll() is None:
        tree_peak = max(tree_peak, tree_rss_kib(process.pid))
        time.sleep(0.05)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    largest = usage.ru_maxrss
    cpu = usage.ru_utime + usage.ru_stime
    with open(report, "w") as out:
        out.write(
            f"peak-rss-kib {largest} tree-peak-kib {max(tree_peak, largest)} cpu-seconds {cpu:.3f}\n"
        )
    sys.exit(process.returncode if process.returncode >= 0 else 128 - process.returncode)


main()
