"""The Computational Life soup of BFF programs (Aguera y Arcas et al. 2024)."""
