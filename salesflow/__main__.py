"""``python -m salesflow …`` runs the same command line as the ``salesflow`` console script."""

from salesflow.cli import main

main()
