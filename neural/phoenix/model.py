"""The DeepPhoenix code-refinement model: a T5 encoder-decoder over bytes (Sheng, section 2).

`build_model(config, seed)` makes `transformers.T5ForConditionalGeneration` from a validated
configuration (`neural.phoenix.sandbox.parse_config`), randomly initialised (nothing is
downloaded) over the byte vocabulary of `ByT5Tokenizer` (256 bytes, 3 special tokens, 125
sentinels; it needs no files).  Dropout is 0 so that two sources trained from the same seed on
the same batches differ only by what the sources say.  Training is plain AdamW at a constant
learning rate on the teacher-forced cross-entropy per byte (`train`), recording the training
loss of every step and, optionally, the held-out loss at a grid of step budgets; `few_shot_loss`
is the paper's "extended few-shot" evaluation (one epoch over the first M samples, mean
training loss); `generate` samples refined sources from the trained model.
"""
from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

from neural.phoenix.data import RefinementPair

IGNORE = -100  # label value the loss skips (padding)


def choose_device(name: str = "auto") -> torch.device:
    """"auto": cuda when available, else cpu; any other name is passed to torch.device and
    must be available here (ValueError otherwise)."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(name)
    except RuntimeError as error:
        raise ValueError(f"unknown device {name!r}: {error}") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device {name!r} asked for, but cuda is not available here")
    return device


@functools.cache
def tokenizer():
    """The byte-level ByT5 tokenizer (built from code, no files)."""
    from transformers import ByT5Tokenizer

    return ByT5Tokenizer()


@dataclass(frozen=True)
class EncodedPairs:
    """Refinement pairs as padded tensors: inputs, their attention mask, labels (-100 = pad)."""

    input_ids: torch.Tensor
    attention_mask: torch.Tensor
    labels: torch.Tensor

    def __len__(self) -> int:
        return self.input_ids.shape[0]

    def batch(self, rows: torch.Tensor, device: torch.device) -> dict[str, torch.Tensor]:
        return {"input_ids": self.input_ids[rows].to(device),
                "attention_mask": self.attention_mask[rows].to(device),
                "labels": self.labels[rows].to(device)}


def encode_pairs(pairs: Sequence[RefinementPair]) -> EncodedPairs:
    """Encode unrefined sources as inputs and refined sources as labels (with end of text)."""
    tok = tokenizer()
    inputs = tok([p.unrefined for p in pairs], padding=True, return_tensors="pt")
    labels = tok([p.refined for p in pairs], padding=True, return_tensors="pt")
    target = labels.input_ids.masked_fill(labels.attention_mask == 0, IGNORE)
    return EncodedPairs(inputs.input_ids, inputs.attention_mask, target)


def build_model(config: dict[str, int], seed: int, device: torch.device):
    """A freshly initialised T5ForConditionalGeneration with the given design parameters."""
    from transformers import T5Config, T5ForConditionalGeneration

    tok = tokenizer()
    design: dict[str, Any] = dict(config)  # the integer T5Config fields of CONFIG_BOUNDS
    t5_config = T5Config(vocab_size=len(tok), dropout_rate=0.0, feed_forward_proj="relu",
                         pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id, **design)
    t5_config.decoder_start_token_id = tok.pad_token_id  # not in T5Config's typed signature
    torch.manual_seed(seed)
    model = T5ForConditionalGeneration(t5_config)
    # transformers declares PreTrainedModel.to through functools.wraps(Module.to); mypy reads it unbound
    return model.to(device)  # type: ignore[arg-type]  # see the line above: the call is bound


@torch.no_grad()
def heldout_loss(model, data: EncodedPairs, batch_size: int) -> float:
    """Mean cross-entropy per label byte over `data` (teacher forcing)."""
    device = next(model.parameters()).device
    model.eval()
    total, count = 0.0, 0
    for start in range(0, len(data), batch_size):
        batch = data.batch(torch.arange(start, min(start + batch_size, len(data))), device)
        logits = model(**batch).logits
        labels = batch["labels"]
        total += torch.nn.functional.cross_entropy(
            logits.reshape(-1, logits.shape[-1]).float(), labels.reshape(-1),
            ignore_index=IGNORE, reduction="sum").item()
        count += int((labels != IGNORE).sum())
    model.train()
    return total / count


@dataclass(frozen=True)
class TrainingRun:
    """Per-step training losses and the held-out loss after each budget (steps) of `budgets`."""

    train_losses: tuple[float, ...]
    budgets: tuple[int, ...]
    heldout_losses: tuple[float, ...]


def train(model, data: EncodedPairs, *, steps: int, batch_size: int, lr: float, seed: int,
          shuffle: bool = True, heldout: EncodedPairs | None = None,
          budgets: Sequence[int] = ()) -> TrainingRun:
    """`steps` AdamW steps on batches of `data` (reshuffled each epoch from `seed`, or in order
    with shuffle=False); the held-out loss is measured after every step count in `budgets`
    (0 = before training).  A non-finite loss stops the run (its losses end with it)."""
    if budgets and heldout is None:
        raise ValueError("held-out losses at budgets need the held-out data (heldout=)")
    device = next(model.parameters()).device
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
    order = torch.Generator().manual_seed(seed)
    wanted = set(budgets)
    losses: list[float] = []
    measured: list[float] = []
    rows = torch.empty(0, dtype=torch.long)
    model.train()
    for step in range(steps + 1):
        if step in wanted and heldout is not None:  # budgets without heldout are refused above
            measured.append(heldout_loss(model, heldout, batch_size))
        if step == steps:
            break
        if len(rows) < batch_size:
            fresh = torch.randperm(len(data), generator=order) if shuffle else torch.arange(len(data))
            rows = torch.cat([rows, fresh])
        batch, rows = rows[:batch_size], rows[batch_size:]
        loss = model(**data.batch(batch, device)).loss
        losses.append(loss.item())
        if not math.isfinite(losses[-1]):
            break
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return TrainingRun(tuple(losses), tuple(b for b in budgets if b <= step), tuple(measured))


def few_shot_loss(config: dict[str, int], data: EncodedPairs, *, batch_size: int, lr: float,
                  seed: int, device: torch.device) -> float:
    """Sheng's "extended few-shot" evaluation: a fresh model of `config` trained for one epoch
    on `data` (in order); the mean of its training losses (nan if it diverged)."""
    model = build_model(config, seed, device)
    steps = math.ceil(len(data) / batch_size)
    run = train(model, data, steps=steps, batch_size=batch_size, lr=lr, seed=seed, shuffle=False)
    mean = sum(run.train_losses) / max(1, len(run.train_losses))
    return mean if len(run.train_losses) == steps and math.isfinite(mean) else math.nan


@torch.no_grad()
def generate(model, source: str, count: int, seed: int, temperature: float = 1.0,
             top_k: int = 0, top_p: float = 1.0) -> list[str]:
    """`count` refinements of `source` sampled from the model at `temperature`, from the `top_k`
    most likely bytes (0: all) within the smallest set of probability mass `top_p` (1.0: all);
    bytes that are not UTF-8 are dropped by the tokenizer's decoder."""
    tok = tokenizer()
    device = next(model.parameters()).device
    encoded = tok([source], return_tensors="pt").to(device)
    torch.manual_seed(seed)
    model.eval()
    out = model.generate(**encoded, do_sample=True, top_k=top_k, top_p=top_p,
                         temperature=temperature, num_return_sequences=count,
                         max_new_tokens=len(source.encode()) + 64)
    model.train()
    return [tok.decode(row, skip_special_tokens=True) for row in out]
