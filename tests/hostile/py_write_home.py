# writes into the real home directory (not $HOME, which is the run folder): refused
with open("@HOME@/@MARKER@", "w") as f:
    f.write("escaped")
