"""Evidence: the named features each candidate carries, which the fitted decision weighs.

For a candidate distortion of a fact (or prohibited claim) by a clause: its cosine and lexical score with
the fact's claims, the gap to the clause's best claim and the fact's rank, how much of the clause the claim
covers and how much a same-polarity claim of the same fact agrees with it, the NLI head's reading, the shares
of each side's wording (words weighed by how distinctive they are in the knowledge base), for a
contradiction how much of what the negation governs the other side speaks of, for a prohibited claim a
word only it uses and its margin over the key messages, for figures their ratio and whether the figure is
right for another condition; the clause's polarity flags, language and length; the sentence's cues.

For an absolute term: how near the sentence is to the product, whether it names it, negation, the term's
length and whether it is a bare superlative. For the key messages a clause may carry and the avoid-topics it
may touch: the similarity, its margin over the facts, a linked claim, the gap to the next message or topic,
deal talk, for a comparison topic whether another brand or model is named, and the clause's flags.
"""

from __future__ import annotations

import math
import re

from service.check.commerce import (
    compares_prices,
    compares_with_own_price,
    names_rival,
    talks_promotion,
)
from service.check.cues import Cues
from service.check.decision import Features
from service.check.profile import KnowledgeBaseProfile, Target
from service.check.retrieval import Unit
from service.check.schemas import Distortion, DistortionKind
from service.check.terms import weighted_overlap
from service.check.wording import Wording
from service.settings import CheckThresholds

Candidate = tuple[Distortion, Features]  # a distortion proposed, with its evidence
TargetCandidate = tuple[Target, float, Features]  # a key message (or avoid-topic) a clause may carry: score, evidence

_BARE_SUPERLATIVE = re.compile(r"最[\u4e00-\u9fff]{1,2}|(?:the\s+)?best", re.IGNORECASE)


def cue_features(cues: Cues) -> Features:
    """A sentence's cues as features: question, first person, hedge, debunk, complaint, benefit."""
    return {
        "question": cues.question,
        "first_person": cues.first_person,
        "hedge": cues.hedge,
        "debunk": cues.debunk,
        "complaint": cues.complaint,
        "benefit": cues.benefit,
    }


