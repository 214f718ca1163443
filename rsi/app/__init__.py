"""The application shell: the `rsi` command line, the report (main job) and sweeps; the only
layer that imports every other."""
