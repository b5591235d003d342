"""Descriptions for the key reference (:mod:`perfreport.build.reference`) of the fields whose
model gives none: ``"Model.field": "what it means"``. A field's own attribute docstring, where
it has one, is used instead, so a note moves into its model by writing the docstring there."""

NOTES = {
    # Source specs (store/ingest/spec.py)
    "ColumnRef.column": "The column's name, as the header row spells it.",
    "IndicatorRef.id": "The catalogue indicator every row of this measure is (a constant).",
    "IndicatorRef.column": "Or: the column holding each row's indicator id.",
    "PeriodSpec.column": "The column holding each row's period.",
    "PeriodSpec.start": "Or: the column of each period's first day (ISO dates), with `end`.",
    "PeriodSpec.end": "The column of each period's last day (ISO dates), with `start`.",
    "PeriodSpec.format": "How `column` is written: a `strptime` pattern such as `%Y%m` or "
    "`%Y-%m-%d` giving any day inside the period, or `label` for period labels such as "
    "`2024/25`, `Q4 2024/25` or `2025-03`.",
    "PeriodSpec.kind": "The kind of period a dated `column` holds (needed unless `format` is "
    "`label`).",
    "WideBreakdown.name": "The breakdown's name in the warehouse, e.g. `age_group`.",
    "WideBreakdown.column": "The column holding each row's category.",
    "WideBreakdown.total": "The value of `column` meaning every category (the total row), "
    "e.g. `18plus`.",
    "LongBreakdown.dimension": "The column naming each row's breakdown (`all` for totals).",
    "LongBreakdown.category": "The column naming each row's category (`all` for totals).",
    "Measure.indicator": "Which indicator the figures are.",
    "Measure.numerator": "The column of numerators (or counts).",
    "Measure.denominator": "The column of denominators; the value is worked out from both when "
    "`value` is not given.",
    "Measure.value": "The column of values; rows may carry a value only (most open data).",
    "Filter.column": "The column the filter reads (after `mappings`).",
    "Filter.in_": "Keep only rows whose value is one of these.",
    "Filter.not_in": "Or: leave out rows whose value is one of these (e.g. `[Total]`).",
    "SourceSpec.name": "The spec's name, the file's name without `.yaml`.",
    "SourceSpec.description": "What the extract is, for readers.",
    "SourceSpec.format": "The file format.",
    "SourceSpec.delimiter": "The CSV field separator.",
    "SourceSpec.encoding": "The text encoding (UTF-8 with a byte-order mark and Windows-1252 "
    "are tried next).",
    "SourceSpec.sheet": "The Excel sheet (default: the first).",
    "SourceSpec.header_row": "The row naming every column (below any merged title rows).",
    "SourceSpec.thousands_separator": "The character grouping thousands in figures, e.g. `,`.",
    "SourceSpec.max_size_mb": "Refuse larger files (peak memory stays under 1 GB at 10).",
    "SourceSpec.area": "The column holding each row's area code.",
    "SourceSpec.period": "Where each row's period is and how to read it.",
    "SourceSpec.breakdowns": "Category columns, each with its total value.",
    "SourceSpec.breakdown": "Or: breakdowns already in the long layout.",
    "SourceSpec.measures": "One or more indicators' figures in each row.",
    "SourceSpec.mappings": "Values replaced before anything else, by column: "
    "`{Locality: {Clackmannanshire: CS-CLK}}`.",
    "SourceSpec.filters": "Rows deliberately left out (counted in the loads table).",
    "SourceSpec.suppression": "Cell values meaning suppressed: they become missing, never zero.",
    # Catalogue entries (config/catalogue.py)
    "Target.value": "The target (the lower end of a band).",
    "Target.unit": "The indicator's unit again, so that `0.8` meant as 80% is caught.",
    "Target.kind": "`min`: at least the value (higher is better); `max`: at most (lower is "
    "better); `band`: between `value` and `upper`.",
    "Target.upper": "The top of a `band` target.",
    "Target.from_": "The first day the target applies; the latest one applicable is used.",
    "Target.source": "Where the target comes from, for readers.",
    "Target.applies_to": "The areas it binds: by default a count, hours or money target binds "
    "the body only, a rate or percentage every area.",
    "Scorecard.section": "A scorecard section of params/framework.yaml.",
    "Scorecard.subsection": "One of that section's subsections.",
    "Indicator.id": "The indicator's code, used in source specs, commentary and file names.",
    "Indicator.set": "The family of indicators it belongs to.",
    "Indicator.title": "Its name in reports.",
    "Indicator.description": "What it measures.",
    "Indicator.unit": "The unit of its values.",
    "Indicator.method": "How values and their intervals are computed from the figures.",
    "Indicator.polarity": "Whether a higher value is better or worse.",
    "Indicator.frequency": "How often it is published.",
    "Indicator.aggregation": "How months make a quarter or a year: `sum` adds counts, `ratio` "
    "adds numerators and denominators, `population` adds numerators over an averaged "
    "population, `last` takes the latest month, `mean` averages the months' values (default: "
    "from `method`).",
    "Indicator.decimals": "Decimal places values are shown with.",
    "Indicator.targets": "One target, or a list of targets with `from` dates.",
    "Indicator.tolerance": "Amber within this distance of the target (in the indicator's unit), "
    "red beyond.",
    "Indicator.scorecard": "Its place on the balanced scorecard.",
    "Indicator.national_outcomes": "Numbers of the outcomes in params/framework.yaml it evidences.",
    "Indicator.themes": "Strategic theme ids of params/framework.yaml.",
    "Indicator.breakdowns": "The breakdowns its data come in.",
    "Indicator.benchmarks": "Comparators it is shown against (`country`: the national one).",
    "Indicator.source": "Where its data come from, for readers.",
    "Indicator.disclosure": "`management`: shown only in management reports.",
    # Framework, areas, cycles, RAG settings
    "ScorecardSection.section": "The section's name.",
    "ScorecardSection.subsections": "Its subsections' names.",
    "Theme.id": "The theme's id, used in catalogue entries.",
    "Theme.name": "Its name in reports.",
    "Framework.scorecard": "The balanced scorecard's sections.",
    "Framework.themes": "The strategic themes.",
    "Framework.national_outcomes": "Numbered outcomes indicators may evidence.",
    "Area.code": "The area's code, as the extracts carry it (a standard geography or "
    "organisation code).",
    "Area.name": "Its name in reports.",
    "Area.type": "Its area type.",
    "Area.parent": "The code of the area it is part of.",
    "Area.slug": "Its folder name in output paths.",
    "Cycle.id": "The cycle's id: `perfreport run ID`, and its folder under outputs/.",
    "Cycle.title": "The report's title.",
    "Cycle.notebook": "The report notebook, relative to the project folder.",
    "Cycle.period": "The kind of period each report covers.",
    "Cycle.areas": "The area types it builds one report for each of.",
    "Cycle.rag": "`target`: met, within tolerance or missed; `framework`: the framework's "
    "risk-based RAG (params/rag.yaml).",
    "Cycle.timeout_seconds": "A cell running longer fails the report.",
    "Cycle.audience": "Who reads it (shown on the site).",
    "Accessibility.contact": "The email address the accessibility statement gives.",
    "Accessibility.reviewed": "When the reports were last checked for accessibility.",
    "Disclosure.control": "`false`: a management report that shows every count.",
    "RagSettings.staleness_months": "Data older than this many months after the period's end "
    "are not managed (risk 1), by frequency.",
    "RagSettings.trend_alpha": "A long-term trend must be significant at this level (risk 2).",
    "RagSettings.trend_minimum_months": "... and span at least this many months.",
    "RagSettings.special_cause_months": "Special cause of concern within this many months is a "
    "risk (risk 3).",
    "RagSettings.spc_rules": "The SPC rule set: Making Data Count (`mdc`) or NHS Improvement "
    "2017 (`nhsi2017`).",
    "RagSettings.spc_minimum_points": "Fewer points than this are not charted.",
    "RagSettings.short_term_months": "Amber or red returns to green only once this short-term "
    "trend has improved.",
}
