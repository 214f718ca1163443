# @MARKER@: os.fork is refused by the audit hook
import os
while True:
    os.fork()
