"""Indexes as organisations run them: behind a TLS proxy whose certificate authority the
machine must be told about, and behind credentials. Served here over HTTPS on 127.0.0.1
with a certificate signed by a throw-away authority, and with HTTP basic authentication."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.e2e.helpers import packages
from tests.support.certificates import Certificates, make_certificates
from tests.support.index import IndexServer


@pytest.fixture(scope="module")
def certificates(tmp_path_factory) -> Certificates:
    made = make_certificates(tmp_path_factory.mktemp("certificates"))
    if made is None:
        pytest.skip("openssl is not installed")
    return made


@pytest.fixture
def https_index(wheel_index, certificates) -> Iterator[str]:
    with IndexServer(wheel_index.root, tls=certificates.server) as server:
        yield server.url


def test_an_untrusted_certificate_is_named_and_the_setting_trusts_it(sandbox, shelf_templates,
                                                                     https_index, certificates):
    shelf_templates.copy_into(sandbox)
    sandbox.env["PYSHELF_INDEX_URL"] = https_index
    port = https_index.split(":")[2].split("/")[0]

    refused = sandbox.run("install", "beta", "--yes")

    assert refused.returncode == 1
    assert refused.stderr == (
        "Resolving 1 requirement ...\n"
        f"error: The package index at 127.0.0.1:{port} sent a certificate that is not trusted "
        "(invalid peer certificate: UnknownIssuer); if a proxy or your organisation signs its "
        "traffic, trust its certificate with `pyshelf config set certificate_file CA.pem`, "
        "or the system's store with `pyshelf config set system_certificates true`.\n")
    sandbox.ok("config", "set", "certificate_file", str(certificates.authority))
    sandbox.ok("install", "beta", "--yes")
    assert packages(sandbox)["beta"] == ("1.0", "explicit")


def test_a_bundle_named_for_other_tools_is_trusted_too(sandbox, shelf_templates, https_index,
                                                        certificates):
    shelf_templates.copy_into(sandbox)
    sandbox.env.pop("SSL_CERT_FILE", None)
    sandbox.env.update(PYSHELF_INDEX_URL=https_index,
                       REQUESTS_CA_BUNDLE=str(certificates.authority))

    sandbox.ok("install", "beta", "--yes")

    assert packages(sandbox)["beta"] == ("1.0", "explicit")


def test_an_index_that_needs_credentials_says_so_and_netrc_supplies_them(sandbox, shelf_templates,
                                                                          wheel_index):
    shelf_templates.copy_into(sandbox)
    with IndexServer(wheel_index.root, credentials=("reader", "s3cret")) as server:
        sandbox.env["PYSHELF_INDEX_URL"] = server.url

        refused = sandbox.run("install", "beta", "--yes")
        (sandbox.home / ".netrc").write_text("machine 127.0.0.1 login reader password s3cret\n")
        (sandbox.home / ".netrc").chmod(0o600)
        sandbox.ok("install", "beta", "--yes")

    assert refused.returncode == 1
    assert f"The package index at 127.0.0.1:{server.port} needs credentials (401 " \
           "Unauthorized); put them in ~/.netrc" in refused.stderr
    assert packages(sandbox)["beta"] == ("1.0", "explicit")
