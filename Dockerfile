# syntax=docker/dockerfile:1
# brandcheck: multi-stage, CPU-only torch, non-root, data on a volume, serves on 0.0.0.0:8000.

FROM python:3.11-slim-bookworm AS build
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY requirements.lock pyproject.toml README.md ./
COPY service ./service
COPY knowledge_base ./knowledge_base
# Every version from requirements.lock (torch's CPU build from the CPU wheel index), then the app.
RUN pip install --extra-index-url "${TORCH_INDEX_URL}" -c requirements.lock "torch==2.13.0+cpu" \
 && pip install -c requirements.lock .

FROM python:3.11-slim-bookworm AS runtime
RUN useradd --create-home --uid 10001 brandcheck \
 && mkdir -p /data && chown 10001 /data
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    BRANDCHECK_DATA_DIR=/data \
    BRANDCHECK_HOST=0.0.0.0 \
    BRANDCHECK_PORT=8000
USER 10001
WORKDIR /home/brandcheck
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/ready', timeout=4).status != 200)"]
CMD ["brandcheck", "serve"]
