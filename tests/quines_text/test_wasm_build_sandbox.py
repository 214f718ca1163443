"""zig's C-to-WebAssembly compile runs inside the sandbox (quines_text.machines.wasm_build): a
root-only host file cannot be #included, the compile writes nothing outside its output folder
and never changes the prepared libc cache a later compile reads, a compile past its wall-clock
deadline ends as a timeout and leaves no process, and modules are cached by source hash."""
from __future__ import annotations

import hashlib
import os
import secrets
import threading
import time
from pathlib import Path

import pytest

from quines_text.machines import wasm_build
from quines_text.sandbox import isolation

MISSING = wasm_build.toolchain_missing()
pytestmark = pytest.mark.skipif(MISSING is not None, reason=f"c-wasm toolchain: {MISSING}")

MAIN = "int main(void){ return leaked; }\n"
# 2^40 expansions of an empty macro: the preprocessor's CPU for hours, no memory to speak of
SLOW = "".join(f"#define A{i} A{i - 1} A{i - 1}\n" for i in range(1, 41))
SLOW = "#define A0\n" + SLOW + "int main(void){ A40 return 0; }\n"


def _tree(folder: Path) -> dict[str, tuple[int, int, str]]:
    """path -> (size, mtime_ns, sha256) of every file below folder."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            info = path.stat()
            found[str(path.relative_to(folder))] = (info.st_size, info.st_mtime_ns,
                                                    hashlib.sha256(path.read_bytes()).hexdigest())
    return found


def _needs_namespaces() -> None:
    if not isolation().namespaces:
        pytest.skip(f"no bubblewrap namespaces here: {isolation().note}")


def test_include_of_a_root_only_host_file_is_not_found(tmp_path):
    _needs_namespaces()
    secret = tmp_path / "secret.h"
    marker = secrets.token_hex(8)
    secret.write_text(f"int leaked = 42; /* {marker} */\n")
    secret.chmod(0o600)
    build = wasm_build.compile_wasm(f'#include "{secret}"\n' + MAIN)
    assert build.module is None and not build.timed_out
    assert b"not found" in build.stderr and marker.encode() not in build.stderr
    # the same text with the definition inline compiles: only the include failed
    assert wasm_build.compile_wasm("int leaked = 42;\n" + MAIN).module is not None


@pytest.mark.skipif(not Path("/etc/shadow").exists(), reason="this host has no /etc/shadow")
def test_include_of_etc_shadow_is_not_found():
    _needs_namespaces()
    build = wasm_build.compile_wasm('#include "/etc/shadow"\n' + MAIN)
    assert build.module is None and not build.timed_out
    assert b"'/etc/shadow' file not found" in build.stderr
    assert b"root:" not in build.stderr


@pytest.mark.parametrize("overlay", [True, False], ids=["overlay", "private-copy"])
def test_compile_writes_nothing_outside_its_folders_and_cannot_poison_the_cache(
        tmp_path, monkeypatch, overlay):
    _needs_namespaces()
    if overlay and not wasm_build.overlays_work():
        pytest.skip("bubblewrap mounts no overlay here")
    monkeypatch.setattr(wasm_build, "overlays_work", lambda: overlay)
    cache = wasm_build.prepare()
    before = _tree(cache)
    manifest = next(name for name in sorted(before) if name.startswith("h/"))
    _, lib = wasm_build.zig_install()
    escapes = [str(tmp_path / "escaped"), "/tmp/rsi-wasm-escaped", f"{lib}/escaped",
               f"{cache}/escaped"]
    script = "".join(f'echo x > "{p}" 2>/dev/null && echo "wrote {p}"; ' for p in escapes)
    script += ('echo poison > "$ZIG_GLOBAL_CACHE_DIR/poison" && echo "wrote cache"; '
               f'echo poison > "$ZIG_GLOBAL_CACHE_DIR/{manifest}" && echo "wrote manifest"; '
               'echo module > @OUT@/prog.wasm')
    launched, module = wasm_build.run_zig(["/bin/sh", "-c", script], {}, wasm_build.ZIG_LIMITS,
                                          time.monotonic() + 30, cache=cache)
    # zig's cache is writable inside (an overlay or a copy), the host's folders are not reachable
    assert launched.stdout.decode().split("\n") == ["wrote cache", "wrote manifest", ""]
    assert module == b"module\n"
    assert not any(Path(p).exists() for p in escapes)
    assert _tree(cache) == before


def test_compile_past_the_deadline_is_a_timeout_and_leaves_no_process(monkeypatch):
    _needs_namespaces()
    wasm_build.prepare()
    run_dir = f"/tmp/rsi-run-{secrets.token_hex(8)}"
    monkeypatch.setattr(wasm_build, "run_folder_name", lambda: run_dir)
    tag = f"ZIG_LOCAL_CACHE_DIR={run_dir}/zig-local".encode()

    def tagged() -> list[int]:
        found = []
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    if tag in Path(entry.path, "environ").read_bytes():
                        found.append(int(entry.name))
                except OSError:
                    continue
        return found

    seen: list[int] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            seen.extend(tagged())
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    start = time.monotonic()
    try:
        build = wasm_build.compile_wasm(SLOW, deadline=start + 3.0)
    finally:
        done.set()
        watcher.join()
    elapsed = time.monotonic() - start
    assert build.timed_out and build.module is None
    assert 3.0 <= elapsed < 10.0
    assert seen, "the watcher never saw the compile's processes"
    end = time.monotonic() + 2.0
    while tagged() and time.monotonic() < end:
        time.sleep(0.05)
    assert tagged() == []


def test_modules_are_cached_by_source_hash():
    source = f"int main(void){{ return 0; /* {secrets.token_hex(8)} */ }}\n"
    first = wasm_build.compile_wasm(source)
    again = wasm_build.compile_wasm(source)
    assert first.module is not None and not first.cached
    assert (again.module, again.cached, again.flags) == (first.module, True, wasm_build.WASM_FLAGS)
    assert first.module.name == f"{wasm_build._key(source.encode(), first.flags)}.wasm"
    assert first.module.read_bytes()[:4] == b"\0asm"


NO_BWRAP_CHILD = """
import json, sys, time
from quines_text.machines import wasm_build
from quines_text.sandbox import isolation
cache = wasm_build.prepare()
script = ('echo poison > "$ZIG_GLOBAL_CACHE_DIR/poison" && echo "wrote cache"; '
          'for f in "$ZIG_GLOBAL_CACHE_DIR"/h/*; do echo poison > "$f" && echo "wrote manifest"; break; done; '
          'echo module > @OUT@/prog.wasm')
