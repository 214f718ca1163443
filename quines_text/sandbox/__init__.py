"""The sandboxed runner: run a program text in python, c (gcc) or js (node) under limits.

DESIGN.md "Runner".  `run(source, lang, stdin, limits)` -> RunResult (quines_text.run_result).
The layers and what each stops are described in quines_text.sandbox.layers; `isolation()`
says which are active on this host.  The statuses are decided by the host from kernel facts
(quines_text.sandbox.limits); the launch and the reading of results are in
quines_text.sandbox.launch, the seccomp filter in quines_text.sandbox.seccomp, whole-run limits
and the clean-up in quines_text.sandbox.cgroups, the languages in quines_text.sandbox.languages.
"""
from __future__ import annotations

from quines_text.run_result import STATUSES, RunResult

from .languages import C_FALLBACK_FLAGS, C_FLAGS, CBuild, compile_c, run_c, run_js, run_python
from .layers import Isolation, isolation, launcher_path
from .limits import COMPILE_LIMITS, LANGS, SOURCE_NAMES, Limits, SandboxError, ToolchainMissing, cache_dir, require_tool

__all__ = [
    "COMPILE_LIMITS", "C_FALLBACK_FLAGS", "C_FLAGS", "CBuild", "Isolation", "LANGS", "Limits",
    "RunResult", "SOURCE_NAMES", "STATUSES", "SandboxError", "ToolchainMissing", "cache_dir",
    "compile_c", "isolation", "launcher_path", "require_tool", "run",
]


DEFAULT_LIMITS = Limits()


def run(source: str | bytes, lang: str, stdin: bytes = b"", limits: Limits = DEFAULT_LIMITS, *,
        expose_source: bool = True, meter: bool = False, step_budget: int | None = None,
        extra_files: dict[str, bytes] | None = None,
        argv: list[str] | None = None) -> RunResult:
    """Run `source` in `lang` ("python", "c" or "js") on `stdin` under `limits`; see
    quines_text.sandbox.limits for the statuses.  Python only: `meter=True` counts executed
    bytecode instructions of the program (RunResult.steps) and `step_budget` stops it with
    status step_limit once that many have run (quines_text._opmeter); `extra_files` (name ->
    bytes) are created in the run folder beside the program and `argv` becomes sys.argv[1:]
    (e.g. a warm evaluator script that reads programs from stdin)."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; the sandbox runs {', '.join(LANGS)}")
    if (meter or step_budget is not None) and lang != "python":
        raise ValueError(f"only python is metered, not {lang!r}")
    if (extra_files or argv) and lang != "python":
        raise ValueError(f"extra_files and argv are for python, not {lang!r}")
    if step_budget is not None and step_budget < 0:
        raise ValueError(f"step_budget must be >= 0, got {step_budget}")
    for name in extra_files or {}:
        if "/" in name or name in ("", ".", "..") or name in SOURCE_NAMES.values():
            raise ValueError(f"extra_files: {name!r} must be a plain file name, not a source's")
    data = source.encode() if isinstance(source, str) else bytes(source)
    if lang == "python":
        return run_python(data, stdin, limits, expose_source,
                          meter or step_budget is not None, step_budget,
                          extra_files=extra_files, argv=argv)
    if lang == "c":
        return run_c(data, stdin, limits, expose_source)
    return run_js(data, stdin, limits, expose_source)
