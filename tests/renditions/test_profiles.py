"""renditions.profiles: AEM's four by default; anything else from configuration."""
from __future__ import annotations

import pytest

from renditions.profiles import DEFAULT_PROFILES, Profile, largest_box, profiles_from_config


def test_the_defaults_are_the_renditions_aem_makes():
    assert [(p.name, p.box, p.mime_type) for p in DEFAULT_PROFILES] == [
        ("cq5dam.thumbnail.48.48.png", (48, 48), "image/png"),
        ("cq5dam.thumbnail.140.100.png", (140, 100), "image/png"),
        ("cq5dam.thumbnail.319.319.png", (319, 319), "image/png"),
        ("cq5dam.web.1280.1280.jpeg", (1280, 1280), "image/jpeg"),
    ]


def test_no_setting_means_the_defaults():
    assert profiles_from_config(None) == DEFAULT_PROFILES


def test_profiles_come_from_mappings_in_the_setting():
    profiles = profiles_from_config([
        {"name": "small.webp", "width": 64, "height": 32, "format": "webp", "quality": 70},
        {"name": "big.jpg", "width": 2048, "height": 2048, "format": "jpg"},
        Profile("tiny.png", 16, 16),
    ])
    assert profiles == (Profile("small.webp", 64, 32, "WEBP", 70),
                        Profile("big.jpg", 2048, 2048, "JPEG", 90), Profile("tiny.png", 16, 16))


@pytest.mark.parametrize("setting, complaint", [
    ("cq5dam.thumbnail.48.48.png", "list"),
    ([{"name": "x.png", "width": 0, "height": 10}], "width"),
    ([{"name": "x.png", "width": 10, "height": 10, "format": "GIF"}], "format"),
    ([{"name": "x.png", "width": 10, "height": 10, "quality": 0}], "quality"),
    ([{"name": "a/b.png", "width": 10, "height": 10}], "name"),
    ([{"name": "original", "width": 10, "height": 10}], "name"),
    ([{"name": "x.png", "width": 10}], "height"),
    ([{"name": "x.png", "width": 10, "height": 10, "colour": "red"}], "colour"),
    ([{"name": "x.png", "width": 10, "height": 10}] * 2, "unique"),
])
def test_a_bad_setting_is_refused_with_a_reason(setting, complaint):
    with pytest.raises(ValueError, match=complaint):
        profiles_from_config(setting)


def test_largest_box_covers_every_profile():
    assert largest_box(DEFAULT_PROFILES) == (1280, 1280)
    assert largest_box([Profile("a", 300, 10), Profile("b", 10, 200)]) == (300, 200)
    assert largest_box([]) is None
