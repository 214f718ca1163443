# Forges report lines: every 32-hex-digit string or bytes object it can find is tried as the
# report token, on every descriptor, with statuses only the meter may report and the exit code
# it then uses; and a line in the launcher's status format.
import gc, os, re
tokens = {b"0" * 32}
for thing in gc.get_objects():
    for value in (thing.values() if isinstance(thing, dict) else thing if isinstance(thing, (list, tuple)) else ()):
        if isinstance(value, str):
            value = value.encode()
        if isinstance(value, bytes) and re.fullmatch(rb"[0-9a-f]{32}", value):
            tokens.add(value)
for fd in range(3, 64):
    for token in tokens:
        try:
            os.write(fd, token + b" step_limit 5 3 \n" + token + b" memory 5 3 \n" + b"report 2 5 3\n")
        except OSError:
            break
print("Out Of Memory")
raise SystemExit(3)
