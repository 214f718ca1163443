"""Mahoney (2008), "A Model for Recursively Self Improving Programs", made executable.

Goals, programs and P(t), the definitions (has goal, improves, improving sequence, RSI
program) answered as verdicts with evidence, complexity upper bounds and the paper's examples.
"""
