"""Allow ``python -m perfreport``."""

from perfreport.console import main

raise SystemExit(main())
