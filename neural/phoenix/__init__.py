"""DeepPhoenix, a model that rewrites the source that defines it (A. Sheng, "An Initial Look at
Self-Reprogramming Artificial Intelligence", Algorithm 1), with every rewritten source executed
only in the sandbox and every kept step audited with Mahoney 2008's "Q improves on P".

The public names, from the modules that implement them:

- `neural.phoenix.data`: the procedural code-refinement dataset and the model source format.
- `neural.phoenix.sandbox`: executing a candidate source in the sandbox and validating the
  configuration it prints.
- `neural.phoenix.model`: the byte-level T5 (transformers), training, few-shot loss, sampling.
- `neural.phoenix.audit`: P_i(t) over training budgets and the "improves" audit.
- `neural.phoenix.records`, `neural.phoenix.loop`: the run's records and the loop itself.
- `neural.phoenix.plot`: Figure 1 and the audit verdicts as a PNG.
"""
from neural.phoenix.audit import AuditStep, audit_step, disagreements, program_from_losses, quality
from neural.phoenix.data import ModelSpec, RefinementPair, make_dataset, refine
from neural.phoenix.loop import run_phoenix
from neural.phoenix.plot import plot_run
from neural.phoenix.records import Candidate, PhoenixConfig, PhoenixRun, Search, Training
from neural.phoenix.sandbox import Execution, InvalidConfig, execute_candidate, parse_config

__all__ = [
    "AuditStep", "Candidate", "Execution", "InvalidConfig", "ModelSpec",
    "PhoenixConfig", "PhoenixRun", "RefinementPair", "Search", "Training", "audit_step",
    "disagreements", "execute_candidate", "make_dataset", "parse_config", "plot_run",
    "program_from_losses", "quality", "refine", "run_phoenix",
]
