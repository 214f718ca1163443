# 1,500 nested folders left in the run folder.
import os
for _ in range(1500):
    os.mkdir("d")
    os.chdir("d")
print("deep")
