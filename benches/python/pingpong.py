"""The shared-memory notebook's ping-pong exercise in Python: two processes
bounce a packet through a multiprocessing.Pipe `--reps` times per size and
time it, for the same sizes as `cargo run --release --example pingpong`.

    python3 benches/python/pingpong.py                 # text table
    python3 benches/python/pingpong.py --json          # {"rows": [...]}, the example's schema

Each hop is `send_bytes` into the pipe and `recv_bytes_into` a buffer of the
receiver's own: Pipe's fastest path (no pickling), so the comparison with
hetero's transports is the kindest one for Python. One-way time is half the
mean round trip; bandwidth = bytes / one-way time.
"""
import argparse
import json
import multiprocessing as mp
import time

DEFAULT_SIZES = [8, 64, 512, 4096, 32768, 262144, 2097152, 16777216]
WARM_UP = 5


def echo(conn, sizes, reps):
    """The other party: receive each packet into its own buffer, send it back."""
    for size in sizes:
        buffer = bytearray(size)
        for _ in range(WARM_UP + reps):
            n = conn.recv_bytes_into(buffer)
            conn.send_bytes(buffer, 0, n)
    conn.close()


def ping_pong(sizes, reps):
    parent, child = mp.Pipe()
    other = mp.Process(target=echo, args=(child, sizes, reps))
    other.start()
    rows = []
    for size in sizes:
        packet = bytearray(size)
        mine = bytearray(size)
        for _ in range(WARM_UP):
            parent.send_bytes(packet)
            parent.recv_bytes_into(mine)
        started = time.perf_counter()
        for _ in range(reps):
            parent.send_bytes(packet)
            parent.recv_bytes_into(mine)
        one_way = (time.perf_counter() - started) / (2 * reps)
        rows.append({
            "transport": "python-pipe",
            "bytes": size,
            "reps": reps,
            "one_way_seconds": one_way,
            "bandwidth_bytes_per_second": size / one_way,
        })
    other.join()
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)),
                        help="packet sizes in bytes, comma-separated")
    parser.add_argument("--reps", type=int, default=100, help="timed round trips per size")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    if args.reps < 1 or any(s < 0 for s in sizes):
        parser.error("--reps must be at least 1 and sizes not negative")
    rows = ping_pong(sizes, args.reps)
    if args.json:
        print(json.dumps({"rows": rows}))
        return
    print(f"{'transport':<12} {'bytes':>10} {'one-way':>14} {'bandwidth':>14}")
    for r in rows:
        print(f"{r['transport']:<12} {r['bytes']:>10} {r['one_way_seconds'] * 1e6:>11.3f} µs "
              f"{r['bandwidth_bytes_per_second'] / 1e9:>9.3f} GB/s")


if __name__ == "__main__":
    main()
