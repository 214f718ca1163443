# Connects to a unix socket that the test listens on in the host's /tmp.
import socket
s = socket.socket(socket.AF_UNIX)
s.connect("@SOCKET@")
print("escaped")
