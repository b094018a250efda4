"""The data a project declares for the standard suite."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any


@dataclasses.dataclass
class MlopsDataset:
    """What the standard suite checks: train and test frames that include the label."""

    train: Any
    test: Any
    label: str
    categorical: Sequence[str] = ()
    sensitive: Sequence[str] = ()

    def __post_init__(self) -> None:
        from pytest_mlops.errors import MlopsInputError

        for name in ("train", "test"):
            frame = getattr(self, name)
            if not hasattr(frame, "columns"):
                raise MlopsInputError(f"MlopsDataset.{name} must be a pandas DataFrame")
            missing = [
                c
                for c in [self.label, *self.categorical, *self.sensitive]
                if c not in frame.columns
            ]
            if missing:
                raise MlopsInputError(f"MlopsDataset.{name} has no column(s) {missing}")

    def features(self, frame: Any) -> Any:
        """The model's inputs: every column but the label and the sensitive ones."""
        return frame.drop(columns=[self.label, *self.sensitive])

    @property
    def classification(self) -> bool:
        y = self.train[self.label]
        return not (y.dtype.kind == "f" and y.nunique() > 20)
