"""Reads for the evaluation app. Every read goes through the access rules at the top.

Access (decided for ipsworks; see the README section):
- evaluators and programme managers see all evaluation data of their programme's sites:
  visits, interview records, the codebook, quotes (excerpts), codings and agreement;
- commissioners and site staff (implementation managers, team leaders, employment
  specialists) see only the interview *counts* table, site staff for their own site only, and
  never a quote or an interview record: those pages are "not found" (404) for them;
- everyone else (fidelity reviewers, administrators without superuser) sees none of it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.http import Http404

from ipsworks.accounts.roles import Role
from ipsworks.accounts.scoping import has_role, scope_for, visible_sites
from ipsworks.organisation.models import Programme, Site

from .kappa import cohen_kappa, describe
from .models import (
    STAFF_ROLES,
    Coding,
    EvaluationVisit,
    Excerpt,
    Interview,
    ParticipantRole,
    Theme,
)

EVALUATION_ROLES = (Role.EVALUATOR, Role.PROGRAMME_MANAGER)
COUNTS_ROLES = (
    Role.EVALUATOR,
    Role.PROGRAMME_MANAGER,
    Role.COMMISSIONER,
    Role.IMPLEMENTATION_MANAGER,
    Role.TEAM_LEADER,
    Role.SPECIALIST,
)


def can_see_evaluation(user) -> bool:
    """Quotes, interview records, codebook, codings: evaluators and programme managers."""
    return has_role(user, *EVALUATION_ROLES)


def can_see_counts(user) -> bool:
    return has_role(user, *COUNTS_ROLES)


def require_evaluation(user) -> None:
    if not can_see_evaluation(user):
        raise Http404("Not found")


def evaluation_sites(user) -> QuerySet[Site]:
    """Sites whose evaluation data (quotes, interviews) the user may read."""
    if not can_see_evaluation(user):
        return Site.objects.none()
    return visible_sites(user)


def counts_sites(user) -> QuerySet[Site]:
    """Sites whose interview counts the user may read (site staff: their own site)."""
    if not can_see_counts(user):
        return Site.objects.none()
    return visible_sites(user)


def evaluation_programmes(user) -> QuerySet[Programme]:
    if not can_see_evaluation(user):
        return Programme.objects.none()
    scope = scope_for(user)
    if scope.is_superuser:
        return Programme.objects.all()
    return Programme.objects.filter(id__in=scope.programme_ids)


def current_programme(user) -> Programme:
    """The programme the evaluation pages work on (the user's first one)."""
    programme = evaluation_programmes(user).order_by("name").first()
    if programme is None:
        raise Http404("Not found")
    return programme


# --- visits and interviews --------------------------------------------------------------------


def visits_for(user, *, site: Site | None = None) -> QuerySet[EvaluationVisit]:
    qs = EvaluationVisit.objects.filter(site__in=evaluation_sites(user)).select_related(
        "site", "evaluator"
    )
    if site is not None:
        qs = qs.filter(site=site)
    return qs.annotate(
        staff=Sum(
            "interviews__participants", filter=Q(interviews__participant_role__in=STAFF_ROLES)
        ),
        service_users=Sum(
            "interviews__participants",
            filter=Q(interviews__participant_role=ParticipantRole.SERVICE_USER),
        ),
    )


def get_visit_or_404(user, pk: int) -> EvaluationVisit:
    try:
        return visits_for(user).get(pk=pk)
    except EvaluationVisit.DoesNotExist:
        raise Http404("Not found") from None


def interviews_for(user, visit: EvaluationVisit) -> QuerySet[Interview]:
    return Interview.objects.filter(visit=visit, visit__site__in=evaluation_sites(user))


def get_interview_or_404(user, pk: int) -> Interview:
    try:
        return Interview.objects.select_related("visit__site").get(
            pk=pk, visit__site__in=evaluation_sites(user)
        )
    except Interview.DoesNotExist:
        raise Http404("Not found") from None


# --- the counts table (the seed's Table 2) ----------------------------------------------------


@dataclass
class CountsTableRow:
    site: Site
    staff: dict[int, int] = field(default_factory=dict)
    service_users: dict[int, int] = field(default_factory=dict)
    # (staff, service users) per visit, in the table's visit order (set by interview_counts).
    visit_cells: list[tuple[int, int]] = field(default_factory=list)

    def cells(self, visit_numbers: list[int]) -> list[tuple[int, int]]:
        return [(self.staff.get(n, 0), self.service_users.get(n, 0)) for n in visit_numbers]

    @property
    def total_staff(self) -> int:
        return sum(self.staff.values())

    @property
    def total_service_users(self) -> int:
        return sum(self.service_users.values())


@dataclass
class CountsTable:
    visit_numbers: list[int]
    rows: list[CountsTableRow]

    @property
    def total_staff(self) -> int:
        return sum(r.total_staff for r in self.rows)

    @property
    def total_service_users(self) -> int:
        return sum(r.total_service_users for r in self.rows)

    def column_totals(self) -> list[tuple[int, int]]:
        return [
            (
                sum(r.staff.get(n, 0) for r in self.rows),
                sum(r.service_users.get(n, 0) for r in self.rows),
            )
            for n in self.visit_numbers
        ]

    def as_wide_rows(self) -> list[dict]:
        """Rows in the wide CSV layout (visits 1-3), for export and comparison."""
        out = []
        for r in self.rows:
            row = {"site": r.site.name}
            for n in (1, 2, 3):
                row[f"visit{n}_staff"] = r.staff.get(n, 0)
                row[f"visit{n}_service_users"] = r.service_users.get(n, 0)
            row["total_staff"] = r.total_staff
            row["total_service_users"] = r.total_service_users
            out.append(row)
        return out


def interview_counts(user, *, programme: Programme | None = None) -> CountsTable:
    """Staff and service users interviewed per site and visit, summed from the records.

    Every role other than "service user" counts as staff. Totals are always the sum of the
    visits, so a computed table can never disagree with itself.
    """
    sites = counts_sites(user)
    if programme is not None:
        sites = sites.filter(programme=programme)
    rows = {s.id: CountsTableRow(site=s) for s in sites.order_by("name")}
    numbers = {1, 2, 3}
    for visit in EvaluationVisit.objects.filter(site_id__in=rows):
        numbers.add(visit.number)
    sums = (
        Interview.objects.filter(visit__site_id__in=rows)
        .values("visit__site_id", "visit__number", "participant_role")
        .annotate(n=Sum("participants"))
    )
    for item in sums:
        row = rows[item["visit__site_id"]]
        target = row.service_users if item["participant_role"] == "service_user" else row.staff
        number = item["visit__number"]
        target[number] = target.get(number, 0) + item["n"]
    ordered = sorted(numbers)
    for row in rows.values():
        row.visit_cells = row.cells(ordered)
    return CountsTable(visit_numbers=ordered, rows=list(rows.values()))


def compare_with_reported(table: CountsTable, reported) -> list[dict]:
    """Differences between reported counts (parsed CSV rows) and the counts from the records."""
    by_name = {r.site.name.lower(): r for r in table.rows}
    out = []
    for rep in reported:
        mine = by_name.get(rep.site.lower())
        if mine is None:
            out.append({"site": rep.site, "problem": "no such site among your sites"})
            continue
        for n in (1, 2, 3):
            for kind, theirs, ours in (
                ("staff", rep.staff[n], mine.staff.get(n, 0)),
                ("service users", rep.service_users[n], mine.service_users.get(n, 0)),
            ):
                if theirs != ours:
                    out.append(
                        {
                            "site": rep.site,
                            "problem": f"visit {n} {kind}: file says {theirs}, records say {ours}",
                        }
                    )
    return out


# --- codebook ---------------------------------------------------------------------------------


@dataclass
class ThemeNode:
    theme: Theme
    depth: int
    path: str
    descendant_ids: frozenset[int]


def theme_tree(user, programme: Programme) -> list[ThemeNode]:
    """The programme's themes in reading order (each parent followed by its sub-themes)."""
    if not evaluation_programmes(user).filter(pk=programme.pk).exists():
        return []
    themes = list(Theme.objects.filter(programme=programme))
    children: dict[int | None, list[Theme]] = defaultdict(list)
    for t in themes:
        children[t.parent_id].append(t)
    out: list[ThemeNode] = []

    def walk(parent_id, depth, prefix, seen):
        for t in sorted(children[parent_id], key=lambda x: (x.order, x.name.lower())):
            if t.id in seen:
                continue
            path = f"{prefix} > {t.name}" if prefix else t.name
            node_index = len(out)
            out.append(ThemeNode(t, depth, path, frozenset()))
            walk(t.id, depth + 1, path, seen | {t.id})
            ids = {t.id} | {n.theme.id for n in out[node_index + 1 :]}
            out[node_index] = ThemeNode(t, depth, path, frozenset(ids))

    walk(None, 0, "", frozenset())
    return out


def get_theme_or_404(user, pk: int) -> Theme:
    try:
        return Theme.objects.get(pk=pk, programme__in=evaluation_programmes(user))
    except Theme.DoesNotExist:
        raise Http404("Not found") from None


# --- excerpts ---------------------------------------------------------------------------------


def excerpts_for(
    user,
    *,
    programme: Programme | None = None,
    theme: Theme | None = None,
    site: Site | None = None,
    role: str = "",
    text: str = "",
) -> QuerySet[Excerpt]:
    """Quotes the user may read, optionally filtered. A theme matches its sub-themes too."""
    qs = Excerpt.objects.filter(site__in=evaluation_sites(user)).select_related("site", "visit")
    if programme is not None:
        qs = qs.filter(site__programme=programme)
    if theme is not None:
        ids = {theme.id}
        frontier = {theme.id}
        while frontier:
            frontier = (
                set(Theme.objects.filter(parent_id__in=frontier).values_list("id", flat=True)) - ids
            )
            ids |= frontier
        qs = qs.filter(pk__in=Coding.objects.filter(themes__in=ids).values("excerpt_id"))
    if site is not None:
        qs = qs.filter(site=site)
    if role:
        qs = qs.filter(speaker_role=role)
    if text:
        qs = qs.filter(Q(text__icontains=text) | Q(memo__icontains=text))
    return qs.prefetch_related(
        Prefetch(
            "codings", queryset=Coding.objects.select_related("coder").prefetch_related("themes")
        )
    )


def get_excerpt_or_404(user, pk: int) -> Excerpt:
    try:
        return excerpts_for(user).get(pk=pk)
    except Excerpt.DoesNotExist:
        raise Http404("Not found") from None


def coding_of(excerpt: Excerpt, coder) -> Coding | None:
    return Coding.objects.filter(excerpt=excerpt, coder=coder).prefetch_related("themes").first()


def _codings(user, programme: Programme) -> dict[int, dict[int, set[int]]]:
    """excerpt id -> coder id -> theme ids, for the user's visible excerpts."""
    out: dict[int, dict[int, set[int]]] = defaultdict(dict)
    codings = Coding.objects.filter(
        excerpt__site__in=evaluation_sites(user), excerpt__site__programme=programme
    ).prefetch_related("themes")
    for c in codings:
        out[c.excerpt_id][c.coder_id] = {t.id for t in c.themes.all()}
    return out


def excerpt_themes(user, programme: Programme) -> dict[int, set[int]]:
    """excerpt id -> themes applied by any coder."""
    return {
        excerpt_id: set().union(*by_coder.values())
        for excerpt_id, by_coder in _codings(user, programme).items()
    }


@dataclass
class MatrixRow:
    node: ThemeNode
    counts: list[int]
    total: int


def theme_site_matrix(user, programme: Programme) -> tuple[list[Site], list[MatrixRow]]:
    """Distinct excerpts per theme (including its sub-themes) and site, by any coder."""
    sites = list(evaluation_sites(user).filter(programme=programme).order_by("name"))
    tree = theme_tree(user, programme)
    applied = excerpt_themes(user, programme)
    site_of = dict(Excerpt.objects.filter(pk__in=applied.keys()).values_list("pk", "site_id"))
    rows = []
    for node in tree:
        per_site: dict[int, int] = defaultdict(int)
        for excerpt_id, themes in applied.items():
            if themes & node.descendant_ids:
                per_site[site_of[excerpt_id]] += 1
        counts = [per_site.get(s.id, 0) for s in sites]
        rows.append(MatrixRow(node, counts, sum(counts)))
    return sites, rows


# --- agreement between two coders -------------------------------------------------------------


def coders(user, programme: Programme):
    from django.contrib.auth import get_user_model

    ids = Coding.objects.filter(
        excerpt__site__in=evaluation_sites(user), excerpt__site__programme=programme
    ).values("coder_id")
    return get_user_model().objects.filter(pk__in=ids).order_by("username")


@dataclass
class ThemeAgreement:
    node: ThemeNode
    compared: int  # excerpts both coders coded
    both: int  # both applied the theme
    only_a: int
    only_b: int
    neither: int
    kappa: object  # Fraction | None

    @property
    def kappa_display(self) -> str:
        return "–" if self.kappa is None else f"{float(self.kappa):.2f}"

    @property
    def words(self) -> str:
        return describe(self.kappa)

    @property
    def percent_agreement(self) -> str:
        if not self.compared:
            return "–"
        return f"{100 * (self.both + self.neither) / self.compared:.0f}%"


@dataclass
class Agreement:
    rows: list[ThemeAgreement]
    compared: int
    only_one_coder: int


def agreement(user, programme: Programme, coder_a, coder_b) -> Agreement:
    """Per theme, Cohen's kappa between two coders over the excerpts BOTH have coded.

    Rule for "not coded by one coder": an excerpt only one of the two has coded is left out of
    the comparison (and counted in `only_one_coder`); once a coder has coded an excerpt, every
    theme they did not tick counts as "does not apply". A theme counts as applied when the coder
    ticked it or any of its sub-themes.
    """
    codings = _codings(user, programme)
    pairs = []
    only_one = 0
    for by_coder in codings.values():
        a, b = by_coder.get(coder_a.pk), by_coder.get(coder_b.pk)
        if a is not None and b is not None:
            pairs.append((a, b))
        elif a is not None or b is not None:
            only_one += 1
    rows = []
    for node in theme_tree(user, programme):
        ids = node.descendant_ids
        labels_a = [bool(a & ids) for a, _ in pairs]
        labels_b = [bool(b & ids) for _, b in pairs]
        both = sum(1 for x, y in zip(labels_a, labels_b, strict=True) if x and y)
        only_a = sum(1 for x, y in zip(labels_a, labels_b, strict=True) if x and not y)
        only_b = sum(1 for x, y in zip(labels_a, labels_b, strict=True) if y and not x)
        rows.append(
            ThemeAgreement(
                node=node,
                compared=len(pairs),
                both=both,
                only_a=only_a,
                only_b=only_b,
                neither=len(pairs) - both - only_a - only_b,
                kappa=cohen_kappa(labels_a, labels_b),
            )
        )
    return Agreement(rows=rows, compared=len(pairs), only_one_coder=only_one)
