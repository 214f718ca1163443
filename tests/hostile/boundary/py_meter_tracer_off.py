# Switches opcode tracing off for its own frame, computes, and switches it back on.
import sys
frame = sys._getframe()
frame.f_trace_opcodes = False
n = 0
for i in range(10**6):
    n += i
frame.f_trace_opcodes = True
print(n)
