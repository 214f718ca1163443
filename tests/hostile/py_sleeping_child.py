# @MARKER@: starting a subprocess is refused by the audit hook
import subprocess
subprocess.Popen(["/bin/sh", "-c", "sleep 30"], start_new_session=True)
