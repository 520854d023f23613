"""A city's complaint channels come from its pack: a channel the pack lists is accepted everywhere a channel is
read (file mappings, analyst filters); one it does not list is refused with the city's own list."""

from __future__ import annotations

import pytest

from data.city import load_pack, using
from data.city.model import Channel, Label
from data.ingest.mappings import parse_mapping
from data.ingest.readers import FileUnreadableError
from data.queries.analyst_filter import known_values

SPEC = {"columns": {"source_id": "id", "category": "kategori", "requested_at": "waktu"},
        "channels": {"SMS": "sms_lapor", "Telepon": "phone"}}  # fmt: skip


@pytest.fixture
def pack_with_sms():
    pack = load_pack("tangerang")
    sms = Channel(code="sms_lapor", label=Label(id="SMS LAPOR!", en="LAPOR! text message"))
    return pack.model_copy(
        update={"catalogue": pack.catalogue.model_copy(update={"channels": (*pack.catalogue.channels, sms)})}
    )


def test_a_channel_the_pack_lists_is_a_channel(pack_with_sms, small_city):
    with using(pack_with_sms):
        mapping = parse_mapping(SPEC, "lapor")
        assert mapping.channel("SMS") == "sms_lapor" and mapping.channel("sms_lapor") == "sms_lapor"
        assert "sms_lapor" in known_values(small_city).channels


def test_a_channel_the_pack_does_not_list_is_refused_naming_the_citys_channels():
    with pytest.raises(FileUnreadableError, match=r"sms_lapor.*not this city's \(app, whatsapp"):
        parse_mapping(SPEC, "lapor")
