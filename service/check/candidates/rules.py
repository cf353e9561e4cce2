"""Rules and polarity: a clause's polarity against its nearest claims.

An affirmed use against a claim that forbids it is a ``usage`` candidate (a fact that allows one thing and
forbids a neighbour, "the cup is washable, but the base must not be immersed", is read by the words
distinctive to each side); so is denying or leaving out an action a claim requires ("用后须晾干" against
"从来不晾", "descale it monthly" against "never descaled it"). Affirming what a claim denies, or denying what
it affirms, is a ``contradiction`` candidate when the clause speaks of what the claim speaks of; so is
affirming what a claim restricts to one condition ("only on the Pro", "仅LTE版支持") without naming that condition.
"""

from __future__ import annotations

import re

from service.check.candidates.distortion import clause_distortion
from service.check.polarity import Polarity, omits, requires
from service.check.profile import Claim, KnowledgeBaseProfile
from service.check.quantities import extract_quantities
from service.check.retrieval import Unit
from service.check.schemas import Distortion, DistortionKind
from service.check.wording import Wording
from service.settings import CheckThresholds

# A restriction to one condition: "only on the Pro", "English commands only", "仅LTE版支持", "只适用于…".
_ONLY_EN = re.compile(r"\bonly\b", re.IGNORECASE)
_ONLY_ZH = re.compile(r"仅|僅|只有|只在|只限|只适用|只適用|只支持")
_ZH_SCOPE_END = re.compile(r"支持|適用|适用|可以|可|能|有|提供|[，,；;。：:（(]")
_EN_SCOPE_WORDS = 5


def restriction_scope(text: str) -> str:
    """The words of ``text`` naming the condition it restricts something to ("on the Vela Pro" in "frothing is
    only on the Vela Pro", "English commands" in "understands English commands only", "LTE版" in "仅LTE版支持eSIM");
    empty when it restricts nothing."""
    zh = _ONLY_ZH.search(text)
    if zh is not None:
        rest = re.sub(r"^(?:支持|適用於|适用于|适用|適用|用于|用於|限于|限於)", "", text[zh.end() :])
        end = _ZH_SCOPE_END.search(rest, 1)
        return rest[: end.start() if end else 10][:10]
    en = _ONLY_EN.search(text)
    if en is None:
        return ""
    after = re.split(r"[,;:()]", text[en.end() :])[0]
    if after.strip(" .!"):
        return " ".join(re.findall(r"[\w.-]+", after)[:_EN_SCOPE_WORDS])
    return " ".join(re.findall(r"[\w.-]+", text[: en.start()])[-2:])


