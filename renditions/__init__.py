"""Image probing and rendition generation (Pillow), run off the request path.

No Flask here (tests/test_layering.py). The pipeline, after thumbor, is three small steps
each testable alone: :mod:`~renditions.load` (decode once, safely, cheaply) →
:mod:`~renditions.transform` (pure geometry in :mod:`~renditions.geometry`, then Pillow
resizing) → :mod:`~renditions.store` (blobs and rendition nodes through the Repository),
with :mod:`~renditions.encode` and :mod:`~renditions.metadata` beside them. What to make
is configuration (:mod:`~renditions.profiles`); :mod:`~renditions.pipeline` runs the steps
for one asset and :mod:`~renditions.jobs` runs jobs from the repository's job table.
"""
