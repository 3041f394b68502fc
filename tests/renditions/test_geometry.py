"""renditions.geometry: fitting sizes into boxes (pure functions, no pixels)."""
from __future__ import annotations

import pytest

from renditions.geometry import fit_in_box, oriented_size


@pytest.mark.parametrize("size, box, expected", [
    ((6000, 4000), (1280, 1280), (1280, 853)),
    ((4000, 6000), (1280, 1280), (853, 1280)),
    ((6000, 4000), (140, 100), (140, 93)),
    ((4000, 6000), (140, 100), (67, 100)),
    ((1000, 1000), (140, 100), (100, 100)),
    ((6000, 4000), (48, 48), (48, 32)),
    ((10000, 10), (48, 48), (48, 1)),  # never 0 pixels high
])
def test_fit_in_box_keeps_the_aspect_ratio_inside_the_box(size, box, expected):
    assert fit_in_box(size, box) == expected


def test_fit_in_box_never_enlarges_a_small_image():
    assert fit_in_box((30, 20), (319, 319)) == (30, 20)
    assert fit_in_box((319, 100), (319, 319)) == (319, 100)


@pytest.mark.parametrize("size", [(7, 3), (3, 7), (1999, 1001), (1, 5000), (4321, 1234)])
@pytest.mark.parametrize("box", [(48, 48), (140, 100), (319, 319), (1280, 1280)])
def test_fit_in_box_always_fits_and_touches_one_side(size, box):
    width, height = fit_in_box(size, box)
    assert 1 <= width <= box[0] and 1 <= height <= box[1]
    if size[0] > box[0] or size[1] > box[1]:
        assert width == box[0] or height == box[1]


def test_fit_in_box_refuses_empty_sizes():
    with pytest.raises(ValueError):
        fit_in_box((0, 10), (48, 48))


@pytest.mark.parametrize("orientation, expected", [
    (None, (60, 40)), (1, (60, 40)), (2, (60, 40)), (3, (60, 40)), (4, (60, 40)),
    (5, (40, 60)), (6, (40, 60)), (7, (40, 60)), (8, (40, 60)),
])
def test_oriented_size_swaps_for_rotations_by_90_degrees(orientation, expected):
    assert oriented_size((60, 40), orientation) == expected
