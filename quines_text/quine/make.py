"""Quine construction by Kleene's recursion theorem, for Python, C and JavaScript.

Kleene's second recursion theorem: for every program T(self, ...) there is a program P that
behaves like T with `self` bound to P's own text.  The construction here is the textbook one:
P = A + lit(D) + B, where D = A + B is a data string and lit(D) is D written as a string literal
of the language; at run time P rebuilds its own text as D[:len(A)] + lit(D) + D[len(A):].  The
runtime literal writer and the one below produce the same characters, so the rebuilt text is
byte for byte the program (the property tests check it with `quines_text.quine.check`).

Template format (all languages): a whole program that uses the name `SELF` as an expression
whose value is the program's own full text (a `str` in Python and JavaScript, a NUL-terminated
`char *` in C).  SELF is a name, not a textual placeholder: the construction puts a short
prelude in front of the template that binds it, so a `SELF` inside a string or comment of the
template stays as written.  Consequences: a Python template cannot start with
`from __future__` imports; a C template uses SELF inside functions only (it is a call);
the names `_d`, `_build`, `_lit` (and `n`, `NEXT` for successors) are taken.  Templates are
text without NUL characters.

`make_successor(template, lang, n)` builds Mahoney's Example 6 shape (Mahoney 2008, section
Recursive Self Improvement): the program's first line binds the marked integer `n`
(`n = 1` in Python, `const n = 1;` in JavaScript, `static const long long n = 1;` in C), and the
template may use `n`, `SELF` and `NEXT`, the text of the same program with n + 1 in that line.
A template in the DESIGN.md I/O convention prints an integer for t >= 0 and NEXT for t = -1;
SUCCESSOR_TEMPLATES has P_n(t) = t + n in each language.  Integers are exact up to 2^63 - 1 in
C and 2^53 in JavaScript (the paper notes the same overflow for its C program).
"""
from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from quines_text import languages
from quines_text.languages import LANGUAGES, LanguageNames

# The languages quines can be constructed in: those whose registry entry names a QuineScheme.
MAKE_LANGS: LanguageNames = languages.MAKE_LANGS


def c_literal(data: bytes) -> str:
    """`data` as a C string literal: printable ASCII as itself except `"`, `\\` (escaped) and `?`
    (octal, so no trigraph can form); a newline as `\\n` that also closes the literal and opens
    a new one on the next line (adjacent literals concatenate); every other byte as a 3-digit
    octal escape.  `_C_LITERAL_WRITER` is the same function in C."""
    out = ['"']
    for byte in data:
        if byte == 10:
            out.append('\\n"\n"')
        elif byte in (34, 92):
            out.append("\\" + chr(byte))
        elif 32 <= byte < 127 and byte != 63:
            out.append(chr(byte))
        else:
            out.append(f"\\{byte:03o}")
    out.append('"')
    return "".join(out)


def js_literal(text: str) -> str:
    """`text` as a JavaScript string literal, the characters `JSON.stringify` writes."""
    return json.dumps(text, ensure_ascii=False)


_C_LITERAL_WRITER = r"""static size_t _lit(char *o, const char *d)
{
    const unsigned char *p = (const unsigned char *)d;
    size_t j = 0;
    o[j++] = '"';
    for (; *p; p++) {
        if (*p == '\n') { memcpy(o + j, "\\n\"\n\"", 5); j += 5; }
        else if (*p == '"' || *p == '\\') { o[j++] = '\\'; o[j++] = (char)*p; }
        else if (*p >= 32 && *p < 127 && *p != '?') o[j++] = (char)*p;
        else j += (size_t)sprintf(o + j, "\\%03o", (unsigned)*p);
    }
    o[j++] = '"';
    return j;
}
"""


@dataclass(frozen=True)
class QuineScheme:
    """How one language splits a program into A + lit(D) + B around the data string (a
    language's registry entry names its scheme: quines_text.languages.Language.quine_scheme)."""

    a: str  # text before the literal (ASCII, so len(A) counts the same in every encoding)
    literal: Callable[[str], str]
    b_quine: Callable[[int], str]  # B for make(): code that binds SELF; argument len(A)
    b_successor: Callable[[int], str]  # B for make_successor(): binds SELF and NEXT
    header: Callable[[int], str]  # the line holding the marked integer n


def _python_b_quine(k: int) -> str:
    return f"\nSELF = _d[:{k}] + repr(_d) + _d[{k}:]\n"


def _python_b_successor(k: int) -> str:
    return (
        "\ndef _build(m):\n"
        f"    return 'n = %d\\n' % m + _d[:{k}] + repr(_d) + _d[{k}:]\n"
        "SELF = _build(n)\nNEXT = _build(n + 1)\n"
    )


def _js_b_quine(k: int) -> str:
    return f";\nconst SELF = _d.slice(0, {k}) + JSON.stringify(_d) + _d.slice({k});\n"


