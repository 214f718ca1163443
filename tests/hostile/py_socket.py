# @MARKER@: opens a network socket: refused by the audit hook
import socket
socket.create_connection(("1.1.1.1", 80), timeout=1)
