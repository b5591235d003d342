"""Allow ``python -m perfreport``."""

from perfreport.cli import main

raise SystemExit(main())
