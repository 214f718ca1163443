"""Program files are read byte for byte: a CRLF file is checked and run as CRLF.

A quine prints its own source byte for byte (DESIGN.md, quines_text.quine), so the CRLF copy of
an LF quine -- whose output keeps LF line ends -- is `near` at an edit distance of one per line
end, not `quine` at distance 0, by every path that reads a program file.
"""
import json
from pathlib import Path

import pytest

from rsi.app.cli import main
from rsi.app.cli._common import read_text_file
from rsi.app.sweep.jobs import _chain_source

QUINES = Path(__file__).parent / "quines"


def crlf_copy(name: str, folder: Path) -> tuple[Path, int]:
    """(a CRLF copy of the LF quine `name` in `folder`, how many line ends it has)."""
    source = (QUINES / name).read_bytes()
    assert b"\r" not in source and source.endswith(b"\n")
    program = folder / name
    program.write_bytes(source.replace(b"\n", b"\r\n"))
    return program, source.count(b"\n")


def test_read_text_file_keeps_carriage_returns(tmp_path):
    program = tmp_path / "p.py"
    program.write_bytes(b"print(1)\r\nprint(2)\r\n")
    assert read_text_file(program) == "print(1)\r\nprint(2)\r\n"


def test_a_sweep_chain_file_keeps_carriage_returns(tmp_path):
    program = tmp_path / "p.py"
    program.write_bytes(b"print(1)\r\n")
    assert _chain_source(None, str(program), 0) == ("print(1)\r\n", "python")


@pytest.mark.parametrize("name", ["python_format.py", "c_global_string.c"])
def test_the_crlf_copy_of_a_quine_is_near_at_one_edit_per_line_end(name, tmp_path, capsys):
    program, line_ends = crlf_copy(name, tmp_path)
    with pytest.raises(SystemExit) as done:
        main(["quine", "check", str(program), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert done.value.code == 1
    assert (data["verdict"], data["status"], data["edit_distance"]) == ("near", "ok", line_ends)


def test_rsi_run_gives_the_program_its_crlf_bytes(tmp_path, capsys):
    program = tmp_path / "p.py"
    program.write_bytes(b"import sys\r\nsys.stdout.write(repr(open(__file__, 'rb').read()))\r\n")
    with pytest.raises(SystemExit) as done:
        main(["run", str(program), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert done.value.code == 0
    assert data["stdout"] == repr(program.read_bytes())
