"""The mechanisms that propose candidate distortions, one module each.

- :mod:`.figures`: a figure of a clause against the figures of the claim it speaks about (``numeric``; and
  ``usage`` for a figure inside a range a rule forbids);
- :mod:`.rules`: a clause's polarity against its nearest claims: a use a rule forbids (``usage``), the
  opposite of what a fact affirms or denies (``contradiction``);
- :mod:`.prohibited`: a clause close to a prohibited claim, asserted (``prohibited``);
- :mod:`.absolute`: the absolute terms a sentence asserts about the product or brand (``absolute``).

Each proposes generously (its thresholds only keep the number of candidates manageable); the evidence
(``service.check.evidence``) and the fitted decision (``service.check.deciding``) say which to report.
"""
