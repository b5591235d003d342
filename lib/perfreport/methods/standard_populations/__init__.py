"""Standard populations shipped with perfreport (package data): ``esp2013.csv``, the 2013
European Standard Population. A project can add its own in ``params/standard_populations/``."""
