"""``mlops`` fixture methods of the ``mlops_data`` family."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_mlops._fixture.base import MlopsBase

if TYPE_CHECKING:
    from pytest_mlops.results import CheckResult


def _is_path(schema: Any) -> bool:
    return isinstance(schema, Path) or (
        isinstance(schema, str) and (schema.endswith(".json") or Path(schema).exists())
    )


class DataMethods(MlopsBase):
    def check_schema(
        self, data: Any, schema: Any, *, severity: str | None = None, **options: Any
    ) -> CheckResult:
        """Validate ``data`` against a schema: a ``Schema``, a dict, a JSON file path, a
        pandera ``DataFrameSchema``, or the *name* of a schema stored in the baseline.

        With a name and ``--mlops-update-baseline``, the schema is learned from ``data``
        (:func:`pytest_mlops.checks.infer_schema`, ``options`` passed on) and proposed
        for the baseline; without the flag a missing name fails closed.
        """
        __tracebackhide__ = True
        from pytest_mlops.checks.data import Schema, check_schema, infer_schema
        from pytest_mlops.errors import MlopsInputError
        from pytest_mlops.results import CheckResult

        if isinstance(schema, str) and not _is_path(schema):
            name = schema
            if self.update_baseline:
                learned = infer_schema(data, **options)
                self.propose_baseline("schemas", name, learned.to_dict())

                def learn(frame: Any) -> CheckResult:
                    result = check_schema(frame, learned)
                    return dataclasses.replace(
                        result,
                        message=(
                            f"schema {name!r} learned from this data ({len(learned.columns)} "
                            "columns); it is stored in the baseline when the gate passes"
                        ),
                    )

                return self._run(
                    learn,
                    data,
                    name="schema",
                    category="data",
                    severity=severity,
                    data={"data": data},
                )
            stored = self.baseline.get("schemas", name)
            if stored is None:
                missing = CheckResult(
                    name="schema",
                    category="data",
                    status="fail",
                    reason="missing_baseline",
                    message=(
                        f"{self.baseline.how_to_create('schemas', name)} (the schema is "
                        "learned from the data this test passes)"
                    ),
                )
                return self._run(
                    lambda: missing,
                    name="schema",
                    category="data",
                    severity=severity,
                    data={"data": data},
                )
            schema = Schema.from_dict(stored)
        elif options:
            raise MlopsInputError(
                f"{', '.join(sorted(options))}: infer_schema options apply only when a schema "
                "is learned, i.e. with a baseline name and --mlops-update-baseline"
            )
        return self._run(
            check_schema,
            data,
            schema,
            name="schema",
            category="data",
            severity=severity,
            data={"data": data},
        )

    def check_data(
        self,
        data: Any,
        label: str | None = None,
        *,
        severity: str | None = None,
        **options: Any,
    ) -> CheckResult:
        """Integrity checks; see :func:`pytest_mlops.checks.check_data`."""
        __tracebackhide__ = True
        from pytest_mlops.checks.data import check_data

        options.setdefault("random_state", self.seed)
        return self._run(
            check_data,
            data,
            label,
            name="data_integrity",
            category="data",
            severity=severity,
            data={"data": data},
            **options,
        )

    def check_train_test(
        self,
        train: Any,
        test: Any,
        label: str | None = None,
        *,
        severity: str | None = None,
        **options: Any,
    ) -> CheckResult:
        """Train/test checks; see :func:`pytest_mlops.checks.check_train_test`."""
        __tracebackhide__ = True
        from pytest_mlops.checks.data import check_train_test

        return self._run(
            check_train_test,
            train,
            test,
            label,
            name="train_test",
            category="data",
            severity=severity,
            data={"train": train, "test": test},
            **options,
        )
