# @MARKER@: spins forever; the CPU limit (SIGXCPU) or the wall-clock limit ends it
while True:
    pass
