# @MARKER@: prints without end; the output cap stops it
while True:
    print("flood " * 100)
