"""Allow ``python -m perfreport.cli`` (as ``python -m perfreport``)."""

from perfreport.cli.console import main

raise SystemExit(main())
