"""The check: flag distortions in a piece of content and report which key messages it carries.

:class:`Checker` runs the pipeline; each stage is a module of its own:

1. segmentation: sentences and clauses (``segmentation``; Traditional Chinese is analysed as Simplified,
   offset for offset, ``script``);
2. retrieval (``retrieval``): each distinct sentence and clause of a batch embedded and searched once
   (hybrid dense + lexical), each clause scored against the claims of the facts found;
3. candidates (``candidates``), per clause: figures against the claim's figures (``numeric``, or ``usage``
   for a figure in a forbidden range), polarity against the nearest claims (``usage``, ``contradiction``),
   similarity to a prohibited claim (``prohibited``); per sentence, absolute terms (``absolute``);
4. evidence (``evidence``): the features of every candidate, and of the key messages and avoid-topics the
   clauses may carry or touch;
5. the decision (``deciding``): a post's candidates pooled per key into bags, each reported from its
   family's threshold on;
6. coverage (``coverage``): the key messages carried and avoid-topics touched, each sentence's matches;
7. assembly (``assembly``): the distortions placed in the post, the verdicts, counts and corrected text.

Stages 2 (a clause's scores) to 4 depend on a sentence's text and the knowledge-base version only: a
sentence's analysis (``sentence``) is cached and reused in every post it occurs in. The text readings the
stages repeat (clauses, figures, polarity, content terms) are memoised per checker (``wording``).
"""

from __future__ import annotations

from collections.abc import Sequence

from knowledge_base.lru import LruCache
from knowledge_base.models import KnowledgeBase
from knowledge_base.repository import Embedder, KnowledgeBaseRepository
from service.check.assembly import assembled, corrected_text, placed
from service.check.candidates.absolute import AbsoluteTerms
from service.check.candidates.figures import Figures
from service.check.candidates.prohibited import ProhibitedClaims
from service.check.candidates.rules import Rules
from service.check.coverage import messages_and_topics, sentence_matches
from service.check.cues import cues_of
from service.check.deciding import decided_distortions
from service.check.decision import DecisionModel, DecisionModels, Features
from service.check.evidence import Candidate, Evidence
from service.check.nli import default_nli_head
from service.check.profile import KnowledgeBaseProfile, ProfileCache
from service.check.retrieval import Retrieval, Unit, Vector, normalised_means
from service.check.schemas import CheckResponse, Distortion, DistortionKind
from service.check.script import restore_response, to_simplified
from service.check.segmentation import Span, detect_language, split_sentences
from service.check.sentence import SentenceAnalysis
from service.check.wording import Wording
from service.settings import CheckThresholds


