"""Neural quines (Chang & Lipson 2018) and self-replicating networks (Gabor et al. 2022)."""
