# Code compiled under a frozen module's file name, so that a file-name meter skips it.
exec(compile("n = 0\nfor i in range(10**6):\n    n += i\nprint(n)\n", "<frozen os>", "exec"))
