"""The ``mlops`` fixture's methods, one module per check family (see ``base.py``)."""
