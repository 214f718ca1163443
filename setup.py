"""C extensions of the toolkit (metadata lives in pyproject.toml).

- quines_text._opmeter: exact bytecode-instruction meter for Python (PyEval_SetTrace, PyTrace_OPCODE)
  and the C audit policy of the sandboxed Python child.
- quines_text._bfengine: BF and BFF engines with exact step counts, single and batched.
"""
from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("quines_text._opmeter",
                  ["quines_text/_opmeter.c", "quines_text/_opmeter_library.c",
                   "quines_text/_opmeter_policy.c"],
                  depends=["quines_text/_opmeter.h"], extra_compile_args=["-O2"]),
        Extension("quines_text._bfengine", ["quines_text/_bfengine.c"], extra_compile_args=["-O2"]),
    ]
)
