"""The opinion map: participants grouped by how they answer the statements (PCA + k-means, framework-free
below), and computing and storing a consultation's map outside requests: by the background task enqueued
after enough new answers (consultation/tasks.py), and by the management command `compute_opinion_maps`
for anything left stale."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from consultation import conf
from consultation.models import ConsultationPage, ConsultationState, OpinionMap, StatementVote

AGREE, DISAGREE, PASS = 1, -1, 0


@dataclass
class OpinionGroups:
    """Participants grouped by how they voted on statements."""

    participants: list = field(default_factory=list)
    coordinates: list = field(default_factory=list)  # one (x, y) per participant, in [-1, 1]
    labels: list = field(default_factory=list)  # group index per participant
    groups: list = field(default_factory=list)  # per group: {"size", "representative": [...]}
    consensus: list = field(default_factory=list)  # statements every group agrees with
    statement_stats: dict = field(default_factory=dict)
    # How a vote row becomes a point: (row − mean) · components / scale. Statement-level figures only, so a
    # viewer can be placed on the map ("you are here") without storing who is which point.
    projection: dict = field(default_factory=dict)


def opinion_groups(
    votes: dict[object, dict[object, int]],
    statements: list,
    *,
    min_participants: int = 8,
    max_groups: int = 5,
    seed: int = 0,
) -> OpinionGroups | None:
    """Group participants with PCA + k-means, choosing the number of groups by silhouette score.

    `votes[participant][statement]` is AGREE, DISAGREE or PASS (missing counts as PASS).
    Returns None when there are too few participants to say anything.
    """
    # numpy and scikit-learn load only when a map is computed (in the background), never for a page view.
    import numpy as np
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA
    from sklearn.metrics import silhouette_score

    participants = [p for p, row in votes.items() if any(v != PASS for v in row.values())]
    if len(participants) < max(min_participants, 4) or len(statements) < 2:
        return None
    index = {s: i for i, s in enumerate(statements)}
    matrix = np.zeros((len(participants), len(statements)))
    for row, participant in enumerate(participants):
        for statement, value in votes[participant].items():
            if statement in index:
                matrix[row, index[statement]] = value
    components = min(2, len(statements), len(participants))
    pca = PCA(n_components=components, random_state=seed)
    projected = pca.fit_transform(matrix)
    axes = pca.components_
    if projected.shape[1] == 1:
        projected = np.hstack([projected, np.zeros_like(projected)])
        axes = np.vstack([axes, np.zeros_like(axes)])

    def opposed(labels) -> bool:
        """Every pair of groups takes opposite sides on at least one statement (otherwise they are one group)."""
        nets = []
        for g in sorted(set(labels)):
            members = matrix[labels == g]
            voted = np.maximum((members != PASS).sum(axis=0), 1)
            nets.append(((members == AGREE).sum(axis=0) - (members == DISAGREE).sum(axis=0)) / voted)
        for a in range(len(nets)):
            for b in range(a + 1, len(nets)):
                if not (((nets[a] > 0.2) & (nets[b] < -0.2)) | ((nets[a] < -0.2) & (nets[b] > 0.2))).any():
                    return False
        return True

    best_labels, best_score = np.zeros(len(participants), dtype=int), -1.0
    # No more groups than different ways of voting: people who voted alike are one point to k-means.
    distinct = len(np.unique(matrix, axis=0))
    for k in range(2, min(max_groups, len(participants) - 1, distinct) + 1):
        labels = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(matrix)
        if len(set(labels)) < 2 or not opposed(labels):
            continue
        score = silhouette_score(matrix, labels)
        # Prefer fewer groups unless more groups separate clearly better.
        if score > best_score + 0.02:
            best_labels, best_score = labels, score
    if best_score < 0.1:
        # No real structure: everyone is one group.
        best_labels = np.zeros(len(participants), dtype=int)
    # Number groups by size, largest first, so labels are stable between runs.
    order = [label for label, _count in sorted(zip(*np.unique(best_labels, return_counts=True)), key=lambda x: -x[1])]
    relabel = {old: new for new, old in enumerate(order)}
    labels = [relabel[label] for label in best_labels]

    scale = float(np.abs(projected).max() or 1.0)
    result = OpinionGroups(
        participants=participants,
        coordinates=[(float(x / scale), float(y / scale)) for x, y in projected[:, :2]],
        labels=labels,
        projection={
            "mean": [float(v) for v in pca.mean_],
            "axes": [[float(v) for v in axis] for axis in axes[:2]],
            "scale": scale,
        },
    )
    labels_array = np.array(labels)
    group_count = len(order)
    shares = {}
    for g in range(group_count):
        members = matrix[labels_array == g]
        voted = (members != PASS).sum(axis=0)
        agree = (members == AGREE).sum(axis=0)
        disagree = (members == DISAGREE).sum(axis=0)
        # Laplace smoothing keeps tiny groups from claiming certainty.
        shares[g] = {"agree": (agree + 1) / (voted + 2), "disagree": (disagree + 1) / (voted + 2), "voted": voted}
    for g in range(group_count):
        members_count = int((labels_array == g).sum())
        representative = []
        if group_count > 1:
            others = matrix[labels_array != g]
            other_voted = (others != PASS).sum(axis=0)
            other_agree = ((others == AGREE).sum(axis=0) + 1) / (other_voted + 2)
            other_disagree = ((others == DISAGREE).sum(axis=0) + 1) / (other_voted + 2)
            for i, statement in enumerate(statements):
                if shares[g]["voted"][i] == 0:
                    continue
                agree_gap = shares[g]["agree"][i] - other_agree[i]
                disagree_gap = shares[g]["disagree"][i] - other_disagree[i]
                if max(agree_gap, disagree_gap) < 0.2:
                    continue
                stance = "agree" if agree_gap >= disagree_gap else "disagree"
                representative.append(
                    {
                        "statement": statement,
                        "stance": stance,
                        "share": float(shares[g][stance][i]),
                        "gap": float(max(agree_gap, disagree_gap)),
                    }
                )
            representative.sort(key=lambda item: -item["gap"])
        result.groups.append({"size": members_count, "representative": representative[:5]})
    for i, statement in enumerate(statements):
        if all(shares[g]["voted"][i] > 0 and shares[g]["agree"][i] >= 0.6 for g in range(group_count)):
            result.consensus.append(statement)
        result.statement_stats[statement] = {
            "agree": int((matrix[:, i] == AGREE).sum()),
            "disagree": int((matrix[:, i] == DISAGREE).sum()),
            "pass": int((matrix[:, i] == PASS).sum()),
        }
    return result


def place(projection: dict, statements: list, row: dict) -> tuple[float, float] | None:
    """Where a vote row (statement → AGREE / DISAGREE / PASS) falls on a computed map, in [-1, 1]."""
    if not projection or not row:
        return None
    values = [row.get(statement, PASS) for statement in statements]
    mean, axes, scale = projection["mean"], projection["axes"], projection["scale"] or 1.0
    if len(mean) != len(values):
        return None
    centred = [v - m for v, m in zip(values, mean)]
    point = [sum(c * a for c, a in zip(centred, axis)) / scale for axis in axes]
    return tuple(max(-1.2, min(1.2, p)) for p in (point + [0.0, 0.0])[:2])


def stack_points(coordinates: list, labels: list, digits: int = 2) -> list[dict]:
    """Participants who voted alike share one point: one entry per distinct (point, group) with its count."""
    counts: dict[tuple, int] = {}
    for (x, y), label in zip(coordinates, labels):
        key = (round(x, digits), round(y, digits), label)
        counts[key] = counts.get(key, 0) + 1
    return [{"x": x, "y": y, "group": g, "count": n} for (x, y, g), n in sorted(counts.items(), key=lambda i: -i[1])]


def axis_statements(projection: dict, statements: list) -> list[dict | None]:
    """For each axis, the statement that moves people along it most, and which way agreeing moves them."""
    found = []
    for axis in (projection or {}).get("axes", [])[:2]:
        if not axis or max(abs(v) for v in axis) < 1e-9:
            found.append(None)
            continue
        index = max(range(len(axis)), key=lambda i: abs(axis[i]))
        found.append({"statement": statements[index], "positive": axis[index] > 0})
    return found


# --- Computing and storing a consultation's map ---------------------------------------


def compute(consultation: ConsultationPage) -> OpinionMap | None:
    """Group the consultation's participants and store the result; None when there are too few."""
    statements = list(consultation.statements.filter(approved=True).values_list("pk", flat=True))
    votes: dict[int, dict[int, int]] = {}
    for user_id, statement_id, value in StatementVote.objects.filter(statement_id__in=statements).values_list(
        "user_id", "statement_id", "value"
    ):
        votes.setdefault(user_id, {})[statement_id] = value
    groups = opinion_groups(
        votes,
        statements,
        min_participants=conf.get("OPINION_MAP_MIN_PARTICIPANTS"),
        max_groups=conf.get("OPINION_MAP_MAX_GROUPS"),
    )
    with transaction.atomic():
        ConsultationState.objects.filter(consultation=consultation).update(
            opinion_map_stale=False, opinion_map_new_votes=0
        )
        if groups is None:
            OpinionMap.objects.filter(consultation=consultation).delete()
            return None
        # Participants are stored only as points and group labels: no user ids leave this function.
        result = {
            "coordinates": groups.coordinates,
            "labels": groups.labels,
            "groups": groups.groups,
            "consensus": groups.consensus,
            "statement_stats": {str(k): v for k, v in groups.statement_stats.items()},
            # The statements in the order of the projection's columns (those approved when computed).
            "statements": statements,
            "projection": groups.projection,
        }
        opinion_map, _created = OpinionMap.objects.update_or_create(
            consultation=consultation,
            defaults={"result": result, "computed_at": timezone.now(), "participant_count": len(groups.participants)},
        )
    return opinion_map


def compute_stale(force: bool = False) -> int:
    pages = ConsultationPage.objects.live().filter(opinion_map_enabled=True)
    if not force:
        stale = ConsultationState.objects.filter(opinion_map_stale=True).values("consultation_id")
        pages = pages.filter(pk__in=stale)
    count = 0
    for page in pages:
        compute(page)
        count += 1
    return count
