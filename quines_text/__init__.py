"""Text quines and the interpreter harness: a sandboxed runner, step-metered machines,
quine checking and construction, RSI chains (P_{i+1} = P_i(-1))."""
