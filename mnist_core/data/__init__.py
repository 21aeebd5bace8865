"""MNIST itself: where the official arrays come from (verified by SHA-256), and the batches training reads."""
