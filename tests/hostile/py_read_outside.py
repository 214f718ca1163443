# @MARKER@: reads a file outside the run folder and the Python installation: refused
print(open("/etc/hostname").read())
