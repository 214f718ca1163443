# 400 MiB to every pipe it holds besides stdin/stdout/stderr (the report pipe among them).
import os, stat
block = b"y" * (1 << 20)
for fd in range(3, 64):
    try:
        if not stat.S_ISFIFO(os.fstat(fd).st_mode):
            continue
        for _ in range(400):
            os.write(fd, block)
    except OSError:
        pass
print("done")
