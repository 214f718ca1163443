"""lzma as an upper bound on K(P_n): preset 9 | PRESET_EXTREME with the dictionary capped at
the input length (rsi.complexity) against plain preset 9 | PRESET_EXTREME and preset 6, on
the paper's Example 6 chain P_1 .. P_n (P_n = P_1 with n=1 replaced by n=n, as the paper
says; P_2's one-line form is taken from running P_1(-1) with gcc).  Reports each variant's
lengths (they must agree for the cap to be free), time per call, and every compressor's
empty-input overhead.  Writes the `## complexity_lzma` section of bench/RESULTS.md."""
from __future__ import annotations

import argparse
import lzma
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from record import record_section  # noqa: E402

from rsi.complexity import COMPRESSORS, compressed_length, empty_overhead  # noqa: E402
from rsi.examples import example6_source  # noqa: E402


def chain_sources(n: int) -> list[bytes]:
    """P_1 (the paper's text) and P_2 .. P_n (P_1(-1)'s one-line form with n=k)."""
    first = example6_source()
    with tempfile.TemporaryDirectory() as folder:
        binary = Path(folder) / "p1"
        subprocess.run(["gcc", "-w", "-o", str(binary), "-x", "c", "-"], input=first.encode(), check=True)
        second = subprocess.run([str(binary)], input=b"-1\n", capture_output=True, check=True).stdout
    return [first.encode()] + [second.replace(b"n=2;", f"n={k};".encode()) for k in range(2, n + 1)]


def timed(length, inputs: list[bytes], repeats: int) -> tuple[list[int], float]:
    """Compressed lengths, and the best over `repeats` of the mean seconds per call."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        lengths = [length(data) for data in inputs]
        best = min(best, (time.perf_counter() - start) / len(inputs))
    return lengths, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=50, help="chain length")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    inputs = chain_sources(args.n)
    extreme = 9 | lzma.PRESET_EXTREME
    ours = "rsi.complexity lzma (preset 9e, dictionary capped at the input length)"
    variants = {
        ours: lambda d: compressed_length(d, "lzma"),
        "lzma preset 9e (64 MiB dictionary)": lambda d: len(lzma.compress(d, preset=extreme)),
        "lzma preset 9 (64 MiB dictionary)": lambda d: len(lzma.compress(d, preset=9)),
        "lzma preset 6 (8 MiB dictionary)": lambda d: len(lzma.compress(d, preset=6)),
    }
    results = {name: timed(length, inputs, args.repeats) for name, length in variants.items()}
    ours_lengths, ours_time = results[ours]
    rows = []
    for name, (lengths, seconds) in results.items():
        same = "yes" if lengths == ours_lengths else "no"
        rows.append(f"| {name} | {lengths[0]} | {lengths[-1]} | {sum(lengths)} | {same} | "
                    f"{seconds * 1e3:.2f} | {seconds / ours_time:.0f}x |")
        print(rows[-1])
    overheads = ", ".join(f"{method} {empty_overhead(method)}" for method in COMPRESSORS)
    body = (
        f"Inputs: P_1 .. P_{args.n} of Example 6 ({len(inputs[0])} .. {len(inputs[-1])} bytes); "
        f"best of {args.repeats}; 9e is preset 9 | lzma.PRESET_EXTREME, .xz container.\n\n"
        "| variant | P_1 bytes | P_n bytes | total | same lengths as ours | ms per call | time / ours |\n"
        "|---|---|---|---|---|---|---|\n" + "\n".join(rows) +
        f"\n\nEmpty-input overhead (compressed length of b\"\"), bytes: {overheads}."
    )
    record_section("complexity_lzma", f"python bench/complexity_lzma.py -n {args.n}", body)


if __name__ == "__main__":
    main()
