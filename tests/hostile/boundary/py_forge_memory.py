# Raises MemoryError itself, to be reported as status memory.
raise MemoryError("out of memory")
