"""Looking inside a model: convolution, anatomy, saliency, invariance, fooling, the map, receptive fields."""
