"""The C audit policy of the sandboxed Python child (quines_text/_opmeter_policy.c): what an
ordinary program may do in its run folder, and the path tricks that end a run `forbidden`."""
import pytest

from quines_text import sandbox


def run(source: str):
    return sandbox.run(source, "python", meter=True)


@pytest.mark.parametrize("source,stdout", [
    # shutil.rmtree opens and removes entries relative to directory descriptors
    ("import os, shutil\nos.makedirs('a/b/c')\nopen('a/b/c/f', 'w').write('x')\n"
     "shutil.rmtree('a')\nprint(sorted(os.listdir('.')))", b"['prog.py']\n"),
    ("import pathlib\np = pathlib.Path('n.txt')\np.write_text('hi')\nprint(p.read_text())",
     b"hi\n"),
    ("import os\nfd = os.open('.', os.O_RDONLY)\nos.mkdir('d', dir_fd=fd)\n"
     "print(os.path.isdir('d'))", b"True\n"),
    # os converts a PathLike before its audit event: the hook sees the path that is used
    ("import os, pathlib\nos.mkdir(pathlib.Path('d'))\nprint(sorted(os.listdir(pathlib.Path('.'))))",
     b"['d', 'prog.py']\n"),
    ("import tempfile\nwith tempfile.TemporaryDirectory() as d:\n    print(type(d).__name__)",
     b"str\n"),
])
def test_ordinary_file_work_in_the_run_folder_is_allowed(source, stdout):
    result = run(source)
    assert (result.status, result.stdout) == ("ok", stdout), result.stderr


@pytest.mark.parametrize("source", [
    # a relative path from a descriptor of a deep folder climbs out of the run folder
    "import os\nos.makedirs('a/b/c/d/e/f/g/h')\nfd = os.open('a/b/c/d/e/f/g/h', os.O_RDONLY)\n"
    "os.open('../../../../../../../../../../../etc/passwd', os.O_RDONLY, dir_fd=fd)",
    "import os\nfd = os.open('.', os.O_RDONLY)\nos.mkdir('../escaped', dir_fd=fd)",
    "open('/proc/self/root/etc/passwd').read()",
    "open('/dev/kmsg', 'w')",
    "import os\nos.listdir(b'/')",
])
def test_path_tricks_end_the_run_forbidden(source):
    assert run(source).status == "forbidden"
