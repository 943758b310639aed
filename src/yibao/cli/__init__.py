"""The ``yibao`` command line: ``main.py`` assembles the app from one module per command
group; ``_output.py`` is how every command prints errors and summaries."""
