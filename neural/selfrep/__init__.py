"""Self-replicating neural networks (Gabor et al. 2022): nets, dynamics, soups."""
