exec(s:='print("exec(s:=%r)"%s)')
