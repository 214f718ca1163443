a='a={!r};print(a.format(a))';print(a.format(a))
