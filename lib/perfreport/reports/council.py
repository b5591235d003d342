"""A council's learning from feedback and performance report (cycle ``learning``).

The report an English council's Adults' Services publish each year, as the council template's
seed does: compliments and complaints by theme and the complaint learning stage against its 20
working day deadline; the staff survey's People Framework questions against the council plan's
goals (``69%  Goal: 75.0% (-6%)``); what audits taught (``params/learning.yaml``); and the
Adult Social Care Outcomes Framework measures beside the England average, each with last
year's figure in brackets (``76.9% (76.8%)``), with commentary under the measures where
improvement is needed (``params/commentary/``) and numbered notes. What it shows is chosen in
``params/learning.yaml``; the tables are built in :mod:`~perfreport.reports.council_tables`.
"""

from __future__ import annotations

from markupsafe import Markup

from perfreport.assess.scorecard import Family
from perfreport.config.areas import Area
from perfreport.config.learning import load_learning
from perfreport.methods.periods import Period
from perfreport.present.charts import Chart
from perfreport.present.tables import Group, Html, Section, Table
from perfreport.reports import council_tables as tables
from perfreport.reports.context import Report, ReportContext
from perfreport.reports.locality_view import Headline, LocalityView


class CouncilReport(Report):
    """Everything the learning and performance report shows, for the council and a year."""

    cycle = "learning"
    heading = "Learning from feedback and performance"

    def __init__(self, ctx: ReportContext, area: Area, period: Period, family: Family) -> None:
        super().__init__(ctx, area, period, family)
        self.learning = load_learning(ctx.project.params, ctx.catalogue)
        self.view = LocalityView(ctx, area, period, family, "financial_year", self.wording)
        lines = [tables.published(self.view, h) for h in self.view.headlines]
        self.lines = {h.indicator.id: h for h in lines}
        self.performance = [h for h in lines if h.indicator.set == self.learning.performance]

    def lead(self) -> str:
        """One sentence on what the report covers."""
        country = self.view.comparator
        against = f" compared with the {country.name} average" if country else ""
        measures = self.performance[0].indicator.scorecard.subsection if self.performance else ""
        return (
            f"What the {self.wording.body} learnt in {self.period.long_label} from compliments, "
            "complaints, reviews and its staff, and its performance on "
            f"{len(self.performance)} {measures} measures{against}."
        )

    def headline(self, indicator: str) -> Headline | None:
        """The indicator's latest line up to the report's period, or None without data."""
        return self.lines.get(indicator)

    def feedback(self) -> Section:
        """Each feedback indicator by theme: a table and a bar chart with its text alternative."""
        parts: list[Table | Chart | Html] = []
        for ident in self.learning.feedback:
            line = self.headline(ident)
            if line is None:
                title = self.ctx.catalogue[ident].title.lower()
                parts.append(Html(Markup("<p>No figures for {} yet.</p>").format(title)))
                continue
            parts += tables.by_theme(self.ctx, self.area, line)
        return Section("Compliments and complaints by theme", parts, level=3)

    def learning_stage(self) -> Table:
        """The learning stage's deadline compliance: value (last year's), target and status."""
        return tables.against_target(
            self.view, [self.headline(self.learning.learning_stage)], "Learning stage"
        )

    def staff_survey(self) -> Group:
        """Each survey question's result against its goal, and where the goals come from."""
        lines = [self.headline(i) for i in self.learning.staff_survey]
        return tables.survey_goals(self.area, [h for h in lines if h is not None])

    def learning_themes(self) -> Html:
        """What audits, reviews and other quality assurance taught, as a list."""
        items = Markup("").join(
            Markup("<li>{}</li>").format(t) for t in self.learning.learning_themes
        )
        return Html(Markup("<ul>{}</ul>").format(items))

    def performance_intro(self) -> Html:
        """Which year the table shows, against whom, and that last year's are in brackets."""
        return tables.performance_intro(self.view, self.performance)

    def performance_table(self) -> Table:
        """Each measure: the council's and the comparator's values with last year's."""
        return tables.performance_table(self.view, self.performance, self.learning)

    def commentary(self) -> Section:
        """The commentary under each measure where improvement is needed."""
        return tables.commentary(self.ctx, self.area, self.performance)

    def notes(self) -> Section:
        """The numbered notes the performance table points to."""
        return tables.notes(self.ctx.catalogue, self.learning)
