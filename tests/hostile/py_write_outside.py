# writes a uniquely named file into /tmp: refused by the audit hook
with open("/tmp/@MARKER@", "w") as f:
    f.write("escaped")
