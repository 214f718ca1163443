# Raises SIGXCPU itself, to be reported as a CPU timeout.
import signal
signal.raise_signal(signal.SIGXCPU)
