from config import settings as config_settings


def test_env_helpers_read_values_and_secret_files(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cr3t\n", encoding="utf-8")
    monkeypatch.setenv("SOME_KEY_FILE", str(secret))
    monkeypatch.setenv("SOME_FLAG", "yes")
    monkeypatch.setenv("SOME_INT", "12")
    monkeypatch.setenv("SOME_LIST", "a.example, b.example")
    assert config_settings.env_str("SOME_KEY") == "s3cr3t"
    assert config_settings.env_bool("SOME_FLAG") is True
    assert config_settings.env_bool("MISSING_FLAG", default=True) is True
    assert config_settings.env_int("SOME_INT", 3) == 12
    assert config_settings.env_list("SOME_LIST", []) == ["a.example", "b.example"]


def test_french_first(settings):
    assert settings.LANGUAGE_CODE == "fr"
    assert settings.TIME_ZONE == "Europe/Paris"
    assert settings.AUTH_USER_MODEL == "federation.User"


def test_pro_sante_connect_is_configured_from_settings_only():
    assert config_settings.pro_sante_connect_apps("", "", "https://psc.example") == []
    (app,) = config_settings.pro_sante_connect_apps("client-42", "secret", "https://psc.example/realms/x/")
    assert app["provider_id"] == "pro-sante-connect"
    assert app["client_id"] == "client-42"
    assert app["settings"]["server_url"] == (
        "https://psc.example/realms/x/.well-known/wallet-openid-configuration"
    )
    assert app["settings"]["scope"] == ["openid", "scope_all"]
    assert app["settings"]["auth_params"] == {"acr_values": "eidas1"}


def test_pro_sante_connect_absent_from_login_page_when_not_configured(client, db):
    assert "Pro Santé Connect" not in client.get("/accounts/login/").content.decode()