class Checker:
    """Checks content against a knowledge base; one instance serves every request."""

    def __init__(
        self,
        repository: KnowledgeBaseRepository,
        embedder: Embedder,
        thresholds: CheckThresholds,
        decision: DecisionModel | DecisionModels | None = None,
        min_confidence: float | None = None,
    ) -> None:
        self.repository = repository
        self.embedder = embedder
        self.thresholds = thresholds
        self.decisions = DecisionModels.of(decision)  # each knowledge base's decision (its own, or the shared)
        self.min_confidence = min_confidence  # None: each family's fitted threshold
        head = default_nli_head()
        # The head reads the bundled model's vectors; with another model its evidence is left out.
        self.nli = head if head.meta.get("model") == embedder.model_id else None
        self.wording = Wording()  # this checker's memos of the text readings its pipeline repeats
        self.retrieval = Retrieval(repository, embedder, thresholds, self.wording, self.nli)
        self._prohibited = ProhibitedClaims(thresholds, self.wording)
        self._figures = Figures(thresholds, self.wording)
        self._rules = Rules(thresholds, self.wording)
        self._absolute = AbsoluteTerms(self.wording)
        self._evidence = Evidence(thresholds, self.wording)
        self.profiles = ProfileCache(embedder, self.retrieval.fact_ids_near, repository.claim_vectors)
        # The analyses of recently seen sentences, per knowledge-base version (posts repeat).
        self._sentences: LruCache[tuple[str, int, str], SentenceAnalysis] = LruCache(50_000)

    @property
    def decision(self) -> DecisionModel:
        """The decision of the knowledge base being checked (outside a check: the shared one)."""
        return self.decisions.current()

    @property
    def hits_cache_size(self) -> int:
        """How many texts' retrieval results are kept (0: none)."""
        return self.retrieval.hits.size

    @hits_cache_size.setter
    def hits_cache_size(self, size: int) -> None:
        self.retrieval.hits.size = size

    @property
    def sentence_cache_size(self) -> int:
        """How many sentences' analyses are kept (0: none)."""
        return self._sentences.size

    @sentence_cache_size.setter
    def sentence_cache_size(self, size: int) -> None:
        self._sentences.size = size

    def check(
        self, kb_id: str, text: str, lang: str | None = None, min_confidence: float | None = None
    ) -> CheckResponse:
        """Check one piece of content; ``min_confidence`` overrides the service's (and the fitted) threshold."""
        return self.check_many(kb_id, [text], [lang], min_confidence)[0]

    def check_many(
        self,
        kb_id: str,
        texts: Sequence[str],
        langs: Sequence[str | None] | None = None,
        min_confidence: float | None = None,
    ) -> list[CheckResponse]:
        """Check several pieces of content in one batch (one encode, one batch of store queries)."""
        return self.check_batch(kb_id, texts, langs, min_confidence)[0]

    def evidence(self, kb_id: str, texts: Sequence[str]) -> list[list[tuple[str, str, Features]]]:
        """Per post, every candidate the mechanisms propose as (family, key, features): what training reads."""
        self.check_batch(kb_id, texts)
        kb = self.repository.get(kb_id)
        found = []
        for text in texts:
            sentences, _ = self._segment(to_simplified(text))  # analysed (and cached) as Simplified
            rows: list[tuple[str, str, Features]] = []
            for sentence in sentences:
                cached = self._sentences.get((kb.id, kb.version, sentence.text))
                if cached is None:
                    raise RuntimeError("the sentence cache is too small to read a batch's evidence back")
                rows.extend(cached.rows())
            found.append(rows)
        return found

    def check_batch(
        self,
        kb_id: str,
        texts: Sequence[str],
        langs: Sequence[str | None] | None = None,
        min_confidence: float | None = None,
    ) -> tuple[list[CheckResponse], Vector]:
        """Check a batch of posts; also returns one unit vector per post (the mean of its sentences'),
        for novelty and near-duplicate analysis without a second encode."""
        with self.decisions.checking(kb_id):  # the knowledge base's own decision, if it has one
            return self._check_batch(kb_id, texts, langs, min_confidence)

    def _check_batch(
        self,
        kb_id: str,
        texts: Sequence[str],
        langs: Sequence[str | None] | None = None,
        min_confidence: float | None = None,
    ) -> tuple[list[CheckResponse], Vector]:
        if min_confidence is None:
            min_confidence = self.min_confidence
        kb = self.repository.get(kb_id)
        profile = self.profiles.get(kb)
        langs = list(langs) if langs is not None else [None] * len(texts)
        # Traditional Chinese is analysed as Simplified (the knowledge bases' script), offset for offset; each
        # response is given back the post's own characters below.
        originals, texts = texts, [to_simplified(text) for text in texts]
        documents = [self._segment(text) for text in texts]
        units_text: list[str] = []
        for sentences, clauses in documents:
            units_text.extend(sentence.text for sentence in sentences)
            units_text.extend(clause.text for _, clause in clauses)
        # A one-clause sentence is its own clause, and community posts repeat: search each distinct text once.
        distinct = list(dict.fromkeys(units_text))
        position = {text: index for index, text in enumerate(distinct)}
        rows = [position[text] for text in units_text]
        distinct_vectors = self.retrieval.unit_vectors(profile, distinct)
        distinct_hits = (
            self.retrieval.search_facts(kb, distinct, distinct_vectors)
            if distinct and profile.claims
            else [[] for _ in distinct]
        )
        profile.ensure_vectors(fact_id for found in distinct_hits for fact_id in found)
        vectors = distinct_vectors[rows] if rows else distinct_vectors
        hits = [distinct_hits[row] for row in rows]
        results = []
        offset = 0
        for (sentences, clauses), text, lang in zip(documents, texts, langs, strict=True):
            count = len(sentences) + len(clauses)
            results.append(
                self._check_document(
                    kb,
                    profile,
                    text,
                    lang,
                    sentences,
                    clauses,
                    vectors[offset : offset + count],
                    hits[offset : offset + count],
                    min_confidence,
                )
            )
            offset += count
        results = [restore_response(r, o, t, corrected_text) for r, o, t in zip(results, originals, texts, strict=True)]
        return results, normalised_means(distinct_vectors, [[position[s.text] for s in doc[0]] for doc in documents])

    def _segment(self, text: str) -> tuple[list[Span], list[tuple[int, Span]]]:
        """A post's sentences, and its clauses as (sentence index, clause) with offsets in the post."""
        sentences = split_sentences(text)
        clauses = [
            (index, Span(sentence.start + clause.start, sentence.start + clause.end, clause.text))
            for index, sentence in enumerate(sentences)
            for clause in self.wording.clauses(sentence.text)
        ]
        return sentences, clauses

    def _check_document(
        self,
        kb: KnowledgeBase,
        profile: KnowledgeBaseProfile,
        text: str,
        lang: str | None,
        sentences: list[Span],
        clauses: list[tuple[int, Span]],
        vectors: Vector,
        hits: Sequence[Sequence[str]],
        min_confidence: float | None,
    ) -> CheckResponse:
        """One post of a batch: each sentence analysed, the decision applied to the post, the response."""
        analyses: list[SentenceAnalysis] = []
        # Rows of ``vectors`` and ``hits``: the sentences, then the clauses.
        clauses_of: dict[int, list[tuple[int, Span]]] = {index: [] for index in range(len(sentences))}
        for position, (sentence_index, clause) in enumerate(clauses):
            clauses_of[sentence_index].append((len(sentences) + position, clause))
        for index, sentence in enumerate(sentences):
            analysis = self._sentence_analysis(kb, profile, sentence, index, clauses_of[index], vectors, hits)
            analyses.append(analysis)
        per_sentence = placed(sentences, decided_distortions(self.decision, analyses, min_confidence))
        carried, touched = messages_and_topics(self.decision, profile, sentences, analyses, min_confidence)
        return assembled(
            kb,
            self.thresholds,
            text,
            lang or detect_language(text),
            sentences,
            analyses,
            per_sentence,
            carried,
            touched,
            self.decision.version,
        )

    def _sentence_analysis(
        self,
        kb: KnowledgeBase,
        profile: KnowledgeBaseProfile,
        sentence: Span,
        sentence_row: int,
        clauses: list[tuple[int, Span]],
        vectors: Vector,
        hits: Sequence[Sequence[str]],
    ) -> SentenceAnalysis:
        """The sentence's analysis from the cache, or made now (everything in it depends on the sentence's
        text and the knowledge-base version only)."""
        key = (kb.id, kb.version, sentence.text)
        cached = self._sentences.get(key)
        if cached is not None:
            return cached
        local = Span(0, len(sentence.text), sentence.text)
        units = self.retrieval.units(profile, sentence, sentence_row, clauses, vectors, hits)
        cues = cues_of(sentence.text)
        candidates: list[Candidate] = []
        for unit in units:
            distortions = self._distortions(profile, unit, local)
            unit.opposed = frozenset(
                d.fact_id for d in distortions if d.kind is DistortionKind.CONTRADICTION and d.fact_id
            )
            for distortion in distortions:
                candidates.append((distortion, self._evidence.distortion_features(profile, unit, distortion, cues)))
        absolutes = self._absolute.propose(kb, local)
        candidates.extend(self._evidence.absolute_candidates(profile, sentence.text, units, absolutes, cues))
        carries, touches = self._evidence.target_candidates(profile, units, cues)
        facts, key_messages, avoid_topics, prohibited_claims = sentence_matches(profile, units, self.thresholds)
        analysis = SentenceAnalysis(candidates, facts, key_messages, avoid_topics, prohibited_claims, carries, touches)
        self._sentences.put(key, analysis)
        return analysis

    def _distortions(self, profile: KnowledgeBaseProfile, unit: Unit, sentence: Span) -> list[Distortion]:
        """What the clause mechanisms propose for one clause: prohibited claims, figures, then rules."""
        return [
            *self._prohibited.propose(profile, unit, sentence),
            *self._figures.propose(profile, unit, sentence),
            *self._rules.propose(profile, unit),
        ]