class Rules:
    """Proposes the ``usage`` and ``contradiction`` candidates of a clause."""

    def __init__(self, thresholds: CheckThresholds, wording: Wording) -> None:
        self.thresholds = thresholds
        self.wording = wording

    def propose(self, profile: KnowledgeBaseProfile, unit: Unit) -> list[Distortion]:
        """The candidates against the clause's few nearest claims of different facts, not only its best:
        which one it is about is the decision's to weigh (their cosines and coverage are its evidence)."""
        found: list[Distortion] = []
        seen: set[str] = set()
        for index in sorted(unit.claim_scores, key=lambda i: (-unit.claim_scores[i], i)):
            fact_id = profile.claims[index].fact_id
            if fact_id in seen:
                continue
            seen.add(fact_id)
            polarity_distortion = self._polarity(profile, unit, index)
            if polarity_distortion is not None:
                found.append(polarity_distortion)
            if polarity_distortion is None or polarity_distortion.kind is not DistortionKind.USAGE:
                breach = self._rule_breach(profile, unit, index)
                if breach is not None:
                    found.append(breach)
            if len(seen) >= self.thresholds.polarity_candidates:
                break
        return found

    def _polarity(self, profile: KnowledgeBaseProfile, unit: Unit, index: int) -> Distortion | None:
        """The clause against one claim: a forbidden use, a contradiction, or nothing."""
        th = self.thresholds
        score = unit.claim_scores[index]
        claim = profile.claims[index]
        cosine = unit.claim_cosines[index]
        content = unit.polarity
        if cosine < th.claim_floor or content.prohibitive or not content.asserted:
            return None
        sibling = None if claim.polarity.prohibitive else self._forbidden_sibling(profile, unit, claim)
        if sibling is not None:
            claim, score, cosine = sibling, unit.claim_scores[sibling.index], th.usage_min
        if claim.polarity.prohibitive:
            if cosine < th.usage_min or content.negated or claim.quantities:
                return None  # a forbidden use with a figure is judged by the figure (see candidates.figures)
            return clause_distortion(
                DistortionKind.USAGE,
                claim.fact_id,
                claim.fact_text,
                unit,
                f"recommends or describes a use the official facts forbid: “{claim.text}”",
                claim.fact_text,
                score,
            )
        if content.negated == claim.polarity.negated:
            return self._unrestricted(profile, unit, claim, score)
        # Opposite polarity is a contradiction only when the clause speaks of what the claim speaks of:
        # enough of its content words (negation removed), weighed by how distinctive they are, occur in the claim
        # (sharing only the product's own noun is not speaking of the same thing).
        # ...or when what the denying side's negation governs is what the other side speaks of ("the seams need
        # sealing" against "no seam sealing is needed"), however much else the clause says.
        across = {unit.lang, claim.lang} == {"zh", "en"}  # a Chinese clause on an English claim, or the reverse
        if across:
            # Words cannot be compared across languages: the clause must be nearer this claim than any other.
            if cosine < th.cross_lingual_contradiction or cosine < unit.best_cosine():
                return None
        else:
            if (
                self.wording.weighted_coverage(profile, unit.span.text, content, claim.text) < th.contradiction_coverage
                and self.wording.scope_covered(
                    profile, unit.span.text, content, claim.text, claim.polarity, claim.subject
                )
                < th.contradiction_scope
            ):
                return None
            if not self.wording.speaks_of_denied(profile, unit.span.text, content, claim.text, claim.polarity):
                return None
        if self._agreeing_sibling(profile, unit, claim):
            return None
        says = "denies" if content.negated else "affirms"
        official = "affirms" if content.negated else "denies"
        return clause_distortion(
            DistortionKind.CONTRADICTION,
            claim.fact_id,
            claim.fact_text,
            unit,
            f"{says} what the official fact {official}: “{claim.text}”",
            claim.fact_text,
            score,
            marks=frozenset({"across_languages"} if across else ()),
        )

    def _rule_breach(self, profile: KnowledgeBaseProfile, unit: Unit, best: int) -> Distortion | None:
        """The clause against the rules of its best claim's fact: a use one of them forbids, affirmed, or an
        action one requires ("须晾干", "always lock the wheels"), denied or left out ("从来不晾", "skip the rinse").
        A rule counts when the clause is about it: it is the fact's best claim for the clause, or nearly as close."""
        th = self.thresholds
        content = unit.polarity
        if content.prohibitive or not content.asserted:
            return None
        # A clause that states the rule itself ("it should be rinsed, not soaked") advises it, whatever it denies.
        omitted = (content.negated or omits(unit.span.text)) and not requires(unit.span.text, instructions=False)
        best_cosine = unit.claim_cosines[best]
        chosen: tuple[float, Claim, bool, bool] | None = None
        for index in profile.claims_of_fact[profile.claims[best].fact_id]:
            claim = profile.claims[index]
            cosine = unit.claim_cosines.get(index, 0.0)
            if cosine < th.usage_min:
                continue
            # A rule further from the clause than the fact's best claim is still what it is about when the clause
            # names what only that rule of the fact names (the fridge of "keep it dry, never in the fridge").
            named = index != best and cosine < best_cosine - th.rule_margin
            if named and not self._names_rule(profile, unit, claim):
                continue
            forbids = claim.polarity.prohibitive and not omitted
            required = not (claim.polarity.negated or claim.polarity.prohibitive) and omitted and requires(claim.text)
            if not (forbids or required):
                continue
            if forbids and (claim.quantities or index == best):
                continue  # a forbidden figure is the figure's to judge; the best claim was judged by _polarity
            if required and claim.quantities and extract_quantities(unit.span.text):
                continue  # "descale it yearly" against "every month" is the figure's to judge
            if required and any(
                value >= cosine and (other.polarity.negated or other.polarity.prohibitive)
                for other, value in ((profile.claims[i], v) for i, v in unit.claim_cosines.items())
            ):
                continue  # the clause denies what a negative claim denies ("not tap water"): it agrees
            if chosen is None or (not named, cosine) > (not chosen[3], chosen[0]):
                chosen = (cosine, claim, required, named)
        if chosen is None:
            return None
        _, claim, required, named = chosen
        explanation = (
            f"does not do what the official facts require: “{claim.text}”"
            if required
            else f"recommends or describes a use the official facts forbid: “{claim.text}”"
        )
        return clause_distortion(
            DistortionKind.USAGE,
            claim.fact_id,
            claim.fact_text,
            unit,
            explanation,
            claim.fact_text,
            unit.claim_scores[claim.index],
            marks=frozenset({"required_action"} if required else ()) | frozenset({"named_rule"} if named else ()),
        )

    def _names_rule(self, profile: KnowledgeBaseProfile, unit: Unit, rule: Claim) -> bool:
        """Whether the clause uses a word of the rule that no other claim of its fact uses (a single Chinese
        character is too loose a match)."""
        others = frozenset().union(
            *(
                self.wording.terms(self.wording.plain(profile, profile.claims[index].text))
                for index in profile.claims_of_fact[rule.fact_id]
                if index != rule.index
            )
        )
        own = self.wording.terms_without_cues(profile, self.wording.plain(profile, rule.text), rule.polarity)
        clause = self.wording.terms_without_cues(profile, self.wording.plain(profile, unit.span.text), unit.polarity)
        return any(len(term) > 1 for term in (own & clause) - others - profile.product_terms)

    def _unrestricted(self, profile: KnowledgeBaseProfile, unit: Unit, claim: Claim, score: float) -> Distortion | None:
        """A clause that affirms what the claim restricts to one condition (a model, a mode, a language) without
        naming that condition ("has eSIM" against "仅LTE版支持eSIM"): a contradiction candidate, weighed by the
        decision as one apart (most such clauses are about the right condition without saying so)."""
        content = unit.polarity
        if content.negated or claim.polarity.negated or claim.polarity.prohibitive or claim.quantities:
            return None  # a condition with a figure is the figure's to judge (see candidates.figures)
        if content.restrictive or restriction_scope(unit.span.text):
            return None  # the clause restricts too: it states a condition, right or wrong
        scope = restriction_scope(claim.text)
        scope_terms = self.wording.terms(self.wording.plain(profile, scope)) if scope else frozenset()
        if not scope_terms or scope_terms <= self.wording.terms(unit.span.text):
            return None
        feature = self.wording.terms(self.wording.plain(profile, claim.text)) - scope_terms
        clause = self.wording.terms_without_cues(profile, self.wording.plain(profile, unit.span.text), content)
        if not clause & feature:
            return None
        coverage = self.wording.weighted_coverage(profile, unit.span.text, content, claim.text)
        if coverage < self.thresholds.contradiction_coverage:
            return None
        return clause_distortion(
            DistortionKind.CONTRADICTION,
            claim.fact_id,
            claim.fact_text,
            unit,
            f"affirms without the condition the official fact restricts it to: “{claim.text}”",
            claim.fact_text,
            score,
            marks=frozenset({"unrestricted"}),
        )

    def _forbidden_sibling(self, profile: KnowledgeBaseProfile, unit: Unit, allowed: Claim) -> Claim | None:
        """A fact often allows one thing and forbids a neighbour ("the cup is washable, but the base must not be
        immersed"). Dense similarity sees the shared activity; the words distinctive to each side (base vs cup)
        tell which one the clause is about."""
        clause = self.wording.terms(self.wording.plain(profile, unit.span.text))
        allowed_terms = self.wording.terms(self.wording.plain(profile, allowed.text))
        for index in profile.claims_of_fact[allowed.fact_id]:
            other = profile.claims[index]
            if not other.polarity.prohibitive or unit.claim_cosines.get(index, 0.0) < self.thresholds.claim_floor:
                continue
            other_terms = self.wording.terms(self.wording.plain(profile, other.text))
            if clause & (other_terms - allowed_terms) and not clause & (allowed_terms - other_terms):
                return other
        return None

    def _agreeing_sibling(self, profile: KnowledgeBaseProfile, unit: Unit, opposed: Claim) -> bool:
        """Whether the clause is about another claim of the fact that says what it says ("the latex side is warm"
        against "the latex side has latex; the foam side has none"): it uses words only that claim has and none
        only the opposed claim has."""
        content = unit.polarity

        def terms(text: str, polarity: Polarity) -> frozenset[str]:
            return self.wording.terms_without_cues(profile, self.wording.plain(profile, text), polarity)

        clause, opposed_terms = terms(unit.span.text, content), terms(opposed.text, opposed.polarity)
        for index in profile.claims_of_fact[opposed.fact_id]:
            other = profile.claims[index]
            if index == opposed.index or other.polarity.negated != content.negated or other.polarity.prohibitive:
                continue
            if unit.claim_cosines.get(index, 0.0) < self.thresholds.claim_floor:
                continue
            other_terms = terms(other.text, other.polarity)
            if clause & (other_terms - opposed_terms) and not clause & (opposed_terms - other_terms):
                return True
        return False
