"""What the API and the web pages share at the HTTP edge: the contract's error shape
(``errors.py``), the outermost guard (``guard.py``), security headers (``headers.py``) and
body limits (``limits.py``)."""
