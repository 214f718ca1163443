# Removes the tracer.
import sys, threading
threading.settrace(None)
sys.settrace(None)
print(sum(range(10)))
