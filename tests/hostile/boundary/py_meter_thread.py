# Re-creates the _thread module (with its original start function) and computes in a thread.
import importlib, sys, time
del sys.modules["_thread"]
thread = importlib.import_module("_thread")
out = []
thread.start_new_thread(lambda: out.append(sum(i for i in range(10**6))), ())
time.sleep(1)
print(out)
