"""Questions to the engine as people ask them: one quote request validated and answered
(``answers.py``), tilt assistance (``assistance.py``). Pure of storage: no database, no HTTP."""
