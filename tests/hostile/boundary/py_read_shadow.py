# Reads /etc/shadow.
print(open("/etc/shadow").read())
