"""``python -m infra.cli``: the ``tsunagu`` command."""

from infra.cli import main

main()
