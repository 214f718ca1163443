"""zig's C-to-WebAssembly compile (quines_text.machines.wasm_build) of Mahoney's Example 6:
cold (an empty cache: the one-time build of zig's WASI libc and compiler_rt, then the compile),
warm (the libc built, the module not yet cached: one sandboxed `zig cc` per flag set tried;
Example 6 needs two, the second with -std=gnu89) and cached (the module found by source hash).

Each phase uses a fresh cache folder (XDG_CACHE_HOME) into which the sandbox launcher is copied
from the usual cache, so only zig's work is timed.  --module FILE times another version of
wasm_build (e.g. `git show REV:quines_text/machines/wasm_build.py > old.py`) for a before/after.

Usage: python bench/wasm_compile.py [--warm N] [--no-cold] [--module FILE]
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

EXAMPLE6 = (Path(__file__).parents[1] / "rsi" / "data" / "mahoney_example6.c").read_text()
MODERN = "#include <stdio.h>\nint main(void){int t;if(scanf(\"%d\",&t)==1)printf(\"%d\",t+1);return 0;}\n"


def load(path: str | None) -> ModuleType:
    if path is None:
        from quines_text.machines import wasm_build

        return wasm_build
    spec = importlib.util.spec_from_file_location("wasm_build_under_test", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def timed(build: ModuleType, source: str) -> tuple[float, object]:
    start = time.perf_counter()
    result = build.compile_wasm(source)
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm", type=int, default=3, help="warm compiles of each program")
    parser.add_argument("--no-cold", action="store_true", help="reuse a prepared libc")
    parser.add_argument("--module", help="a wasm_build.py to time instead of the installed one")
    args = parser.parse_args()
    if args.warm < 1:
        parser.error("--warm must be >= 1")
    from quines_text.sandbox import cache_dir, isolation, launcher_path

    launcher_path()
    iso = isolation()
    usual = cache_dir()
    build = load(args.module)
    root = Path(tempfile.mkdtemp(prefix="rsi-bench-wasm-"))
    os.chmod(root, 0o755)
    try:
        os.environ["XDG_CACHE_HOME"] = str(root)
        shutil.copytree(usual / "launcher", root / "rsi-toolkit" / "launcher")
        result: dict[str, object] = {"isolation": list(iso.layers), "module": args.module or "installed"}
        if not args.no_cold:
            seconds, done = timed(build, EXAMPLE6)
            assert done.module is not None, done.stderr  # type: ignore[attr-defined]
            result["cold_s"] = round(seconds, 2)
            print(f"cold {seconds:.2f} s", file=sys.stderr, flush=True)
        else:
            for name in ("zig", build.prepared_cache().name):
                if (usual / name).is_dir():
                    subprocess.run(["cp", "-a", str(usual / name), str(root / "rsi-toolkit")], check=True)
        for label, source in (("example6", EXAMPLE6), ("modern", MODERN)):
            times = []
            for _ in range(args.warm):
                shutil.rmtree(root / "rsi-toolkit" / "c-wasm", ignore_errors=True)
                seconds, done = timed(build, source)
                assert done.module is not None and not done.cached, done  # type: ignore[attr-defined]
                times.append(seconds)
            result[f"warm_{label}_s"] = [round(t, 3) for t in times]
            result[f"warm_{label}_median_s"] = round(statistics.median(times), 3)
            result[f"warm_{label}_flags"] = list(done.flags)  # type: ignore[attr-defined]
        timed(build, EXAMPLE6)  # back into the module cache
        seconds, done = timed(build, EXAMPLE6)
        assert done.cached  # type: ignore[attr-defined]
        result["cached_s"] = round(seconds, 5)
        print(json.dumps(result, indent=1))
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
