"""uv's failures to reach an index, each named apart with its host and root cause (the
texts are what uv printed for each failure against local servers)."""

from __future__ import annotations

import pytest

from pyshelf.engine.network import IndexAccess, index_failure

CERTIFICATE = """error: Failed to fetch: https://127.0.0.1:8443/simple/six/
  cause: error sending request for url (https://127.0.0.1:8443/simple/six/)
  cause: client error (Connect)
  cause: invalid peer certificate: UnknownIssuer
"""
DNS = """error: Failed to fetch: http://pyshelf-test.invalid/simple/six/
  cause: error sending request for url (http://pyshelf-test.invalid/simple/six/)
  cause: client error (Connect)
  cause: dns error
  cause: error resolving DNS
  cause: failed to lookup address information: Name or service not known
"""
REFUSED = """error: Failed to fetch: http://127.0.0.1:1/simple/six/
  cause: error sending request for url (http://127.0.0.1:1/simple/six/)
  cause: client error (Connect)
  cause: tcp connect error
  cause: Connection refused (os error 111)
"""
TIMEOUT = """error: Failed to fetch: http://127.0.0.1:8400/simple/six/
  cause: error sending request for url (http://127.0.0.1:8400/simple/six/)
  cause: operation timed out
"""
UNAUTHORIZED = """error: No solution found when resolving dependencies
  cause: Because six was not found in the package registry and you require six, we can
         conclude that your requirements are unsatisfiable.

hint: An index URL (http://me:secret@127.0.0.1:8401/simple) could not be queried due to a
lack of valid authentication credentials (401 Unauthorized)
"""
FORBIDDEN = """error: No solution found when resolving dependencies
  cause: Because six was not found in the package registry and you require six, we can
         conclude that your requirements are unsatisfiable.

hint: An index (http://127.0.0.1:8403/simple) returned a 403 Forbidden error. Check that the
index URL is correct and the credentials are valid.
"""
SERVER_ERROR = """error: Failed to fetch: http://127.0.0.1:8500/simple/six/
  cause: HTTP status server error (500 Internal Server Error) for url
         (http://127.0.0.1:8500/simple/six/)
"""


@pytest.mark.parametrize(("stderr", "kind", "host", "cause"), [
    (CERTIFICATE, "certificate", "127.0.0.1:8443", "invalid peer certificate: UnknownIssuer"),
    (DNS, "dns", "pyshelf-test.invalid",
     "failed to lookup address information: Name or service not known"),
    (REFUSED, "refused", "127.0.0.1:1", "Connection refused (os error 111)"),
    (TIMEOUT, "timeout", "127.0.0.1:8400", "operation timed out"),
    (UNAUTHORIZED, "credentials", "127.0.0.1:8401", "401 Unauthorized"),
    (FORBIDDEN, "forbidden", "127.0.0.1:8403", "403 Forbidden"),
    (SERVER_ERROR, "status", "127.0.0.1:8500", "500 Internal Server Error"),
])
def test_each_failure_is_named_with_its_host_and_cause(stderr, kind, host, cause):
    failure = index_failure(stderr)

    assert failure is not None
    assert (failure.kind, failure.host, failure.cause) == (kind, host, cause)
    assert host in failure.sentence() and cause in failure.sentence()


def test_each_kind_has_its_own_remedy():
    sentences = {stderr: index_failure(stderr).sentence() for stderr in (
        CERTIFICATE, DNS, REFUSED, TIMEOUT, UNAUTHORIZED, FORBIDDEN, SERVER_ERROR)}

    assert "certificate_file" in sentences[CERTIFICATE]
    assert "could not be found" in sentences[DNS]
    assert "HTTPS_PROXY" in sentences[TIMEOUT]
    assert "~/.netrc" in sentences[UNAUTHORIZED] and "keyring_provider" in sentences[UNAUTHORIZED]
    assert len(set(sentences.values())) == len(sentences)


def test_credentials_in_the_url_are_never_repeated():
    assert "secret" not in index_failure(UNAUTHORIZED).sentence()


def test_other_failures_are_not_the_networks():
    conflict = ("error: No solution found when resolving dependencies\n  cause: Because you "
                "require a>2 and a<2, we can conclude that your requirements are "
                "unsatisfiable.\n")
    assert index_failure(conflict) is None
    assert index_failure("error: Failed to build `tiny @ file:///src`\n") is None


def test_a_host_is_named_even_when_uv_names_no_url():
    failure = index_failure("error: Failed to fetch\n  cause: operation timed out\n",
                            "https://user:pw@mirror.example:8080/simple")

    assert failure is not None and failure.host == "mirror.example:8080"


def test_uv_is_told_what_the_settings_say():
    access = IndexAccess(certificate_file="/etc/corp/ca.pem", system_certificates=True,
                         keyring_provider="subprocess")

    assert access.uv_environment({}) == {"SSL_CERT_FILE": "/etc/corp/ca.pem",
                                         "UV_SYSTEM_CERTS": "true",
                                         "UV_KEYRING_PROVIDER": "subprocess"}
    assert IndexAccess().uv_environment({}) == {}


def test_a_bundle_other_tools_read_is_used_when_ssl_cert_file_is_not_set():
    assert IndexAccess().uv_environment({"REQUESTS_CA_BUNDLE": "/corp.pem"}) == {
        "SSL_CERT_FILE": "/corp.pem"}
    assert IndexAccess().uv_environment({"REQUESTS_CA_BUNDLE": "/corp.pem",
                                         "SSL_CERT_FILE": "/own.pem"}) == {}
    assert IndexAccess("/setting.pem").uv_environment({"SSL_CERT_FILE": "/own.pem"}) == {
        "SSL_CERT_FILE": "/setting.pem"}
