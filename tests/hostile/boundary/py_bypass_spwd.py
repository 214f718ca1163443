# spwd's C code reads /etc/shadow with no audit event.
import spwd
print(spwd.getspall())
