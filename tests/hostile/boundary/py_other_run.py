# Lists the host's /tmp to find another concurrent run's folder.
import os
for entry in os.listdir("/tmp"):
    print(entry)
