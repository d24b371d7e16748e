#!/usr/bin/env python3
"""Baseline for `etcron-bench etcd`: etcd Puts through python grpcio (the gRPC C core).

Keeps --concurrency Puts in flight on one channel until --count are done and prints
`puts_per_second N` and `cpu_seconds S` (this process's CPU time for those puts) on stdout. The PutRequest is encoded by hand (field 1 key, field 2
value, both bytes) and sent with identity serializers, so no generated code is needed.
Exits with status 3 when grpcio is not installed; the benchmark then skips the baseline.
"""
import argparse
import asyncio
import sys
import time

try:
    import grpc
    import grpc.aio
except ImportError:
    print("grpcio is not installed", file=sys.stderr)
    sys.exit(3)

PUT = "/etcdserverpb.KV/Put"


def varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def put_request(key: bytes, value: bytes) -> bytes:
    return b"\x0a" + varint(len(key)) + key + b"\x12" + varint(len(value)) + value


async def run(args: argparse.Namespace) -> tuple[float, float]:
    value = b"v" * args.value_size
    # Requests are built before the clock starts, as the Swift side builds its keys.
    requests = [put_request(b"%s%d" % (args.key_prefix.encode(), i), value) for i in range(args.count)]
    async with grpc.aio.insecure_channel(args.target) as channel:
        put = channel.unary_unary(PUT)  # no serializers: requests and responses are raw bytes
        for request in requests[:100]:  # connect and warm up outside the timing
            await put(request, timeout=5)
        position = 0

        async def worker() -> None:
            nonlocal position
            while position < len(requests):
                request = requests[position]
                position += 1
                await put(request, timeout=5)

        start, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(worker() for _ in range(args.concurrency)))
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        return len(requests) / elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", required=True, help="host:port of etcd's client port")
    parser.add_argument("--count", type=int, default=50_000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--value-size", type=int, default=64)
    parser.add_argument("--key-prefix", default="bench/grpcio/")
    args = parser.parse_args()
    rate, cpu = asyncio.run(run(args))
    print(f"puts_per_second {rate:.0f}")
    print(f"cpu_seconds {cpu:.3f}")


if __name__ == "__main__":
    main()
