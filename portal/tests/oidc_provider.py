"""A small OpenID Connect provider for the test suite, served on 127.0.0.1 by a thread:
discovery, authorize (code flow), token (an RS256-signed id_token), jwks and userinfo.

``OIDCProvider(email=...)``: each sign-in it serves vouches for that e-mail address.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "portal-287g-test"
CLIENT_SECRET = secrets.token_urlsafe(24)


class OIDCProvider:
    def __init__(self, email: str = "", email_verified: bool = True, audience: str = CLIENT_ID):
        self.email, self.email_verified, self.audience = email, email_verified, audience
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_hex(8)
        self.codes: dict[str, dict] = {}
        self.tokens: dict[str, dict] = {}
        self.requests: list[str] = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _json(self, body, status=200):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                provider.requests.append(url.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                if url.path == "/.well-known/openid-configuration":
                    return self._json(provider.discovery())
                if url.path == "/jwks":
                    return self._json({"keys": [provider.jwk()]})
                if url.path == "/authorize":
                    if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
                        return self._json({"error": "invalid_request"}, 400)
                    code = secrets.token_urlsafe(16)
                    provider.codes[code] = {"nonce": query.get("nonce"), "redirect_uri": query["redirect_uri"]}
                    target = (
                        query["redirect_uri"] + "?" + urllib.parse.urlencode({"code": code, "state": query["state"]})
                    )
                    self.send_response(302)
                    self.send_header("Location", target)
                    self.end_headers()
                    return None
                if url.path == "/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    if token not in provider.tokens:
                        return self._json({"error": "invalid_token"}, 401)
                    return self._json(provider.tokens[token])
                return self._json({"error": "not_found"}, 404)

            def do_POST(self):
                provider.requests.append(self.path)
                length = int(self.headers.get("Content-Length", "0"))
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                if self.path != "/token":
                    return self._json({"error": "not_found"}, 404)
                grant = provider.codes.pop(form.get("code", ""), None)
                if (
                    (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET)
                    or grant is None
                    or grant["redirect_uri"] != form.get("redirect_uri")
                ):
                    return self._json({"error": "invalid_grant"}, 400)
                access = secrets.token_urlsafe(24)
                claims = {"sub": "federal-id-42", "email": provider.email, "email_verified": provider.email_verified}
                provider.tokens[access] = claims
                now = int(time.time())
                id_token = jwt.encode(
                    {
                        **claims,
                        "iss": provider.url,
                        "aud": provider.audience,
                        "iat": now,
                        "exp": now + 300,
                        "nonce": grant["nonce"],
                    },
                    provider.key,
                    algorithm="RS256",
                    headers={"kid": provider.kid},
                )
                return self._json(
                    {"access_token": access, "id_token": id_token, "token_type": "Bearer", "expires_in": 300}
                )

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def discovery(self) -> dict:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def jwk(self) -> dict:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
