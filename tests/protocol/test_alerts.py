"""Which channels tell the holder of each kind of notice (sync/protocol/alerts.py)."""

from sync.protocol.alerts import ACCESS, AlertSettings, channels, effective


def test_defaults_keep_the_former_behaviour() -> None:
    assert effective({}, otp_channel="email", has_phone=False) == AlertSettings(
        in_app="first", email="first", sms="off"
    )
    assert effective({}, otp_channel="sms", has_phone=True) == AlertSettings(
        in_app="first", email="off", sms="first"
    )
    assert effective({}, otp_channel="sms", has_phone=False).email == "first"  # no phone: e-mail
    stored = {"in_app": "every", "email": "", "sms": "every"}
    assert effective(stored, otp_channel="email", has_phone=True) == AlertSettings(
        in_app="every", email="first", sms="every"
    )


def test_channels_per_kind() -> None:
    every_mail = AlertSettings(in_app="first", email="every", sms="off")
    assert channels(every_mail, ACCESS, has_phone=True) == {"email"}
    assert channels(every_mail, "first_access", has_phone=True) == {"in_app", "email"}
    assert channels(every_mail, "emergency_access", has_phone=True) == {"in_app", "email"}
    quiet = AlertSettings(in_app="first", email="off", sms="off")
    assert channels(quiet, ACCESS, has_phone=True) == set()
    assert channels(quiet, "regulator_access", has_phone=True) == {"in_app"}  # the app, always
    sms = AlertSettings(in_app="every", email="off", sms="every")
    assert channels(sms, ACCESS, has_phone=True) == {"in_app", "sms"}
    assert channels(sms, ACCESS, has_phone=False) == {"in_app"}  # no phone, no SMS
    assert channels(sms, "new_message", has_phone=True) == {"in_app", "sms"}
