"""Where things are in the store: the collections' names and the point ids, the same in every process."""

from __future__ import annotations

import hashlib

META_COLLECTION = "brandcheck_meta"
FIRST_ITEMS_COLLECTION = "brandcheck_items_1"
ITEM_INDEXES = ("kb_id", "kind", "product", "kb_generation")
CLAIM_INDEXES = ("kb_id", "kb_generation")


def items_collection_number(items_collection: str) -> int:
    """N of ``brandcheck_items_N``: each reindex writes the next one."""
    return int(items_collection.rsplit("_", 1)[-1])


def items_collection_named(number: int) -> str:
    """The items collection ``number`` (the inverse of :func:`items_collection_number`)."""
    return f"brandcheck_items_{number}"


def claims_collection_of(items_collection: str) -> str:
    """The claims collection that goes with an items collection (they are reindexed together)."""
    return items_collection.replace("_items_", "_claims_")


def live_key(kb_id: str, generation: int) -> str:
    """The keyword-indexed ``kb_generation`` payload value of a knowledge base's generation."""
    return f"{kb_id}@{generation}"


def stable_id(*parts: str) -> int:
    """A point id that is the same in every process: 63 bits of BLAKE2b."""
    digest = hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") & (2**63 - 1)
