# @MARKER@: grows until the address-space limit makes allocation fail (MemoryError)
hoard = []
while True:
    hoard.append(bytearray(10**6))
