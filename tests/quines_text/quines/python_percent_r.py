s = 's = %r\nprint(s %% s)'
print(s % s)
