"""Known answers the tests check the code against, from outside the code: published model sizes,
the accuracy bars the shipped models had to beat, and the official test set's label counts."""

# Chollet's MLP, keras.io's convnet, LeCun et al. 1998's LeNet-5 (as re-implemented in models.py).
PUBLISHED_PARAMETERS = {"mlp": 407_050, "cnn": 93_322, "lenet5": 61_706}
# Above Chollet's MLP, keras.io's convnet, LeNet-5's 0.95 % error, and An et al. 2020's ≈99.6 % for
# small modern CNNs. A model added later is held to its own card (tests/core/test_shipped.py).
ACCURACY_BARS = {"mlp": 0.982, "cnn": 0.994, "lenet5": 0.991, "modern_cnn": 0.996}
# Digits 0..9 in the official 10,000-image test set (t10k-labels-idx1-ubyte).
TEST_LABEL_COUNTS = (980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009)
