"""Real data sets that ship inside PyPI packages, so nothing downloads at run time.

- `load_digits`: scikit-learn's 8x8 handwritten digits (1,797 images, 10 classes, UCI optdigits test set).
  It is the closest shipped stand-in for MNIST/Fashion-MNIST/CIFAR: same task shape (image -> class),
  small enough for numpy training in seconds on 2 cores.
- `load_auto_mpg`: the Auto MPG data set of the Sandia regression study (SAND2022-13142 sec. 3.0.5), read
  from vega_datasets' own copy (`_data/cars.json`), never from the network.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Split:
    """A train/test split; images are (n, 1, H, W) floats in [0, 1], tabular data (n, features)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    name: str


def _split(x: np.ndarray, y: np.ndarray, test_fraction: float, seed: int, name: str) -> Split:
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(x))
    n_test = int(round(test_fraction * len(x)))
    test, train = order[:n_test], order[n_test:]
    return Split(x[train], y[train], x[test], y[test], name)


def load_digits(test_fraction: float = 0.3, seed: int = 0) -> Split:
    """scikit-learn digits as (n, 1, 8, 8) images scaled to [0, 1], a fixed random split."""
    from sklearn.datasets import load_digits as _sk_digits

    bunch = _sk_digits()
    x = (bunch.images / 16.0).astype(np.float32)[:, None, :, :]
    y = bunch.target.astype(np.int64)
    return _split(x, y, test_fraction, seed, "digits")


AUTO_MPG_FEATURES = ("Cylinders", "Displacement", "Horsepower", "Weight_in_lbs", "Acceleration", "Year", "Origin")


def load_auto_mpg(test_fraction: float = 0.2, seed: int = 0) -> Split:
    """Auto MPG (vega_datasets' packaged cars.json): standardised features, one-hot origin, target mpg."""
    from vega_datasets import data

    cars = data.cars().dropna(subset=["Miles_per_Gallon", "Horsepower"])
    year = cars["Year"].dt.year.to_numpy(dtype=np.float64)
    numeric = cars[["Cylinders", "Displacement", "Horsepower", "Weight_in_lbs", "Acceleration"]].to_numpy(dtype=np.float64)
    origin = np.stack([(cars["Origin"] == o).to_numpy(dtype=np.float64) for o in ("USA", "Europe", "Japan")], axis=1)
    x = np.concatenate([numeric, year[:, None], origin], axis=1)
    y = cars["Miles_per_Gallon"].to_numpy(dtype=np.float64)
    split = _split(x, y, test_fraction, seed, "auto_mpg")
    mean, std = split.x_train.mean(axis=0), split.x_train.std(axis=0) + 1e-12
    return Split((split.x_train - mean) / std, split.y_train, (split.x_test - mean) / std, split.y_test, "auto_mpg")
