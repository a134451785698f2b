"""``python -m growthzones``: the same as the ``growthzones`` command."""

from growthzones.cli import main

if __name__ == "__main__":
    main(prog_name="growthzones")
