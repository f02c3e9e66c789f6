"""``python -m bench [--scale small|ward|city]``: the same as ``tsunagu bench``."""

import sys

from infra.cli import app

app(["bench", *sys.argv[1:]], prog_name="python -m")  # usage: python -m bench [OPTIONS]
