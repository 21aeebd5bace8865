"""The networks: the registry (`MODELS`), the shipped files, the one way to run a model, and its scores."""