class Evidence:
    """Reads the features of every candidate of one sentence."""

    def __init__(self, thresholds: CheckThresholds, wording: Wording) -> None:
        self.thresholds = thresholds
        self.wording = wording

    def distortion_features(
        self, profile: KnowledgeBaseProfile, unit: Unit, distortion: Distortion, cues: Cues
    ) -> Features:
        """The evidence for a candidate distortion of a fact (or prohibited claim) by a clause."""
        best = unit.best_cosine()
        claims = [i for i in profile.claims_of_fact.get(distortion.fact_id or "", []) if i in unit.claim_cosines]
        cosine = max((unit.claim_cosines[i] for i in claims), default=distortion.score)
        lexical = max((unit.claim_scores[i] - unit.claim_cosines[i] for i in claims), default=0.0)
        by_fact: dict[str, float] = {}
        for index, value in unit.claim_cosines.items():
            fact_id = profile.claims[index].fact_id
            by_fact[fact_id] = max(by_fact.get(fact_id, -1.0), value)
        rank = sum(value > cosine + 1e-9 for value in by_fact.values())
        nearest = max(claims, key=unit.claim_cosines.__getitem__, default=None)
        coverage = (
            self.wording.coverage(profile, unit.span.text, unit.polarity, profile.claims[nearest].text)
            if nearest is not None
            else 0.0
        )
        # A clause that says what a claim of the same fact says, with the same polarity, agrees with the fact.
        inferred = [unit.nli[i] for i in claims if i in unit.nli]
        agreeing = [i for i in claims if profile.claims[i].polarity.negated == unit.polarity.negated]
        agreeing_cosine = max((unit.claim_cosines[i] for i in agreeing), default=0.0)
        agreeing_coverage = max(
            (self.wording.coverage(profile, unit.span.text, unit.polarity, profile.claims[i].text) for i in agreeing),
            default=0.0,
        )
        # How much of what the claim says, weighted by how distinctive each word is in this knowledge base, the
        # clause says too (a short generic clause, "works great", shares only words every fact uses).
        clause_terms = self.wording.terms_without_cues(profile, unit.span.text, unit.polarity)
        if nearest is not None:
            claim = profile.claims[nearest]
            claim_terms = self.wording.terms_without_cues(profile, claim.text, claim.polarity)
        else:
            target_text = profile.prohibited_by_id[distortion.fact_id].text if distortion.fact_id else ""
            claim_terms = self.wording.terms_without_cues(
                profile, target_text, self.wording.polarity(target_text, None)
            )
        claim_covered = weighted_overlap(claim_terms, clause_terms, profile.term_weight)
        clause_covered = weighted_overlap(clause_terms, claim_terms, profile.term_weight)
        # A contradiction is about what the negation governs: the words after the cue of whichever side denies
        # ("has no built-in hub": the hub) must be what the other side speaks of, not the words around it.
        scope_covered = 0.0
        if nearest is not None and distortion.kind is DistortionKind.CONTRADICTION:
            claim = profile.claims[nearest]
            clause, text = unit.span.text, claim.text
            scope_covered = self.wording.scope_covered(
                profile, clause, unit.polarity, text, claim.polarity, claim.subject
            )
        # A prohibited claim is made when the clause is nearer to it than to anything the brand does say (generic
        # praise is as near to the key messages), or uses its own words (cure, 治愈) that no fact or message uses.
        distinctive_shared = 0.0
        prohibited_margin = 0.0
        prohibited_opposed = 0.0
        if distortion.kind is DistortionKind.PROHIBITED:
            target = profile.prohibited_by_id[distortion.fact_id or ""]
            distinctive_shared = float(bool(clause_terms & target.distinctive_terms))
            prohibited_margin = distortion.score - max(unit.message_scores, default=0.0)
            # A claim that denies a harm ("never cracks") is near a complaint that the harm happened.
            prohibited_opposed = float(self.wording.polarity(target.text, None).negated and not unit.polarity.negated)
        features: Features = {
            "distinctive_shared": distinctive_shared,
            "prohibited_margin": prohibited_margin,
            "prohibited_opposed": prohibited_opposed,
            "claim_covered": claim_covered,
            "clause_covered": clause_covered,
            "mutual_covered": min(claim_covered, clause_covered),
            "scope_covered": scope_covered,
            "nli_entails": max((e for e, _ in inferred), default=0.0),
            "nli_contradicts": max((c for _, c in inferred), default=0.0),
            "coverage": coverage,
            "agreeing_cosine": agreeing_cosine,
            "agreeing_coverage": agreeing_coverage,
            "score": distortion.score,
            "cosine": cosine,
            "gap_to_best": max(0.0, best - cosine),
            "lexical": lexical / max(self.thresholds.lexical_weight, 1e-6),
            "fact_rank": float(min(rank, 3)),
            "negated": float(unit.polarity.negated),
            # Complaining that something is missing ("可惜没有X", "annoying that X costs extra") denies it, while
            # other complaints are opinions: the decision weighs the two apart.
            "complained_lack": float(bool(cues.complaint) and unit.polarity.negated),
            "prohibitive": float(unit.polarity.prohibitive),
            "restrictive": float(unit.polarity.restrictive),
            "hedged_clause": float(unit.polarity.hedged),
            "reported_clause": float(unit.polarity.reported),
            "cross_lingual": float(unit.lang != profile.kb.lang),
            "clause_chars": math.log1p(len(unit.span.text)),
            "deal_talk": float(unit.deal_talk),
            **cue_features(cues),
        }
        if distortion.claimed is not None and distortion.official is not None:
            claimed, official = distortion.claimed.value, distortion.official.value
            features["log_ratio"] = abs(math.log(max(abs(claimed), 1e-6) / max(abs(official), 1e-6)))
            features["other_condition"] = float("other_condition" in distortion.marks)
        if distortion.kind is DistortionKind.USAGE:
            features["required_action"] = float("required_action" in distortion.marks)
            # A forbidden use is what the prohibition governs ("never put it in the microwave": putting it in the
            # microwave); how much of that the clause says, words weighed by how distinctive they are.
            features["rule_scope_covered"] = max(
                (
                    weighted_overlap(
                        self.wording.scope_terms(profile, profile.claims[i].text, profile.claims[i].polarity),
                        clause_terms,
                        profile.term_weight,
                    )
                    for i in claims
                    if profile.claims[i].polarity.prohibitive
                ),
                default=0.0,
            )
            features["named_rule"] = float("named_rule" in distortion.marks)
        if distortion.kind is DistortionKind.CONTRADICTION:
            features["unrestricted"] = float("unrestricted" in distortion.marks)
            features["across_languages"] = float("across_languages" in distortion.marks)
        return features

    def absolute_candidates(
        self, profile: KnowledgeBaseProfile, sentence: str, units: list[Unit], distortions: list[Distortion], cues: Cues
    ) -> list[Candidate]:
        """The sentence's absolute terms with their evidence (``sentence``: its text)."""
        names_product = float(bool(profile.names and profile.names.search(sentence)))
        about_product = max((unit.best_cosine() for unit in units), default=0.0)
        candidates: list[Candidate] = []
        for distortion in distortions:
            features = {
                "about_product": about_product,
                "names_product": names_product,
                "negated": float(any(u.polarity.negated for u in units)),
                "term_chars": math.log1p(distortion.end - distortion.start),
                # a bare 最 + adjective or "the best" is often a bound, a feeling or a downside; a fixed term rarely is
                "bare_superlative": float(
                    bool(_BARE_SUPERLATIVE.fullmatch(sentence[distortion.start : distortion.end].strip()))
                ),
                **cue_features(cues),
            }
            candidates.append((distortion, features))
        return candidates

    def target_candidates(
        self, profile: KnowledgeBaseProfile, units: list[Unit], cues: Cues
    ) -> tuple[list[TargetCandidate], list[TargetCandidate]]:
        """The key messages the sentence's clauses may carry and the avoid-topics they may touch, with their
        evidence (once the clauses' distortions are known: a prohibited claim carries no selling point)."""
        carries: list[TargetCandidate] = []
        touches: list[TargetCandidate] = []
        # The sentence's cues are its clauses' (read in the sentence): no second reading of the whole sentence.
        sentence_negated = float(any(unit.polarity.cues for unit in units))
        for unit in units:
            unit_carries, unit_touches = self._unit_targets(profile, unit, cues, sentence_negated)
            carries.extend(unit_carries)
            touches.extend(unit_touches)
        return carries, touches

    def _sale_price(self, profile: KnowledgeBaseProfile, text: str) -> bool:
        """Whether the clause states a price paid in a sale (not the official price)."""
        return any(q.dimension == "currency" and q.role == "deal" for q in self.wording.figures(profile, text))

    def _unit_targets(
        self,
        profile: KnowledgeBaseProfile,
        unit: Unit,
        cues: Cues,
        sentence_negated: float,
    ) -> tuple[list[TargetCandidate], list[TargetCandidate]]:
        """The key messages a clause may carry and the avoid-topics it may touch, each with its score and its
        evidence (once its distortions are known: a prohibited claim carries no selling point)."""
        th = self.thresholds
        best = unit.best_claim()
        rival = unit.best_cosine()
        about = set(unit.about)
        if best is not None:
            index = best[0]
            cosine = unit.claim_cosines[index]
            if cosine >= th.link_min or (
                cosine >= th.link_floor
                and self.wording.shares_term(
                    self.wording.plain(profile, unit.span.text), self.wording.plain(profile, profile.claims[index].text)
                )
            ):
                about.add(index)
        context = {
            "sentence_negated": sentence_negated,
            "negated": float(unit.polarity.negated),
            "prohibitive": float(unit.polarity.prohibitive),
            "asserted": float(unit.polarity.asserted),
            "hedged_clause": float(unit.polarity.hedged),
            "cross_lingual": float(unit.lang != profile.kb.lang),
            "clause_chars": math.log1p(len(unit.span.text)),
            **cue_features(cues),
        }
        clause_terms = self.wording.terms_without_cues(profile, unit.span.text, unit.polarity)
        weight = profile.term_weight

        def shared_words(target: Target) -> Features:
            # How much of the topic's distinctive wording the clause uses, and how much of the clause's is the
            # topic's (a competitor's or a sale's own words). Not for key messages: measured, it did not help
            # them, as paraphrase is what carries a message.
            target_terms = profile.target_terms(target)
            return {
                "target_covered": weighted_overlap(target_terms, clause_terms, weight),
                "clause_in_target": weighted_overlap(clause_terms, target_terms, weight),
            }

        carries: list[TargetCandidate] = []
        for position, (message, score) in enumerate(zip(profile.messages, unit.message_scores, strict=True)):
            linked = about & message.linked_claims
            if score < th.message_floor and not linked:
                continue
            # The facts a message rests on are no rivals to it: only the others are.
            unlinked = max((v for i, v in unit.claim_cosines.items() if i not in message.linked_claims), default=0.0)
            features = {
                "score": score,
                "margin": score - unlinked,
                "close_and_apart": float(score >= 0.45 and score - rival >= 0.05),
                "linked": float(bool(linked)),
                "gap_to_next": score - max((v for i, v in enumerate(unit.message_scores) if i != position), default=0),
                "prohibited": float(unit.prohibited),
                # saying the opposite of a fact the message rests on is no benefit ("the two sides feel the same")
                "opposes_linked": float(any(profile.claims[i].fact_id in unit.opposed for i in message.linked_claims)),
                **context,
            }
            carries.append((message, score, features))
        comparing = any(topic.comparison_topic for topic in profile.avoid_topics)
        other_product = float(comparing and names_rival(unit.span.text, profile.own_words))
        # A sale price paid or a discount touches a topic about sales; a price set against another product's (not
        # against the product's own list price) touches a topic about comparisons.
        text = unit.span.text
        on_sale = talks_promotion(text) or compares_with_own_price(text) or self._sale_price(profile, text)
        against_rival = compares_prices(text) and not compares_with_own_price(text)
        touches: list[TargetCandidate] = []
        for position, (topic, score) in enumerate(zip(profile.avoid_topics, unit.topic_scores, strict=True)):
            deal_grammar = on_sale and topic.deal_topic
            comparison_grammar = against_rival and topic.comparison_topic
            price_grammar = deal_grammar or comparison_grammar
            named = bool(topic.rival_names and topic.rival_names.search(text))  # a brand the topic itself names
            if score < th.avoid_floor and not price_grammar and not named:
                continue
            features = {
                "score": score,
                "margin": score - rival,
                "close_and_apart": float(score >= 0.40 and score - rival >= 0.1),
                "deal_talk": float(unit.deal_talk),
                "price_topic": float(topic.price_topic),
                "price_grammar": float(price_grammar),
                "deal_grammar": float(deal_grammar),
                "comparison_grammar": float(comparison_grammar),
                # a comparison topic is touched by naming another brand or model, even without its brand
                "names_rival": float(topic.comparison_topic and (bool(other_product) or named)),
                "gap_to_next": score - max((v for i, v in enumerate(unit.topic_scores) if i != position), default=0),
                "centred": unit.topic_centred[position],
                **shared_words(topic),
                **context,
            }
            touches.append((topic, score, features))
        return carries, touches