launched, module = wasm_build.run_zig(["/bin/sh", "-c", script], {}, wasm_build.ZIG_LIMITS,
                                      time.monotonic() + 60, cache=cache)
print(json.dumps([isolation().namespaces, launched.stdout.decode(), module.decode() if module else None]))
"""


def test_without_bubblewrap_the_compile_writes_a_private_copy_of_the_cache():
    import json
    import subprocess
    import sys

    cache = wasm_build.prepare()
    before = _tree(cache)
    env = {**os.environ, "RSI_SANDBOX_BWRAP": "0"}
    done = subprocess.run([sys.executable, "-c", NO_BWRAP_CHILD], capture_output=True, env=env,
                          timeout=300)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    namespaces, stdout, module = json.loads(done.stdout.decode().splitlines()[-1])
    assert (namespaces, stdout, module) == (False, "wrote cache\nwrote manifest\n", "module\n")
    assert _tree(cache) == before


@pytest.mark.parametrize("kind", ["slow-preprocessor", "include-dev-zero"])
def test_a_c_wasm_run_whose_compile_passes_the_machines_wall_clock_is_a_timeout(kind):
    import dataclasses

    from quines_text.machines.c_wasm import CWasmMachine
    from quines_text.sandbox import Limits

    wasm_build.prepare()  # the one-time libc build is not the program's time
    machine = dataclasses.replace(CWasmMachine(), limits=Limits(wall_s=2.0))
    start = time.monotonic()
    # an endless include (/dev/zero is in the sandbox's minimal /dev) reads until the clock
    text = SLOW if kind == "slow-preprocessor" else '#include "/dev/zero"\nint main(void){return 0;}\n'
    result = machine.run(text + f"/* {secrets.token_hex(8)} */\n", b"", 10**6)
    assert result.status == "timeout"
    assert time.monotonic() - start < 10.0
