# iaccert in a container: `docker build -t iaccert .` then, from the repository to scan,
#   docker run --rm -v "$PWD:/src" iaccert                      # iaccert lint .
#   docker run --rm -v "$PWD:/src" iaccert lint infra -f sarif -o iaccert.sarif
# The image runs as an unprivileged user (uid 10001); give it `--user "$(id -u):$(id -g)"`
# when it must write reports into the mounted directory.

FROM python:3.12-slim AS build
WORKDIR /build
COPY pyproject.toml README.md LICENSE ./
COPY src ./src
COPY rules ./rules
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.12-slim
LABEL org.opencontainers.image.title="iaccert" \
      org.opencontainers.image.description="Checks that every API Gateway custom domain gets an ACM certificate that AWS validates by DNS and keeps renewing." \
      org.opencontainers.image.source="https://github.com/iaccert/iaccert" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    IACCERT_CACHE_DIR=/tmp/iaccert-cache
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels \
    && useradd --create-home --uid 10001 --shell /usr/sbin/nologin iaccert
USER iaccert
WORKDIR /src
ENTRYPOINT ["iaccert"]
CMD ["lint", "."]