def _js_b_successor(k: int) -> str:
    return (
        ";\nconst _build = (m) =>\n"
        f"  'const n = ' + m + ';\\n' + _d.slice(0, {k}) + JSON.stringify(_d) + _d.slice({k});\n"
        "const SELF = _build(n);\nconst NEXT = _build(n + 1);\n"
    )


def _c_builder(k: int, header: bool) -> str:
    head = (
        '    size_t j = (size_t)sprintf(s, "static const long long n = %lld;\\n", m);\n'
        if header
        else "    size_t j = 0;\n"
    )
    signature = "long long m" if header else "void"
    return (
        ";\n" + _C_LITERAL_WRITER
        + f"static char *_build({signature})\n{{\n"
        + "    size_t size = sizeof _d - 1;\n"
        + "    char *s = malloc(64 + 6 * size);\n"
        + "    if (!s) abort();\n"
        + head
        + f"    memcpy(s + j, _d, {k}); j += {k};\n"
        + "    j += _lit(s + j, _d);\n"
        + f"    memcpy(s + j, _d + {k}, size - {k}); j += size - {k};\n"
        + "    s[j] = 0;\n    return s;\n}\n"
    )


def _c_b_quine(k: int) -> str:
    return _c_builder(k, header=False) + "#define SELF _build()\n"


def _c_b_successor(k: int) -> str:
    return _c_builder(k, header=True) + "#define SELF _build(n)\n#define NEXT _build(n + 1)\n"


PYTHON_SCHEME = QuineScheme(
    a="_d = ",
    literal=repr,
    b_quine=_python_b_quine,
    b_successor=_python_b_successor,
    header=lambda n: f"n = {n}\n",
)
JS_SCHEME = QuineScheme(
    a="const _d = ",
    literal=js_literal,
    b_quine=_js_b_quine,
    b_successor=_js_b_successor,
    header=lambda n: f"const n = {n};\n",
)
C_SCHEME = QuineScheme(
    a="#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\nstatic const char _d[] =\n",
    literal=lambda text: c_literal(text.encode("utf-8")),
    b_quine=_c_b_quine,
    b_successor=_c_b_successor,
    header=lambda n: f"static const long long n = {n};\n",
)


def scheme_of(lang: str) -> QuineScheme:
    """The QuineScheme the registry names for `lang` ("module:NAME", imported on use);
    ValueError for a language quines cannot be constructed in."""
    entry = LANGUAGES.get(lang)
    if entry is None or entry.quine_scheme is None:
        raise ValueError(f"cannot construct quines in {lang!r}; languages: {', '.join(MAKE_LANGS)}")
    module, _, name = entry.quine_scheme.partition(":")
    scheme = getattr(importlib.import_module(module), name)
    if not isinstance(scheme, QuineScheme):
        raise TypeError(f"{entry.quine_scheme} is a {type(scheme).__name__}, not a QuineScheme")
    return scheme


QUINE_TEMPLATES: dict[str, str] = {
    name: lang.quine_template for name, lang in LANGUAGES.items() if lang.quine_template
}
"""The smallest templates: print SELF.  make(QUINE_TEMPLATES[lang], lang) is a quine."""

SUCCESSOR_TEMPLATES: dict[str, str] = {
    name: lang.successor_template for name, lang in LANGUAGES.items() if lang.successor_template
}
"""Mahoney's Example 6 in each language: P_n(t) = t + n, P_n(-1) = P_{n+1}."""


def _scheme(template: str, lang: str, needed: tuple[str, ...]) -> QuineScheme:
    scheme = scheme_of(lang)
    if not isinstance(template, str):
        raise TypeError(f"template must be str, got {type(template).__name__}")
    if "\0" in template:
        raise ValueError("template contains a NUL character")
    for name in needed:
        if name not in template:
            raise ValueError(f"template does not use the name {name}")
    return scheme


def make(template: str, lang: str) -> str:
    """A program in `lang` that runs `template` with SELF bound to the program's own full text.

    ValueError for an unknown language, a NUL in the template, or a template without SELF."""
    scheme = _scheme(template, lang, ("SELF",))
    b = scheme.b_quine(len(scheme.a)) + template
    return scheme.a + scheme.literal(scheme.a + b) + b


def make_successor(template: str, lang: str, n: int = 1) -> str:
    """The RSI-ready program P_n: `template` with the marked integer `n` bound to `n`, SELF to the
    program's text and NEXT to the text of P_{n+1} = make_successor(template, lang, n + 1).

    ValueError for an unknown language, a NUL, a template without NEXT, or n < 0."""
    scheme = _scheme(template, lang, ("NEXT",))
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"the marked integer n must be an int >= 0, got {n!r}")
    b = scheme.b_successor(len(scheme.a)) + template
    return scheme.header(n) + scheme.a + scheme.literal(scheme.a + b) + b
