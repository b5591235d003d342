"""Report products: one module per notebook (``annual``, ``locality``, ``monthly``,
``quarterly``, ``scorecard_overview``, ``strategic``), each a class on the typed base
:class:`~perfreport.reports.context.Report`, and the parts they are built from: the locality
view several reports hold (``locality_view``, ``headline_tables``, ``trends``,
``locality_parts``), the annual report's ``national`` and ``delivery`` tables, the monthly
report's ``monthly_measures`` and the strategic report's ``survey_tables``."""
