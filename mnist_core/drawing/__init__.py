"""A visitor's drawing or photo → checked ink → a 28×28 digit made the way MNIST's were."""
