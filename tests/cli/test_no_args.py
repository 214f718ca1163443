import subprocess
import sys


def test_no_arguments_show_help_and_exit_2():
    result = subprocess.run([sys.executable, "-m", "rsi"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "Usage" in result.stdout
    assert "Traceback" not in result.stderr
