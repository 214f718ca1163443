# A path relative to a directory descriptor: the "open" audit event does not show the dir_fd.
import os
folder = os.path.dirname("@SECRET@")
os.chdir(os.getcwd())
fd = os.open(".", os.O_RDONLY)
depth = os.getcwd().count("/")
print(os.read(os.open("../" * depth + "@SECRET@".lstrip("/"), os.O_RDONLY, dir_fd=fd), 100))
