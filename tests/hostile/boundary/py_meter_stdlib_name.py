# Code compiled under a standard-library file name, so that a file-name meter skips it.
import os
exec(compile("n = 0\nfor i in range(10**6):\n    n += i\nprint(n)\n", os.__file__, "exec"))
