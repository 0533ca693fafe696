"""The threading notebook's job in Python, for comparison with
`npy_stats`: mean and std of every .npy file in a folder, sequentially and
with a thread pool. Usage: python3 benches/python/npy_stats.py DIR [REPEAT]
"""
import concurrent.futures
import glob
import os
import sys
import time

import numpy as np


def stats(path):
    a = np.load(path)
    return a.mean(), a.std()


def timed(label, fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    times.sort()
    print(f"{label:<28} {times[len(times) // 2]:.3f} s (median of {repeat})")


def main():
    folder = sys.argv[1]
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    files = sorted(glob.glob(os.path.join(folder, "*.npy")))
    print(f"{len(files)} files")
    timed("sequential", lambda: [stats(f) for f in files], repeat)
    for workers in (2, 4, 8):
        def pool(workers=workers):
            with concurrent.futures.ThreadPoolExecutor(workers) as ex:
                list(ex.map(stats, files))
        timed(f"thread pool ({workers})", pool, repeat)


if __name__ == "__main__":
    main()
