# @MARKER@: not Python
def broken(:
