"""Container health probe: GET a path on the local daphne and exit 0 on HTTP 200, 1 otherwise.

Used by the image's HEALTHCHECK (`/healthz`) and usable as `python deploy/healthcheck.py /readyz`.
Standard library only: it must work even when Django cannot start. The request carries `Host: localhost`
(keep `localhost` in ALLOWED_HOSTS) and `X-Forwarded-Proto: https`, which Django trusts in production
(SECURE_PROXY_SSL_HEADER), so SECURE_SSL_REDIRECT does not turn the probe into a redirect.
"""

import sys
import urllib.error
import urllib.request


def main(argv: list[str], base: str = "http://127.0.0.1:8000") -> int:
    path = argv[1] if len(argv) > 1 else "/healthz"
    request = urllib.request.Request(
        base + path,
        headers={"Host": "localhost", "X-Forwarded-Proto": "https", "User-Agent": "maillage-healthcheck"},
    )
    try:
        with urllib.request.urlopen(request, timeout=4) as response:
            ok = response.status == 200
    except (urllib.error.URLError, OSError) as exc:
        print(f"healthcheck {path}: {exc}", file=sys.stderr)
        return 1
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
