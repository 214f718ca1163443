"""Neural tests share the two CPU cores with everything else: one torch thread each."""
import pytest

torch = pytest.importorskip("torch")
torch.set_num_threads(1)
