# Reads a 0600 file of the host user.
print(open("@SECRET@").read())
