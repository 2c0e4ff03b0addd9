"""`python -m generator` is the `accelgen` command."""

from generator.cli import main

raise SystemExit(main())
