# readline's C code opens files with no audit event.
import readline
readline.read_history_file("@SECRET@")
print(readline.get_history_item(1))
