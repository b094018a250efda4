"""The core every check is built on.

- :mod:`pytest_mlops.core.inputs`: declared option constraints and the one place where
  arrays and frames are coerced and validated.
- :mod:`pytest_mlops.core.verdict`: bounds, judging, the message texts and the one
  pass/fail tail every check ends with.
- :mod:`pytest_mlops.core.registry`: one declaration per check, from which the ``mlops``
  fixture's methods, the option tables and the ML Test Score map are derived.

Importing this package loads no numpy, pandas, scipy or scikit-learn.
"""

from __future__ import annotations
